//! `Store`: a plugin key-value store in JavaScript: what `Plugin.load`'s
//! `store` option gives a plugin, and the embedder's access to every
//! namespace of it.

use std::sync::Arc;

use js_sys::{Function, Object, Promise};
use wasm_bindgen::{JsCast, JsValue, convert::TryFromJsValue, prelude::wasm_bindgen};
use wasm_bindgen_futures::future_to_promise;
use wasmi_hdk::{
    ErrorKind, RpcError,
    store::{IndexedDbStore, KvStore, ListQuery, MemoryStore, Namespace, StoreError},
};

use crate::{
    convert::{from_js, get, set, to_js},
    error::usage_error,
    options::{count, string},
};

/// A key-value store plugins keep their state in (PROTOCOL.md §11), a
/// namespace per plugin (`plugin:NAME`): the page's IndexedDB, so that it
/// survives a reload, or memory. Give it to plugins with `Plugin.load`'s
/// `store` option; read and write any namespace with its methods.
#[wasm_bindgen(js_name = Store)]
#[derive(Debug, Clone)]
pub struct WebStore {
    store: Arc<dyn KvStore>,
}

#[wasm_bindgen(js_class = Store)]
impl WebStore {
    /// Opens (creating if needed) the IndexedDB database `name` of this
    /// page's origin.
    ///
    /// # Errors
    ///
    /// Rejects with a `StoreError` if the browser has no IndexedDB here or
    /// refuses to open it.
    #[wasm_bindgen(js_name = indexedDb)]
    pub async fn indexed_db(name: String) -> Result<WebStore, JsValue> {
        let store = IndexedDbStore::open(&name).await.map_err(store_error)?;
        Ok(Self::from_store(store))
    }

    /// A store in memory, gone with the page.
    pub fn memory() -> WebStore {
        Self::from_store(MemoryStore::new())
    }

    /// The namespace plugin `name` keeps its state in: `plugin:NAME`.
    ///
    /// # Errors
    ///
    /// Throws a `StoreError` (-32603) for an empty name or one too long.
    #[wasm_bindgen(js_name = pluginNamespace)]
    pub fn plugin_namespace(name: String) -> Result<String, JsValue> {
        Namespace::plugin(&name)
            .map(|ns| ns.as_str().to_owned())
            .map_err(store_error)
    }

    /// Another handle on the same store (`Plugin.load` takes one).
    #[wasm_bindgen(js_name = clone)]
    pub fn share(&self) -> WebStore {
        self.clone()
    }

    /// The value of `key` in `namespace`, or `null` if it is absent.
    #[wasm_bindgen(unchecked_return_type = "Promise<any>")]
    pub fn get(&self, namespace: String, key: String) -> Promise {
        let store = self.store.clone();
        future_to_promise(async move {
            let ns = namespace_of(&namespace)?;
            let value = store.get(&ns, &key).await.map_err(store_error)?;
            Ok(value.as_ref().map_or(JsValue::NULL, to_js))
        })
    }

