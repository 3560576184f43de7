//! Durable state for plugins: a key-value store of JSON values, one
//! namespace per plugin.
//!
//! Every request runs in a fresh instance, so what a plugin keeps between
//! calls lives in the host. [`StoreHost`] answers the `store.*` host
//! methods (`store.get`, `store.set`, `store.delete`, `store.list`,
//! `store.cas`, `store.increment`, `store.batch`, …; see
//! PROTOCOL.md §11) in the calling plugin's
//! [`Namespace`]; the embedder reads and writes any namespace through the
//! [`KvStore`] trait.
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

#[cfg(test)]
mod tests;

#[cfg(target_arch = "wasm32")]
pub use self::indexeddb::IndexedDbStore;
#[cfg(not(target_arch = "wasm32"))]
pub use self::redb_store::RedbStore;
pub use self::{
    error::{Bounded, NameProblem, QuotaKind, StoreError},
    kv_store::KvStore,
    memory::MemoryStore,
    namespace::{MAX_KEY_BYTES, MAX_NAMESPACE_BYTES, Namespace},
    op::{BatchOutcome, CasOutcome, ListQuery, Op, OpResult, Page},
    quota::{DEFAULT_PAGE, MAX_BATCH_OPS, MAX_GET_KEYS, MAX_PAGE, Quota, Quotas, Usage},
    store_host::StoreHost,
};
