//! IndexedDB plumbing for [`IndexedDbStore`](super::IndexedDbStore):
//! event handlers that are removed when their owner is dropped, and a
//! transaction awaited as a whole.
//!
//! Every operation is one transaction. Its requests are issued at once; the
//! last request's success handler reads all their results and, for a write,
//! plans and issues the writes right there, while the transaction is still
//! active, without waiting for the executor. So the transaction never
//! commits early, whatever executor polls the future, and the future only
//! resolves when the transaction has completed (or aborted).

use core::fmt;
use std::{cell::RefCell, rc::Rc};

use futures::channel::oneshot;
use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use web_sys::{DomException, IdbDatabase, IdbRequest, IdbTransaction, IdbTransactionMode};

use super::StoreError;

/// The object stores: `(namespace, key)` → JSON text; namespace → `[keys, bytes]`.
pub(super) const ENTRIES: &str = "entries";
pub(super) const USAGE: &str = "usage";

/// A JavaScript error, as text (JavaScript values cannot cross threads).
#[derive(Debug)]
pub(super) struct JsFailure(String);

impl fmt::Display for JsFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for JsFailure {}

/// The text of a JavaScript error value.
pub(super) fn describe(error: &JsValue) -> String {
    if let Some(exception) = error.dyn_ref::<DomException>() {
        format!("{}: {}", exception.name(), exception.message())
    } else if let Some(text) = error.as_string() {
        text
    } else {
        format!("{error:?}")
    }
}

/// Maps a JavaScript error to a backend failure while doing `context`.
pub(super) fn js(context: &'static str) -> impl Fn(JsValue) -> StoreError {
    move |error| StoreError::backend(context, JsFailure(describe(&error)))
}

/// A backend failure with a message of ours.
pub(super) fn failure(context: &'static str, message: &str) -> StoreError {
    StoreError::backend(context, JsFailure(message.to_owned()))
}

/// Event handlers set on IndexedDB objects: alive while they may fire,
/// removed (so nothing calls a dropped closure) when this is dropped.
#[derive(Default)]
pub(super) struct Handlers {
    set: Vec<(JsValue, &'static str)>,
    closures: Vec<Closure<dyn FnMut()>>,
}

impl Handlers {
    /// Sets `target.on{event}` to `handler`.
    pub(super) fn on(
        &mut self,
        target: &JsValue,
        property: &'static str,
        handler: impl FnMut() + 'static,
    ) {
        let closure = Closure::<dyn FnMut()>::new(handler);
        // Setting an event handler property of an IDB object cannot fail.
        let _ = Reflect::set(target, &JsValue::from_str(property), closure.as_ref());
        self.set.push((target.clone(), property));
        self.closures.push(closure);
    }

    /// Sets `target.on{event}` to a handler that runs `handler` once.
    pub(super) fn once(
        &mut self,
        target: &JsValue,
        property: &'static str,
        handler: impl FnOnce() + 'static,
    ) {
        let mut handler = Some(handler);
        self.on(target, property, move || {
            if let Some(handler) = handler.take() {
                handler();
            }
        });
    }
}

impl Drop for Handlers {
    fn drop(&mut self) {
        for (target, property) in &self.set {
            let _ = Reflect::set(target, &JsValue::from_str(property), &JsValue::NULL);
        }
    }
}

/// What a transaction's handlers leave for its future.
pub(super) type Outcome<T> = Rc<RefCell<Option<Result<T, StoreError>>>>;

/// A transaction over both object stores, awaited as a whole.
pub(super) struct Transaction<T> {
    pub(super) tx: IdbTransaction,
    pub(super) outcome: Outcome<T>,
    handlers: Handlers,
    ended: oneshot::Receiver<()>,
}

impl<T: 'static> Transaction<T> {
    /// Begins a transaction; a read-write one asks for `strict` durability
    /// (on disk before `complete`), where the browser knows the option.
    pub(super) fn begin(db: &IdbDatabase, mode: IdbTransactionMode) -> Result<Self, StoreError> {
        let tx = open_transaction(db, mode).map_err(js("beginning a transaction"))?;
        let outcome: Outcome<T> = Rc::default();
        let (end, ended) = oneshot::channel();
        let end = Rc::new(RefCell::new(Some(end)));
        let mut handlers = Handlers::default();
        let finish = {
            let end = end.clone();
            move || {
                if let Some(end) = end.borrow_mut().take() {
                    let _ = end.send(());
                }
            }
        };
        handlers.once(&tx, "oncomplete", finish.clone());
        let (aborted, failed) = (tx.clone(), outcome.clone());
        handlers.once(&tx, "onabort", move || {
            // Keep a refusal of ours (we aborted); anything else failed.
            if !matches!(*failed.borrow(), Some(Err(_))) {
                let cause = aborted.error().map_or_else(
                    || "the transaction was aborted".to_owned(),
                    |e| describe(&e),
                );
                *failed.borrow_mut() = Some(Err(failure("committing", &cause)));
            }
            finish();
        });
        Ok(Self {
            tx,
            outcome,
            handlers,
            ended,
        })
    }

    /// Runs `then` in `request`'s success event, while the transaction is
    /// active. A failed request aborts the transaction.
    pub(super) fn on_success(&mut self, request: &IdbRequest, then: impl FnOnce() + 'static) {
        self.handlers.once(request, "onsuccess", then);
    }

    /// Waits for the transaction to end; what its handlers left.
    pub(super) async fn finish(mut self) -> Result<T, StoreError> {
        let _ = (&mut self.ended).await;
        let outcome = self.outcome.borrow_mut().take();
        outcome.unwrap_or_else(|| {
            Err(failure(
                "reading",
                "the transaction ended without an answer",
            ))
        })
    }
}

fn open_transaction(db: &IdbDatabase, mode: IdbTransactionMode) -> Result<IdbTransaction, JsValue> {
    let names = Array::of2(&JsValue::from_str(ENTRIES), &JsValue::from_str(USAGE));
    if mode != IdbTransactionMode::Readwrite {
        return db.transaction_with_str_sequence_and_mode(&names, mode);
    }
    // `transaction(names, mode, {durability})`: web-sys has it only as an
    // unstable API, so call it by name. Browsers without it ignore it.
    let options = Object::new();
    Reflect::set(&options, &"durability".into(), &"strict".into())?;
    let transaction: Function = Reflect::get(db, &"transaction".into())?.dyn_into()?;
    transaction
        .call3(db, &names, &"readwrite".into(), &options)?
        .dyn_into()
}

/// The IndexedDB key of `(namespace, key)`: a two-element array.
pub(super) fn entry_key(namespace: &str, key: &str) -> JsValue {
    Array::of2(&JsValue::from_str(namespace), &JsValue::from_str(key)).into()
}
