//! The plugin-facing side: the `store.*` host methods, answered in the
//! calling plugin's namespace.

use core::fmt;
use std::sync::Arc;

use serde_json::{Value, json};
use wasmi_plugin_protocol::{RpcError, codes};

use wasmi_plugin_protocol::method::store as methods;

use super::{
    BatchOutcome, KvStore, Namespace, OpResult, StoreError,
    params::{self, Request},
};
use crate::{BoxFuture, CallerInfo, HostHandler};

#[cfg(not(target_arch = "wasm32"))]
type NamespaceOf = Arc<dyn Fn(&CallerInfo) -> Result<Namespace, StoreError> + Send + Sync>;
#[cfg(target_arch = "wasm32")]
type NamespaceOf = Arc<dyn Fn(&CallerInfo) -> Result<Namespace, StoreError>>;

/// A [`HostHandler`] that answers the `store.*` host methods
/// ([`protocol::method::store`](crate::protocol::method::store);
/// PROTOCOL.md §11) in the
/// calling plugin's namespace ([`Namespace::plugin`] by default).
///
/// A plugin cannot name a namespace: the host picks it from the caller.
/// The embedder keeps full access to every namespace through the
/// [`KvStore`] it shares with the handler.
///
/// [`PluginBuilder::with_store`](crate::PluginBuilder::with_store) and
/// [`PluginSetBuilder::with_store`](crate::set::PluginSetBuilder::with_store)
/// take any [`KvStore`] and make the handler themselves; make one yourself
/// to pick other namespaces ([`with_namespace`](Self::with_namespace)), and
/// pass it to the same methods.
///
/// ```
/// # futures::executor::block_on(async {
/// use serde_json::json;
/// use wasmi_hdk::{Plugin, store::{KvStore, MemoryStore, Namespace, StoreHost}};
///
/// let store = MemoryStore::new();
/// let plugin = Plugin::builder()
///     .with_name("demo")
///     .with_host(StoreHost::new(store.clone()))
///     .build(test_plugin_artifacts::TEST_PLUGIN)?;
/// // The test plugin's `call_host` calls the host method it is given.
/// let call = json!({"method": "store.increment", "params": ["visits"]});
/// assert_eq!(plugin.call::<u64>("call_host", call.clone()).await?, 1);
/// assert_eq!(plugin.call::<u64>("call_host", call).await?, 2);
/// let ns = Namespace::plugin("demo").unwrap();
/// assert_eq!(store.get(&ns, "visits").await.unwrap(), Some(json!(2)));
/// # Ok::<(), wasmi_hdk::Error>(()) }).unwrap();
/// ```
#[derive(Clone)]
pub struct StoreHost {
    store: Arc<dyn KvStore>,
    namespace: NamespaceOf,
}

impl fmt::Debug for StoreHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreHost")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

impl StoreHost {
    /// Serves `store`, each plugin in [`Namespace::plugin`] of its name.
    pub fn new(store: impl KvStore) -> Self {
        Self::from_shared(Arc::new(store))
    }

    /// Serves a shared `store`.
    pub fn from_shared(store: Arc<dyn KvStore>) -> Self {
        Self {
            store,
            namespace: Arc::new(|caller: &CallerInfo| Namespace::plugin(caller.plugin())),
        }
    }

    /// Picks the namespace of each call with `namespace` instead; an error
    /// answers the plugin `-32603`.
    ///
    /// ```
    /// use wasmi_hdk::store::{MemoryStore, Namespace, StoreHost};
    ///
    /// // Every plugin of this host shares the room's namespace.
    /// let room = Namespace::new("room/42")?;
    /// let host = StoreHost::new(MemoryStore::new()).with_namespace(move |_caller| Ok(room.clone()));
    /// # Ok::<(), wasmi_hdk::store::StoreError>(())
    /// ```
    #[must_use]
    pub fn with_namespace<F>(mut self, namespace: F) -> Self
    where
        F: Fn(&CallerInfo) -> Result<Namespace, StoreError>
            + crate::MaybeSend
            + crate::MaybeSync
            + 'static,
    {
        self.namespace = Arc::new(namespace);
        self
    }

    /// The store it serves.
    pub fn store(&self) -> &Arc<dyn KvStore> {
        &self.store
    }
}

