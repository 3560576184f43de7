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
