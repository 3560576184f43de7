//! The in-memory backend: for tests, and for embedders who want nothing on
//! disk. Everything is lost when the store is dropped.

use std::{
    collections::{BTreeMap, HashMap},
    ops::Bound,
    sync::{Arc, Mutex, MutexGuard},
};

use serde_json::Value;

use super::{
    BatchOutcome, KvStore, ListQuery, Namespace, Op, Page, Quotas, StoreError, Usage, check,
    plan::{self, Stored},
};
use crate::BoxFuture;

/// A [`KvStore`] in memory. Cloning it shares the data.
///
/// Each operation holds one lock for the few microseconds it takes, so
/// batches are atomic and reads see no half-applied batch.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    spaces: Arc<Mutex<HashMap<Namespace, Space>>>,
    quotas: Quotas,
}

/// One namespace: its entries (keys in byte order) and usage.
#[derive(Debug, Default)]
struct Space {
    entries: BTreeMap<String, Arc<Stored>>,
    usage: Usage,
}

impl MemoryStore {
    /// An empty store with the default [`Quota`](super::Quota) everywhere.
    pub fn new() -> Self {
        Self::default()
    }

    /// Enforces `quotas` instead.
    #[must_use]
    pub fn with_quotas(mut self, quotas: Quotas) -> Self {
        self.quotas = quotas;
        self
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Namespace, Space>> {
        // A panic while holding the lock cannot leave a half-applied batch:
        // writes happen after the plan, which is where anything can fail.
        self.spaces
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn read(
        &self,
        namespace: &Namespace,
        keys: &[String],
    ) -> Result<Vec<Option<Value>>, StoreError> {
        check::keys(keys)?;
        let spaces = self.lock();
        let space = spaces.get(namespace);
        keys.iter()
            .map(|key| {
                space
                    .and_then(|s| s.entries.get(key))
                    .map(|bytes| check::decode(bytes))
                    .transpose()
            })
            .collect()
    }

    fn page(&self, namespace: &Namespace, query: &ListQuery) -> Result<Page, StoreError> {
        check::list(query)?;
        let spaces = self.lock();
        let Some(space) = spaces.get(namespace) else {
            return Ok(Page::default());
        };
        let start = match query.cursor() {
            Some(cursor) => Bound::Excluded(cursor),
            None => Bound::Included(query.prefix()),
        };
        let mut keys: Vec<String> = space
            .entries
            .range::<str, _>((start, Bound::Unbounded))
            .map(|(key, _)| key)
            .take_while(|key| key.starts_with(query.prefix()))
            .take(query.limit().saturating_add(1))
            .cloned()
            .collect();
        let cursor = if keys.len() > query.limit() {
            keys.truncate(query.limit());
            keys.last().cloned()
        } else {
            None
        };
        Ok(Page { keys, cursor })
    }

    fn write(&self, namespace: &Namespace, ops: Vec<Op>) -> Result<BatchOutcome, StoreError> {
        let quota = self.quotas.get(namespace);
        let prepared = plan::prepare(ops, &quota)?;
        let mut spaces = self.lock();
        let space = spaces.entry(namespace.clone()).or_default();
        let current = prepared
            .keys()
            .iter()
            .map(|key| (key.clone(), space.entries.get(key).map(|v| v.to_vec())))
            .collect();
        let plan = prepared.plan(current, space.usage, &quota)?;
        for (key, value) in plan.writes {
            match value {
                Some(bytes) => space.entries.insert(key, Arc::new(bytes)),
                None => space.entries.remove(&key),
            };
        }
        space.usage = plan.usage;
        Ok(plan.outcome)
    }
}

impl KvStore for MemoryStore {
    fn get_many(
        &self,
        namespace: &Namespace,
        keys: Vec<String>,
    ) -> BoxFuture<Result<Vec<Option<Value>>, StoreError>> {
        Box::pin(core::future::ready(self.read(namespace, &keys)))
    }

    fn list(&self, namespace: &Namespace, query: ListQuery) -> BoxFuture<Result<Page, StoreError>> {
        Box::pin(core::future::ready(self.page(namespace, &query)))
    }

    fn apply(
        &self,
        namespace: &Namespace,
        ops: Vec<Op>,
    ) -> BoxFuture<Result<BatchOutcome, StoreError>> {
        Box::pin(core::future::ready(self.write(namespace, ops)))
    }

    fn usage(&self, namespace: &Namespace) -> BoxFuture<Result<Usage, StoreError>> {
        let usage = self
            .lock()
            .get(namespace)
            .map(|s| s.usage)
            .unwrap_or_default();
        Box::pin(core::future::ready(Ok(usage)))
    }

    fn quotas(&self) -> &Quotas {
        &self.quotas
    }
}
