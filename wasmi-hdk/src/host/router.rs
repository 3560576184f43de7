use core::{fmt, future::Future};
use std::{collections::HashMap, sync::Arc};

use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;
use wasmi_plugin_protocol::{RpcError, decode_params};

use super::{BoxFuture, CallerInfo, HostHandler, MaybeSend, MaybeSync};

#[cfg(not(target_arch = "wasm32"))]
type Method =
    Arc<dyn Fn(CallerInfo, Option<Value>) -> BoxFuture<Result<Value, RpcError>> + Send + Sync>;
#[cfg(target_arch = "wasm32")]
type Method = Arc<dyn Fn(CallerInfo, Option<Value>) -> BoxFuture<Result<Value, RpcError>>>;

/// A [`HostHandler`] built from typed async closures, one per method.
///
/// Params decode as in the plugin kit (`[x]` reaches a closure taking `x`);
/// bad params answer `-32602`, unknown methods `-32601` naming the method.
///
/// ```
/// use wasmi_hdk::{HostRouter, RpcError};
///
/// let host = HostRouter::new()
///     .with_method("host.add", |_caller, (a, b): (i64, i64)| async move { Ok::<_, RpcError>(a + b) })
///     .with_method("host.whoami", |caller, (): ()| async move {
///         Ok::<_, RpcError>(caller.plugin().to_owned())
///     });
/// assert!(host.has_method("host.add"));
/// ```
#[derive(Clone, Default)]
pub struct HostRouter {
    methods: HashMap<String, Method>,
}

impl fmt::Debug for HostRouter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<_> = self.methods.keys().collect();
        names.sort();
        f.debug_struct("HostRouter")
            .field("methods", &names)
            .finish()
    }
}

impl HostRouter {
    /// A router with no methods.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) host method `name`.
    ///
    /// The closure and its future are `Send` (and the closure `Sync`)
    /// natively; on `wasm32` they need not be.
    #[must_use]
    pub fn with_method<P, R, F, Fut>(mut self, name: &str, handler: F) -> Self
    where
        P: DeserializeOwned + 'static,
        R: Serialize + 'static,
        F: Fn(CallerInfo, P) -> Fut + MaybeSend + MaybeSync + 'static,
        Fut: Future<Output = Result<R, RpcError>> + MaybeSend + 'static,
    {
        let method: Method =
            Arc::new(
                move |caller, params| match decode_params::<P>(params.as_ref()) {
                    Ok(p) => {
                        let fut = handler(caller, p);
                        Box::pin(async move {
                            serde_json::to_value(fut.await?).map_err(RpcError::internal)
                        })
                    }
                    Err(e) => Box::pin(core::future::ready(Err(e))),
                },
            );
        self.methods.insert(name.to_owned(), method);
        self
    }

    /// Whether host method `name` exists.
    pub fn has_method(&self, name: &str) -> bool {
        self.methods.contains_key(name)
    }
}

impl HostHandler for HostRouter {
    fn handle(
        &self,
        caller: CallerInfo,
        method: &str,
        params: Option<Value>,
    ) -> BoxFuture<Result<Value, RpcError>> {
        match self.methods.get(method) {
            Some(m) => m(caller, params),
            None => Box::pin(core::future::ready(Err(RpcError::new(
                wasmi_plugin_protocol::codes::METHOD_NOT_FOUND,
                format!("host method not found: {method}"),
            )))),
        }
    }

    /// The method names, sorted.
    fn method_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.methods.keys().cloned().collect();
        names.sort_unstable();
        names
    }
}
