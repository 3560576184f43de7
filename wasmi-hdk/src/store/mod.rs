//! Durable state for plugins: a key-value store of JSON values, one
//! namespace per plugin.
//!
//! Every request runs in a fresh instance, so what a plugin keeps between
//! calls lives in the host. Giving a plugin a store is one call:
//! [`PluginBuilder::with_store`](crate::PluginBuilder::with_store) for one
//! plugin, [`PluginSetBuilder::with_store`](crate::set::PluginSetBuilder::with_store)
//! for a set (the [`CAPABILITY`] `storage`, granted by a manifest's
//! `permissions`). The plugin then calls the `store.*` host methods
//! (`store.get`, `store.set`, `store.delete`, `store.list`, `store.cas`,
//! `store.increment`, `store.batch`, …; PROTOCOL.md §11; the Rust plugin
//! kit's `ctx.store()`) in its own [`Namespace`], `plugin:NAME`. The
//! embedder reads and writes any namespace through the [`KvStore`] trait of
//! the same store, and serves further namespaces (per user, per room) with a
//! [`StoreHost`] of its own.
//!
//! | Backend | Where | Durable |
//! |---|---|---|
//! | [`MemoryStore`] | everywhere | no |
//! | `RedbStore` | native, iOS, Android | yes: ACID, crash-safe file |
//! | `IndexedDbStore` | browser (`wasm32`) | yes: the page's IndexedDB |
//!
//! Guarantees, on every backend:
//! - a batch ([`KvStore::apply`]) commits all or nothing, and readers never
//!   see half of it; compare-and-swap and increment are atomic;
//! - a namespace and a key are stored as a pair, never joined into one
//!   string, so no key can reach another namespace;
//! - each namespace has a [`Quota`] (keys, bytes, value size), checked
//!   against a usage record updated in the same transaction as the data;
//! - each request's work is bounded: [`MAX_KEY_BYTES`], [`MAX_BATCH_OPS`],
//!   [`MAX_GET_KEYS`], [`MAX_PAGE`] and the value quota.
//!
//! ```
//! # futures::executor::block_on(async {
//! use serde_json::json;
//! use wasmi_hdk::{Plugin, store::{KvStore, MemoryStore, Namespace}};
//!
//! let store = MemoryStore::new(); // or RedbStore::open("state.redb")?
//! let plugin = Plugin::builder()
//!     .with_name("counter")
//!     .with_store(store.clone())
//!     .build(test_plugin_artifacts::TEST_PLUGIN)?;
//! // The test plugin's `call_host` calls the host method it is given.
//! let visit = json!({"method": "store.increment", "params": ["visits"]});
//! assert_eq!(plugin.call::<i64>("call_host", visit).await?, 1);
//!
//! // The embedder reads and writes the plugin's namespace directly.
//! let ns = Namespace::plugin("counter")?;
//! assert_eq!(store.get(&ns, "visits").await?, Some(json!(1)));
//! store.set(&ns, "visits", json!(41)).await?;
//! let visit = json!({"method": "store.increment", "params": ["visits"]});
//! assert_eq!(plugin.call::<i64>("call_host", visit).await?, 42);
//! # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
//! ```
//!
//! The [`KvStore`] trait on its own:
//!
//! ```
//! # futures::executor::block_on(async {
//! use serde_json::json;
//! use wasmi_hdk::store::{KvStore, ListQuery, MemoryStore, Namespace, Op, BatchOutcome};
//!
//! let store = MemoryStore::new();
//! let ns = Namespace::new("room/7")?;
//! let outcome = store
//!     .apply(&ns, vec![
//!         Op::Set { key: "user/ann".into(), value: json!({"score": 3}) },
//!         Op::Set { key: "user/bob".into(), value: json!({"score": 5}) },
//!         Op::Increment { key: "players".into(), delta: 2 },
//!     ])
//!     .await?;
//! assert!(matches!(outcome, BatchOutcome::Committed(_)));
//! let page = store.list(&ns, ListQuery::new().with_prefix("user/")).await?;
//! assert_eq!(page.keys, ["user/ann", "user/bob"]);
//! # Ok::<(), wasmi_hdk::store::StoreError>(()) }).unwrap();
//! ```

mod check;
mod error;
#[cfg(target_arch = "wasm32")]
mod idb_request;
#[cfg(target_arch = "wasm32")]
mod indexeddb;
mod kv_store;
mod memory;
mod namespace;
mod op;
mod params;
mod plan;
mod quota;
#[cfg(not(target_arch = "wasm32"))]
mod redb_store;
#[cfg(not(target_arch = "wasm32"))]
mod redb_writer;
mod rpc_error;
mod shared;
mod store_host;
mod with_store;

#[cfg(test)]
mod tests;

#[cfg(target_arch = "wasm32")]
pub use self::indexeddb::IndexedDbStore;
#[cfg(not(target_arch = "wasm32"))]
pub use self::redb_store::RedbStore;
pub(crate) use self::with_store::WithStore;
pub use self::{
    error::{Bounded, NameProblem, QuotaKind, StoreError},
    kv_store::KvStore,
    memory::MemoryStore,
    namespace::{MAX_KEY_BYTES, MAX_NAMESPACE_BYTES, Namespace},
    op::{BatchOutcome, CasOutcome, ListQuery, Op, OpResult, Page},
    quota::{DEFAULT_PAGE, MAX_BATCH_OPS, MAX_GET_KEYS, MAX_PAGE, Quota, Quotas, Usage},
    store_host::StoreHost,
};

/// The capability (a manifest's `permissions` entry) that gives a plugin of
/// a [`PluginSet`](crate::set::PluginSet) the `store.*` host methods:
/// `storage`. [`PluginSetBuilder::with_store`](crate::set::PluginSetBuilder::with_store)
/// registers it.
pub const CAPABILITY: &str = "storage";