/// Any store, each plugin in its own namespace: what
/// [`PluginBuilder::with_store`](crate::PluginBuilder::with_store) does with
/// a [`KvStore`].
impl<S: KvStore> From<S> for StoreHost {
    fn from(store: S) -> Self {
        Self::new(store)
    }
}

impl HostHandler for StoreHost {
    fn handle(
        &self,
        caller: CallerInfo,
        method: &str,
        params: Option<Value>,
    ) -> BoxFuture<Result<Value, RpcError>> {
        // `null` params (from a router) are no params.
        let params = params.filter(|p| !p.is_null());
        let request = match params::decode(method, params.as_ref()) {
            Ok(Some(request)) => request,
            Ok(None) => {
                return ready(Err(RpcError::new(
                    codes::METHOD_NOT_FOUND,
                    format!("host method not found: {method}"),
                )));
            }
            Err(e) => return ready(Err(e)),
        };
        let namespace = match (self.namespace)(&caller) {
            Ok(namespace) => namespace,
            Err(e) => return ready(Err(refused(caller.plugin(), e))),
        };
        let store = self.store.clone();
        Box::pin(async move {
            serve(&*store, &namespace, request)
                .await
                .map_err(|e| refused(caller.plugin(), e))
        })
    }

    fn method_names(&self) -> Vec<String> {
        methods::ALL.iter().map(|&m| m.to_owned()).collect()
    }
}

fn ready(result: Result<Value, RpcError>) -> BoxFuture<Result<Value, RpcError>> {
    Box::pin(core::future::ready(result))
}

/// The plugin's error; a backend failure is logged with its cause first.
fn refused(plugin: &str, error: StoreError) -> RpcError {
    if let StoreError::Backend { .. } | StoreError::InvalidNamespace { .. } = error {
        let mut chain = error.to_string();
        let mut source = std::error::Error::source(&error);
        while let Some(cause) = source {
            chain.push_str(": ");
            chain.push_str(&cause.to_string());
            source = cause.source();
        }
        tracing::warn!(plugin, "store request failed: {chain}");
    }
    error.into()
}

async fn serve(store: &dyn KvStore, ns: &Namespace, request: Request) -> Result<Value, StoreError> {
    Ok(match request {
        Request::Get(key) => store.get(ns, &key).await?.unwrap_or(Value::Null),
        Request::GetMany(keys) => Value::Array(
            store
                .get_many(ns, keys)
                .await?
                .into_iter()
                .map(Option::unwrap_or_default)
                .collect(),
        ),
        Request::Set(key, value) => {
            store.set(ns, &key, value).await?;
            Value::Null
        }
        Request::Delete(key) => Value::Bool(store.delete(ns, &key).await?),
        Request::List(query) => {
            let page = store.list(ns, query).await?;
            json!({"keys": page.keys, "cursor": page.cursor})
        }
        Request::Cas(key, expected, new) => {
            let outcome = store.compare_and_swap(ns, &key, expected, new).await?;
            json!({"swapped": outcome.swapped, "current": outcome.current})
        }
        Request::Increment(key, delta) => Value::from(store.increment(ns, &key, delta).await?),
        Request::Batch(ops) => match store.apply(ns, ops).await? {
            BatchOutcome::Committed(results) => {
                let results: Vec<Value> = results.into_iter().map(result_json).collect();
                json!({"committed": true, "results": results})
            }
            BatchOutcome::Mismatch { index, current } => {
                json!({"committed": false, "index": index, "current": current})
            }
        },
        Request::Usage => {
            let usage = store.usage(ns).await?;
            let quota = store.quotas().get(ns);
            json!({
                "keys": usage.keys,
                "bytes": usage.bytes,
                "quota": {
                    "max_keys": quota.max_keys(),
                    "max_bytes": quota.max_bytes(),
                    "max_value_bytes": quota.max_value_bytes(),
                },
            })
        }
    })
}

fn result_json(result: OpResult) -> Value {
    match result {
        OpResult::Set => Value::Null,
        OpResult::Deleted(existed) => Value::Bool(existed),
        OpResult::Swapped => Value::Bool(true),
        OpResult::Incremented(value) => Value::from(value),
    }
}
