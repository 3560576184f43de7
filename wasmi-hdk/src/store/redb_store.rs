//! The file backend: a [redb] database, native and on phones.
//!
//! redb is pure Rust (no C toolchain for iOS or Android), ACID, and
//! crash-safe: a commit with the default `Durability::Immediate` is on disk
//! (checksummed, fsynced) before it returns, and a file whose writer was
//! killed mid-commit opens at the last commit.
//!
//! Layout: table `entries` maps the tuple `(namespace, key)` to the value's
//! JSON text, table `usage` maps a namespace to `(keys, bytes)`. redb
//! encodes a tuple with the length of its first element in front, and
//! compares element by element, so a namespace and a key never run into
//! each other.
//!
//! Executors: redb is synchronous. Reads run inline in the future's first
//! poll: one MVCC snapshot, at most [`MAX_GET_KEYS`](super::MAX_GET_KEYS)
//! lookups or [`MAX_PAGE`](super::MAX_PAGE) keys of one B-tree range, and
//! they never wait for a writer. Writes (whose commit waits for `fsync`)
//! never run on the executor: they go to one writer thread per store, which
//! also commits writes that queue up behind each other in one transaction
//! (group commit), each batch still all-or-nothing and answered only after
//! the commit is durable.

use std::{path::Path, sync::Arc};

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use serde_json::Value;

use super::{
    BatchOutcome, KvStore, ListQuery, Namespace, Op, Page, Quotas, StoreError, Usage, check, plan,
    redb_writer::Writer,
};
use crate::BoxFuture;

/// `(namespace, key)` → the value's JSON text.
pub(super) const ENTRIES: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("entries");
/// namespace → `(keys, bytes)`.
pub(super) const USAGE: TableDefinition<&str, (u64, u64)> = TableDefinition::new("usage");

/// A [`KvStore`] in a redb file. Cloning it shares the open database.
///
/// One process may have a file open at a time (redb locks it); open it once
/// and share the store. The file is closed when the last clone is dropped.
///
/// ```
/// # futures::executor::block_on(async {
/// use serde_json::json;
/// use wasmi_hdk::store::{KvStore, Namespace, RedbStore};
///
/// let dir = tempfile::tempdir().unwrap();
/// let ns = Namespace::plugin("demo")?;
/// {
///     let store = RedbStore::open(dir.path().join("state.redb"))?;
///     store.set(&ns, "k", json!([1, 2])).await?;
/// }
/// let store = RedbStore::open(dir.path().join("state.redb"))?;
/// assert_eq!(store.get(&ns, "k").await?, Some(json!([1, 2])));
/// # Ok::<(), wasmi_hdk::store::StoreError>(()) }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct RedbStore {
    shared: Arc<Shared>,
    quotas: Quotas,
}

#[derive(Debug)]
struct Shared {
    // Dropped first: stops and joins the writer thread, which holds the
    // other reference to the database.
    writer: Writer,
    db: Arc<Database>,
}

impl RedbStore {
    /// Opens the store at `path`, creating the file if it does not exist.
    /// A file left by a crash is repaired to its last commit.
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`]: the file cannot be opened or created, is
    /// not a redb database, or is open elsewhere.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let db =
            Database::create(path).map_err(|e| StoreError::backend("opening the database", e))?;
        create_tables(&db).map_err(|e| StoreError::backend("creating the tables", e))?;
        let db = Arc::new(db);
        let writer = Writer::spawn(db.clone())
            .map_err(|e| StoreError::backend("starting the writer thread", e))?;
        Ok(Self {
            shared: Arc::new(Shared { writer, db }),
            quotas: Quotas::default(),
        })
    }

    /// Enforces `quotas` instead of the default [`Quota`](super::Quota).
    #[must_use]
    pub fn with_quotas(mut self, quotas: Quotas) -> Self {
        self.quotas = quotas;
        self
    }

    /// Every namespace that holds at least one key, with its usage, in byte
    /// order of the names: what an embedder or a tool (`wasmi-host store
    /// ls`) looks through. Read from one snapshot.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// use serde_json::json;
    /// use wasmi_hdk::store::{KvStore, Namespace, RedbStore, Usage};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let store = RedbStore::open(dir.path().join("state.redb"))?;
    /// store.set(&Namespace::plugin("b")?, "k", json!(1)).await?;
    /// store.set(&Namespace::plugin("a")?, "k", json!(1)).await?;
    /// let names: Vec<String> = store.namespaces()?.into_iter().map(|(ns, _)| ns.to_string()).collect();
    /// assert_eq!(names, ["plugin:a", "plugin:b"]);
    /// # Ok::<(), wasmi_hdk::store::StoreError>(()) }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`].
    pub fn namespaces(&self) -> Result<Vec<(Namespace, Usage)>, StoreError> {
        let failed = |e: redb::Error| StoreError::backend("listing namespaces", e);
        let tx = self.shared.db.begin_read().map_err(|e| failed(e.into()))?;
        let table = tx.open_table(USAGE).map_err(|e| failed(e.into()))?;
        let mut namespaces = Vec::new();
        for entry in table.iter().map_err(|e| failed(e.into()))? {
            let (name, usage) = entry.map_err(|e| failed(e.into()))?;
            let (keys, bytes) = usage.value();
            namespaces.push((Namespace::new(name.value())?, Usage { keys, bytes }));
        }
        Ok(namespaces)
    }