    /// Stores `value` (JSON, not `null`) under `key` in `namespace`,
    /// within the namespace's quota.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn set(&self, namespace: String, key: String, value: JsValue) -> Promise {
        let store = self.store.clone();
        future_to_promise(async move {
            let ns = namespace_of(&namespace)?;
            let value = from_js(&value).map_err(|e| {
                rpc_to_js(RpcError::invalid_params(format!(
                    "the value is not JSON: {e}"
                )))
            })?;
            store.set(&ns, &key, value).await.map_err(store_error)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Removes `key` from `namespace`; resolves to whether it existed.
    #[wasm_bindgen(unchecked_return_type = "Promise<boolean>")]
    pub fn delete(&self, namespace: String, key: String) -> Promise {
        let store = self.store.clone();
        future_to_promise(async move {
            let ns = namespace_of(&namespace)?;
            let existed = store.delete(&ns, &key).await.map_err(store_error)?;
            Ok(JsValue::from_bool(existed))
        })
    }

    /// One page of the keys of `namespace`: `{ keys, cursor }`, those
    /// starting with `options.prefix`, after `options.cursor`, at most
    /// `options.limit` (default 100, at most 1000). Pass `cursor` back for
    /// the next page; it is `null` at the end.
    #[wasm_bindgen(unchecked_return_type = "Promise<StorePage>")]
    pub fn list(
        &self,
        namespace: String,
        #[wasm_bindgen(unchecked_param_type = "ListOptions")] options: Option<Object>,
    ) -> Promise {
        let store = self.store.clone();
        let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
        future_to_promise(async move {
            let ns = namespace_of(&namespace)?;
            let mut query = ListQuery::new()
                .with_prefix(string(&options, "prefix")?.unwrap_or_default())
                .with_cursor(string(&options, "cursor")?);
            if let Some(limit) = count(&options, "limit")? {
                query = query.with_limit(limit);
            }
            let page = store.list(&ns, query).await.map_err(store_error)?;
            let object = Object::new();
            let keys: js_sys::Array = page.keys.iter().map(|k| JsValue::from_str(k)).collect();
            set(&object, "keys", keys);
            set(
                &object,
                "cursor",
                page.cursor.map_or(JsValue::NULL, |c| JsValue::from_str(&c)),
            );
            Ok(object.into())
        })
    }

    /// Adds `delta` (default 1) to the integer under `key` in `namespace`
    /// (missing: 0); resolves to the new value.
    #[wasm_bindgen(unchecked_return_type = "Promise<number>")]
    pub fn increment(&self, namespace: String, key: String, delta: Option<f64>) -> Promise {
        let store = self.store.clone();
        future_to_promise(async move {
            let ns = namespace_of(&namespace)?;
            let delta = match delta {
                None => 1,
                Some(d) if d.fract() == 0.0 && d.abs() <= 2f64.powi(53) => d as i64,
                Some(d) => {
                    return Err(usage_error(
                        ErrorKind::InvalidParams,
                        &format!("delta {d} is not a whole number"),
                    ));
                }
            };
            let value = store
                .increment(&ns, &key, delta)
                .await
                .map_err(store_error)?;
            // Exact up to 2^53, as every JavaScript number.
            Ok(JsValue::from_f64(value as f64))
        })
    }

    /// What `namespace` holds: `{ keys, bytes }`.
    #[wasm_bindgen(unchecked_return_type = "Promise<StoreUsage>")]
    pub fn usage(&self, namespace: String) -> Promise {
        let store = self.store.clone();
        future_to_promise(async move {
            let ns = namespace_of(&namespace)?;
            let usage = store.usage(&ns).await.map_err(store_error)?;
            let object = Object::new();
            set(&object, "keys", usage.keys as f64);
            set(&object, "bytes", usage.bytes as f64);
            Ok(object.into())
        })
    }
}

impl WebStore {
    fn from_store(store: impl KvStore) -> Self {
        Self {
            store: Arc::new(store),
        }
    }

    /// The store behind this JavaScript object.
    pub fn store(&self) -> &Arc<dyn KvStore> {
        &self.store
    }

    /// The store of `Plugin.load`'s `store` option: a `Store`, or
    /// `{ indexedDb: "name" }` (opened here), or `{ memory: true }`.
    ///
    /// # Errors
    ///
    /// `invalid_options` for anything else; a `StoreError` if the database
    /// cannot be opened.
    pub(crate) async fn from_option(option: &JsValue) -> Result<Self, JsValue> {
        if let Some(name) = get(option, "indexedDb") {
            let name = name.as_string().ok_or_else(|| {
                usage_error(
                    ErrorKind::InvalidOptions,
                    "option `store.indexedDb` must be a string: the database's name",
                )
            })?;
            return Self::indexed_db(name).await;
        }
        if get(option, "memory").is_some_and(|m| m.as_bool() == Some(true)) {
            return Ok(Self::memory());
        }
        // A `Store`: taken through a fresh handle, so the caller's stays valid.
        if let Some(clone) = get(option, "clone").and_then(|f| f.dyn_into::<Function>().ok())
            && let Ok(handle) = clone.call0(option)
            && let Some(store) = WebStore::try_from_js_value_ref(&handle)
        {
            return Ok(store);
        }
        Err(usage_error(
            ErrorKind::InvalidOptions,
            "option `store` must be a Store, { indexedDb: \"name\" } or { memory: true }",
        ))
    }
}

/// A namespace name from JavaScript.
fn namespace_of(name: &str) -> Result<Namespace, JsValue> {
    Namespace::new(name).map_err(store_error)
}

/// A store failure as a JavaScript `Error` named `StoreError`, with the
/// JSON-RPC `code` (and `data`) a plugin gets for it (PROTOCOL.md §11):
/// -32602 bad input, -32004 a quota, -32005 not an integer, -32603 the
/// storage failed.
pub(crate) fn store_error(error: StoreError) -> JsValue {
    rpc_to_js(RpcError::from(error))
}

fn rpc_to_js(rpc: RpcError) -> JsValue {
    let js = js_sys::Error::new(&rpc.message);
    js.set_name("StoreError");
    let object: &Object = js.unchecked_ref();
    set(object, "code", rpc.code);
    if let Some(data) = &rpc.data {
        set(object, "data", to_js(data));
    }
    js.into()
}
