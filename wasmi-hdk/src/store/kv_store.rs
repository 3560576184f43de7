//! The backend trait: an async, atomic key-value store over namespaces.

use core::fmt;

use serde_json::Value;

use super::{
    BatchOutcome, CasOutcome, ListQuery, Namespace, Op, OpResult, Page, Quotas, StoreError, Usage,
};
use crate::{BoxFuture, MaybeSend, MaybeSync};

/// A key-value store of JSON values, one key space per [`Namespace`].
///
/// Every write goes through [`apply`](Self::apply): a batch that commits
/// all or nothing, with the namespace's [`Usage`] updated in the same
/// transaction and its [`Quota`](super::Quota) enforced. Reads see a
/// consistent snapshot: never half a batch. The convenience methods
/// (`get`, `set`, `delete`, `compare_and_swap`, `increment`) are one-key
/// reads and batches.
///
/// Futures are `Send` natively and need not be on `wasm32` ([`MaybeSend`]).
/// Dropping a write's future may or may not stop the write; it never
/// applies half of it.
///
/// The kit's backends are [`MemoryStore`](super::MemoryStore),
/// `RedbStore` (not on `wasm32`) and `IndexedDbStore`
/// (only on `wasm32`).
///
/// ```
/// # futures::executor::block_on(async {
/// use serde_json::json;
/// use wasmi_hdk::store::{KvStore, MemoryStore, Namespace};
///
/// let store = MemoryStore::new();
/// let ns = Namespace::plugin("counter")?;
/// store.set(&ns, "greeting", json!({"hello": "world"})).await?;
/// assert_eq!(store.get(&ns, "greeting").await?, Some(json!({"hello": "world"})));
/// assert_eq!(store.increment(&ns, "visits", 1).await?, 1);
/// assert_eq!(store.increment(&ns, "visits", 1).await?, 2);
/// let swap = store.compare_and_swap(&ns, "visits", Some(json!(2)), Some(json!(10))).await?;
/// assert!(swap.swapped);
/// assert!(store.delete(&ns, "greeting").await?);
/// assert_eq!(store.usage(&ns).await?.keys, 1);
/// # Ok::<(), wasmi_hdk::store::StoreError>(()) }).unwrap();
/// ```
pub trait KvStore: MaybeSend + MaybeSync + fmt::Debug + 'static {
    /// The values of `keys` (`None`: absent), read from one snapshot.
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidKey`]; [`StoreError::TooMany`] past
    /// [`MAX_GET_KEYS`](super::MAX_GET_KEYS); [`StoreError::Backend`].
    fn get_many(
        &self,
        namespace: &Namespace,
        keys: Vec<String>,
    ) -> BoxFuture<Result<Vec<Option<Value>>, StoreError>>;

    /// One page of the keys that start with the query's prefix, after its
    /// cursor, in the backend's order.
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidKey`] for a bad prefix or cursor,
    /// [`StoreError::InvalidCursor`], [`StoreError::TooMany`] past
    /// [`MAX_PAGE`](super::MAX_PAGE); [`StoreError::Backend`].
    fn list(&self, namespace: &Namespace, query: ListQuery) -> BoxFuture<Result<Page, StoreError>>;

    /// Applies `ops` in order, atomically: all of them or, if one fails or
    /// a compare-and-swap does not match, none.
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidKey`], [`StoreError::NullValue`],
    /// [`StoreError::ValueTooLarge`], [`StoreError::QuotaExceeded`],
    /// [`StoreError::NotAnInteger`], [`StoreError::Overflow`],
    /// [`StoreError::TooMany`] past [`MAX_BATCH_OPS`](super::MAX_BATCH_OPS);
    /// [`StoreError::Backend`]. A mismatching compare-and-swap is not an
    /// error: it is [`BatchOutcome::Mismatch`].
    fn apply(
        &self,
        namespace: &Namespace,
        ops: Vec<Op>,
    ) -> BoxFuture<Result<BatchOutcome, StoreError>>;

    /// What `namespace` holds.
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`].
    fn usage(&self, namespace: &Namespace) -> BoxFuture<Result<Usage, StoreError>>;

    /// The quotas this store enforces.
    fn quotas(&self) -> &Quotas;

    /// The value of `key` (`None`: absent).
    ///
    /// # Errors
    ///
    /// As [`get_many`](Self::get_many).
    fn get(
        &self,
        namespace: &Namespace,
        key: &str,
    ) -> BoxFuture<Result<Option<Value>, StoreError>> {
        let read = self.get_many(namespace, vec![key.to_owned()]);
        Box::pin(async move { Ok(read.await?.pop().flatten()) })
    }

    /// Stores `value` (not `null`) under `key`.
    ///
    /// # Errors
    ///
    /// As [`apply`](Self::apply).
    fn set(
        &self,
        namespace: &Namespace,
        key: &str,
        value: Value,
    ) -> BoxFuture<Result<(), StoreError>> {
        let write = self.apply(
            namespace,
            vec![Op::Set {
                key: key.to_owned(),
                value,
            }],
        );
        Box::pin(async move { single(write.await?).map(|_| ()) })
    }

    /// Removes `key`; whether it existed.
    ///
    /// # Errors
    ///
    /// As [`apply`](Self::apply).
    fn delete(&self, namespace: &Namespace, key: &str) -> BoxFuture<Result<bool, StoreError>> {
        let write = self.apply(
            namespace,
            vec![Op::Delete {
                key: key.to_owned(),
            }],
        );
        Box::pin(async move {
            match single(write.await?)? {
                OpResult::Deleted(existed) => Ok(existed),
                other => Err(unexpected(other)),
            }
        })
    }

    /// If `key` holds `expected` (`None`: is absent), stores `new` (`None`:
    /// deletes `key`). See [`Op::CompareAndSwap`].
    ///
    /// # Errors
    ///
    /// As [`apply`](Self::apply).
    fn compare_and_swap(
        &self,
        namespace: &Namespace,
        key: &str,
        expected: Option<Value>,
        new: Option<Value>,
    ) -> BoxFuture<Result<CasOutcome, StoreError>> {
        let op = Op::CompareAndSwap {
            key: key.to_owned(),
            expected,
            new: new.clone(),
        };
        let write = self.apply(namespace, vec![op]);
        Box::pin(async move {
            match write.await? {
                BatchOutcome::Committed(_) => Ok(CasOutcome {
                    swapped: true,
                    current: new,
                }),
                BatchOutcome::Mismatch { current, .. } => Ok(CasOutcome {
                    swapped: false,
                    current,
                }),
            }
        })
    }

    /// Adds `delta` to the integer under `key` (missing: 0); the new value.
    ///
    /// # Errors
    ///
    /// As [`apply`](Self::apply); notably [`StoreError::NotAnInteger`] and
    /// [`StoreError::Overflow`].
    fn increment(
        &self,
        namespace: &Namespace,
        key: &str,
        delta: i64,
    ) -> BoxFuture<Result<i64, StoreError>> {
        let write = self.apply(
            namespace,
            vec![Op::Increment {
                key: key.to_owned(),
                delta,
            }],
        );
        Box::pin(async move {
            match single(write.await?)? {
                OpResult::Incremented(value) => Ok(value),
                other => Err(unexpected(other)),
            }
        })
    }
}

/// The result of a one-operation batch without a compare-and-swap.
fn single(outcome: BatchOutcome) -> Result<OpResult, StoreError> {
    match outcome {
        BatchOutcome::Committed(mut results) if results.len() == 1 => Ok(results.remove(0)),
        other => Err(StoreError::backend(
            "answering a one-operation batch",
            format!("unexpected outcome {other:?}"),
        )),
    }
}

fn unexpected(result: OpResult) -> StoreError {
    StoreError::backend(
        "answering an operation",
        format!("unexpected result {result:?}"),
    )
}