    fn read(
        &self,
        namespace: &Namespace,
        keys: &[String],
    ) -> Result<Vec<Option<Value>>, StoreError> {
        check::keys(keys)?;
        let failed = |e: redb::Error| StoreError::backend("reading", e);
        let tx = self.shared.db.begin_read().map_err(|e| failed(e.into()))?;
        let table = tx.open_table(ENTRIES).map_err(|e| failed(e.into()))?;
        keys.iter()
            .map(|key| {
                let found = table
                    .get((namespace.as_str(), key.as_str()))
                    .map_err(|e| failed(e.into()))?;
                found.map(|value| check::decode(value.value())).transpose()
            })
            .collect()
    }

    fn page(&self, namespace: &Namespace, query: &ListQuery) -> Result<Page, StoreError> {
        use core::ops::Bound;

        check::list(query)?;
        let failed = |e: redb::Error| StoreError::backend("listing", e);
        let tx = self.shared.db.begin_read().map_err(|e| failed(e.into()))?;
        let table = tx.open_table(ENTRIES).map_err(|e| failed(e.into()))?;
        let ns = namespace.as_str();
        let start = match query.cursor() {
            Some(cursor) => Bound::Excluded((ns, cursor)),
            None => Bound::Included((ns, query.prefix())),
        };
        let range = table
            .range((start, Bound::Unbounded))
            .map_err(|e| failed(e.into()))?;
        let mut keys = Vec::new();
        for entry in range {
            let (key, _) = entry.map_err(|e| failed(e.into()))?;
            let (key_ns, key) = key.value();
            if key_ns != ns || !key.starts_with(query.prefix()) || keys.len() > query.limit() {
                break;
            }
            keys.push(key.to_owned());
        }
        let cursor = if keys.len() > query.limit() {
            keys.truncate(query.limit());
            keys.last().cloned()
        } else {
            None
        };
        Ok(Page { keys, cursor })
    }

    fn read_usage(&self, namespace: &Namespace) -> Result<Usage, StoreError> {
        let failed = |e: redb::Error| StoreError::backend("reading usage", e);
        let tx = self.shared.db.begin_read().map_err(|e| failed(e.into()))?;
        let table = tx.open_table(USAGE).map_err(|e| failed(e.into()))?;
        let usage = table
            .get(namespace.as_str())
            .map_err(|e| failed(e.into()))?
            .map(|guard| {
                let (keys, bytes) = guard.value();
                Usage { keys, bytes }
            });
        Ok(usage.unwrap_or_default())
    }
}

/// Creates the tables if the file is new, so readers always find them.
fn create_tables(db: &Database) -> Result<(), redb::Error> {
    let tx = db.begin_write()?;
    tx.open_table(ENTRIES)?;
    tx.open_table(USAGE)?;
    tx.commit()?;
    Ok(())
}

impl KvStore for RedbStore {
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
        let quota = self.quotas.get(namespace);
        let submitted = plan::prepare(ops, &quota).and_then(|prepared| {
            self.shared
                .writer
                .submit(namespace.clone(), prepared, quota)
        });
        Box::pin(async move { submitted?.await })
    }

    fn usage(&self, namespace: &Namespace) -> BoxFuture<Result<Usage, StoreError>> {
        Box::pin(core::future::ready(self.read_usage(namespace)))
    }

    fn quotas(&self) -> &Quotas {
        &self.quotas
    }
}
