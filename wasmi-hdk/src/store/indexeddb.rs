//! The browser backend: the page's IndexedDB.
//!
//! Object store `entries` maps the array key `[namespace, key]` to the
//! value's JSON text; `usage` maps a namespace to `[keys, bytes]`. Array
//! keys compare element by element, so a key never reaches another
//! namespace. Each operation is one IndexedDB transaction (see
//! `idb_request.rs`); writes ask for `strict` durability.
//!
//! IndexedDB compares strings by UTF-16 code units, so listings come in that
//! order (the same as byte order except around U+E000..U+FFFF versus
//! characters beyond U+FFFF); a cursor is only meaningful on the backend
//! that produced it.

use core::fmt;
use std::{cell::RefCell, collections::BTreeMap, rc::Rc};

use futures::channel::oneshot;
use js_sys::{Array, Reflect};
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{IdbDatabase, IdbFactory, IdbKeyRange, IdbOpenDbRequest, IdbTransactionMode};

use super::{
    BatchOutcome, KvStore, ListQuery, Namespace, Op, Page, Quotas, StoreError, Usage, check,
    idb_request::{ENTRIES, Handlers, Transaction, USAGE, describe, entry_key, failure, js},
    plan::{self, Stored},
};
use crate::BoxFuture;

/// The schema version of the database.
const VERSION: u32 = 1;

/// A [`KvStore`] in the page's (or worker's) IndexedDB; `wasm32` only.
/// Cloning it shares the open database.
#[derive(Clone)]
pub struct IndexedDbStore {
    db: IdbDatabase,
    quotas: Quotas,
}

impl fmt::Debug for IndexedDbStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IndexedDbStore")
            .field("name", &self.db.name())
            .field("quotas", &self.quotas)
            .finish()
    }
}

