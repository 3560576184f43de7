//! A shared store is a store.

use std::sync::Arc;

use serde_json::Value;

use super::{BatchOutcome, KvStore, ListQuery, Namespace, Op, Page, Quotas, StoreError, Usage};
use crate::BoxFuture;

impl<S: KvStore + ?Sized> KvStore for Arc<S> {
    fn get_many(
        &self,
        namespace: &Namespace,
        keys: Vec<String>,
    ) -> BoxFuture<Result<Vec<Option<Value>>, StoreError>> {
        (**self).get_many(namespace, keys)
    }

    fn list(&self, namespace: &Namespace, query: ListQuery) -> BoxFuture<Result<Page, StoreError>> {
        (**self).list(namespace, query)
    }

    fn apply(
        &self,
        namespace: &Namespace,
        ops: Vec<Op>,
    ) -> BoxFuture<Result<BatchOutcome, StoreError>> {
        (**self).apply(namespace, ops)
    }

    fn usage(&self, namespace: &Namespace) -> BoxFuture<Result<Usage, StoreError>> {
        (**self).usage(namespace)
    }

    fn quotas(&self) -> &Quotas {
        (**self).quotas()
    }
}
