//! The method names this protocol gives a meaning to, on either side of the
//! pipe. Both kits, the host's plugin sets and the tools use these constants
//! instead of repeating the strings.

/// A plugin answers it with an [OpenRPC](https://spec.open-rpc.org)
/// document describing its methods (PROTOCOL.md §9).
pub const DISCOVER: &str = "rpc.discover";

/// The host delivers an event to a subscribed plugin with this method; its
/// params are an [`Event`](crate::Event), its answer an
/// [`EventReply`](crate::EventReply).
pub const ON_EVENT: &str = "on_event";

/// Host method of a plugin set: the plugin's `[config]` table, or one value of it.
pub const CONFIG_GET: &str = "config.get";

/// Host method of a plugin set: call a method of another plugin of the set.
pub const PLUGINS_CALL: &str = "plugins.call";

/// The host methods of the key-value store a host may grant plugins (in a
/// plugin set, the `storage` capability): each takes an object or the same
/// fields as a positional array (PROTOCOL.md §11).
pub mod store {
    /// `store.get`: `[key]` or `{"key"}` → the value, `null` if absent.
    pub const GET: &str = "store.get";
    /// `store.get_many`: `[key, …]` or `{"keys"}` → the values, `null` where absent.
    pub const GET_MANY: &str = "store.get_many";
    /// `store.set`: `[key, value]` or `{"key", "value"}` → `null`.
    pub const SET: &str = "store.set";
    /// `store.delete`: `[key]` or `{"key"}` → whether it existed.
    pub const DELETE: &str = "store.delete";
    /// `store.list`: `[prefix?, cursor?, limit?]` or `{"prefix"?, "cursor"?, "limit"?}`
    /// → `{"keys", "cursor"}`.
    pub const LIST: &str = "store.list";
    /// `store.cas`: `[key, expected, new]` or `{"key", "expected"?, "new"?}`
    /// → `{"swapped", "current"}`.
    pub const CAS: &str = "store.cas";
    /// `store.increment`: `[key, delta?]` or `{"key", "delta"?}` → the new value.
    pub const INCREMENT: &str = "store.increment";
    /// `store.batch`: `[op, …]` or `{"ops"}` → `{"committed": true, "results"}`
    /// or `{"committed": false, "index", "current"}`.
    pub const BATCH: &str = "store.batch";
    /// `store.usage`: no params → `{"keys", "bytes", "quota"}`.
    pub const USAGE: &str = "store.usage";
    /// Every method above.
    pub const ALL: [&str; 9] = [
        GET, GET_MANY, SET, DELETE, LIST, CAS, INCREMENT, BATCH, USAGE,
    ];
}