impl IndexedDbStore {
    /// Opens (creating if needed) the IndexedDB database `name`.
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`]: no IndexedDB here (some private modes), or
    /// the browser refused to open it.
    pub async fn open(name: &str) -> Result<Self, StoreError> {
        let global = js_sys::global();
        let factory: IdbFactory = Reflect::get(&global, &"indexedDB".into())
            .ok()
            .and_then(|f| f.dyn_into().ok())
            .ok_or_else(|| failure("opening the database", "IndexedDB is not available"))?;
        let request = factory
            .open_with_u32(name, VERSION)
            .map_err(js("opening the database"))?;
        let (done, opened) = oneshot::channel::<Result<(), StoreError>>();
        let done = Rc::new(RefCell::new(Some(done)));
        let send = move |done: &Rc<RefCell<Option<oneshot::Sender<_>>>>, result| {
            if let Some(done) = done.borrow_mut().take() {
                let _ = done.send(result);
            }
        };
        let mut handlers = Handlers::default();
        let upgrading = request.clone();
        handlers.once(&request, "onupgradeneeded", move || {
            create_stores(&upgrading)
        });
        let finished = done.clone();
        handlers.once(&request, "onsuccess", move || send(&finished, Ok(())));
        let failed = request.clone();
        handlers.once(&request, "onerror", move || {
            let cause = failed
                .error()
                .ok()
                .flatten()
                .map_or_else(|| "the open request failed".to_owned(), |e| describe(&e));
            send(&done, Err(failure("opening the database", &cause)));
        });
        opened
            .await
            .map_err(|_| failure("opening the database", "the open request was dropped"))??;
        drop(handlers);
        let db = request
            .result()
            .map_err(js("opening the database"))?
            .unchecked_into::<IdbDatabase>();
        Ok(Self {
            db,
            quotas: Quotas::default(),
        })
    }

    /// Enforces `quotas` instead of the default [`Quota`](super::Quota).
    #[must_use]
    pub fn with_quotas(mut self, quotas: Quotas) -> Self {
        self.quotas = quotas;
        self
    }
}

/// Creates the object stores of a new database (`upgradeneeded`).
fn create_stores(request: &IdbOpenDbRequest) {
    let Ok(db) = request.result() else { return };
    let db: IdbDatabase = db.unchecked_into();
    for name in [ENTRIES, USAGE] {
        if !db.object_store_names().contains(name) {
            // A failure here aborts the upgrade, and the open fails.
            let _ = db.create_object_store(name);
        }
    }
}

/// A stored value from a request's result: `undefined` if absent.
fn stored(result: &JsValue) -> Option<Stored> {
    result.as_string().map(String::into_bytes)
}

fn usage_of(result: &JsValue) -> Usage {
    let field = |i| {
        Reflect::get_u32(result, i)
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0) as u64
    };
    if result.is_undefined() {
        Usage::default()
    } else {
        Usage {
            keys: field(0),
            bytes: field(1),
        }
    }
}

async fn get_many(
    db: IdbDatabase,
    ns: Namespace,
    keys: Vec<String>,
) -> Result<Vec<Option<Value>>, StoreError> {
    check::keys(&keys)?;
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let mut tx = Transaction::<Vec<Option<Stored>>>::begin(&db, IdbTransactionMode::Readonly)?;
    let entries = tx.tx.object_store(ENTRIES).map_err(js("reading"))?;
    let requests = keys
        .iter()
        .map(|key| entries.get(&entry_key(ns.as_str(), key)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(js("reading"))?;
    let last = requests.last().cloned().expect("at least one key");
    let outcome = tx.outcome.clone();
    tx.on_success(&last, move || {
        let values = requests
            .iter()
            .map(|request| request.result().map(|r| stored(&r)).map_err(js("reading")))
            .collect();
        *outcome.borrow_mut() = Some(values);
    });
    tx.finish()
        .await?
        .iter()
        .map(|value| value.as_deref().map(check::decode).transpose())
        .collect()
}

async fn list(db: IdbDatabase, ns: Namespace, query: ListQuery) -> Result<Page, StoreError> {
    check::list(&query)?;
    let mut tx = Transaction::<Vec<String>>::begin(&db, IdbTransactionMode::Readonly)?;
    let entries = tx.tx.object_store(ENTRIES).map_err(js("listing"))?;
    // Arrays sort after strings: `[ns, []]` is past every key of `ns`.
    let upper: JsValue = Array::of2(&JsValue::from_str(ns.as_str()), &Array::new()).into();
    let range = match query.cursor() {
        Some(cursor) => {
            IdbKeyRange::bound_with_lower_open(&entry_key(ns.as_str(), cursor), &upper, true)
        }
        None => IdbKeyRange::bound(&entry_key(ns.as_str(), query.prefix()), &upper),
    }
    .map_err(js("listing"))?;
    let count = u32::try_from(query.limit() + 1).unwrap_or(u32::MAX);
    let request = entries
        .get_all_keys_with_key_and_limit(&range, count)
        .map_err(js("listing"))?;
    let (outcome, result) = (tx.outcome.clone(), request.clone());
    let prefix = query.prefix().to_owned();
    tx.on_success(&request, move || {
        let keys = result.result().map_err(js("listing")).map(|found| {
            Array::from(&found)
                .iter()
                .filter_map(|pair| Reflect::get_u32(&pair, 1).ok()?.as_string())
                .take_while(|key| key.starts_with(&prefix))
                .collect()
        });
        *outcome.borrow_mut() = Some(keys);
    });
    let mut keys = tx.finish().await?;
    let cursor = if keys.len() > query.limit() {
        keys.truncate(query.limit());
        keys.last().cloned()
    } else {
        None
    };
    Ok(Page { keys, cursor })
}

async fn usage(db: IdbDatabase, ns: Namespace) -> Result<Usage, StoreError> {
    let mut tx = Transaction::<Usage>::begin(&db, IdbTransactionMode::Readonly)?;
    let store = tx.tx.object_store(USAGE).map_err(js("reading usage"))?;
    let request = store
        .get(&JsValue::from_str(ns.as_str()))
        .map_err(js("reading usage"))?;
    let (outcome, result) = (tx.outcome.clone(), request.clone());
    tx.on_success(&request, move || {
        let usage = result
            .result()
            .map(|r| usage_of(&r))
            .map_err(js("reading usage"));
        *outcome.borrow_mut() = Some(usage);
    });
    tx.finish().await
}

async fn apply(
    db: IdbDatabase,
    ns: Namespace,
    ops: Vec<Op>,
    quotas: Quotas,
) -> Result<BatchOutcome, StoreError> {
    let quota = quotas.get(&ns);
    let prepared = plan::prepare(ops, &quota)?;
    let mut tx = Transaction::<BatchOutcome>::begin(&db, IdbTransactionMode::Readwrite)?;
    let entries = tx.tx.object_store(ENTRIES).map_err(js("writing"))?;
    let usage_store = tx.tx.object_store(USAGE).map_err(js("writing"))?;
    let reads = prepared
        .keys()
        .iter()
        .map(|key| Ok((key.clone(), entries.get(&entry_key(ns.as_str(), key))?)))
        .collect::<Result<Vec<_>, JsValue>>()
        .map_err(js("writing"))?;
    let ns_key = JsValue::from_str(ns.as_str());
    // Requests succeed in order: when this one does, all the reads have.
    let usage_read = usage_store.get(&ns_key).map_err(js("writing"))?;
    let (outcome, transaction, usage_result) =
        (tx.outcome.clone(), tx.tx.clone(), usage_read.clone());
    tx.on_success(&usage_read, move || {
        let planned = (|| {
            let mut current = BTreeMap::new();
            for (key, request) in &reads {
                let value = request.result().map_err(js("writing"))?;
                current.insert(key.clone(), stored(&value));
            }
            let before = usage_of(&usage_result.result().map_err(js("writing"))?);
            let plan = prepared.plan(current, before, &quota)?;
            let write = |written: Result<_, JsValue>| written.map(drop).map_err(js("writing"));
            for (key, value) in &plan.writes {
                let at = entry_key(ns.as_str(), key);
                match value {
                    Some(bytes) => {
                        let text = core::str::from_utf8(bytes)
                            .map_err(|e| StoreError::backend("writing", e))?;
                        write(entries.put_with_key(&JsValue::from_str(text), &at))?;
                    }
                    None => write(entries.delete(&at))?,
                }
            }
            if plan.usage == Usage::default() {
                write(usage_store.delete(&ns_key))?;
            } else {
                let record = Array::of2(
                    &(plan.usage.keys as f64).into(),
                    &(plan.usage.bytes as f64).into(),
                );
                write(usage_store.put_with_key(&record, &ns_key))?;
            }
            Ok(plan.outcome)
        })();
        if planned.is_err() {
            // Nothing of the batch may land: abort what was issued.
            let _ = transaction.abort();
        }
        *outcome.borrow_mut() = Some(planned);
    });
    tx.finish().await
}

impl KvStore for IndexedDbStore {
    fn get_many(
        &self,
        namespace: &Namespace,
        keys: Vec<String>,
    ) -> BoxFuture<Result<Vec<Option<Value>>, StoreError>> {
        Box::pin(get_many(self.db.clone(), namespace.clone(), keys))
    }

    fn list(&self, namespace: &Namespace, query: ListQuery) -> BoxFuture<Result<Page, StoreError>> {
        Box::pin(list(self.db.clone(), namespace.clone(), query))
    }

    fn apply(
        &self,
        namespace: &Namespace,
        ops: Vec<Op>,
    ) -> BoxFuture<Result<BatchOutcome, StoreError>> {
        Box::pin(apply(
            self.db.clone(),
            namespace.clone(),
            ops,
            self.quotas.clone(),
        ))
    }

    fn usage(&self, namespace: &Namespace) -> BoxFuture<Result<Usage, StoreError>> {
        Box::pin(usage(self.db.clone(), namespace.clone()))
    }

    fn quotas(&self) -> &Quotas {
        &self.quotas
    }
}
