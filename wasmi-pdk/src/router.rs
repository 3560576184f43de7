mod table;

use core::{fmt, future::Future, pin::Pin};

use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

use crate::protocol::{RpcError, decode_params, method::DISCOVER};
use crate::{Context, RequestHandler};

use self::table::MethodTable;

type MethodFuture = Pin<Box<dyn Future<Output = Result<Value, RpcError>>>>;
type Method = Box<dyn Fn(Context, Option<Value>) -> MethodFuture>;

/// A [`RequestHandler`] built from typed async closures, one per method.
///
/// Params are decoded with [`decode_params`] (bad params answer `-32602`),
/// results are encoded with serde, unknown methods answer `-32601`, and
/// `rpc.discover` answers an [OpenRPC](https://spec.open-rpc.org) document
/// listing the methods (unless the router defines it itself).
///
/// ```
/// use wasmi_pdk::{Router, RpcError};
///
/// let router = Router::new()
///     .with_method("add", |_ctx, (a, b): (i64, i64)| async move { Ok::<_, RpcError>(a + b) })
///     .with_method("greet", |ctx, name: String| async move {
///         let suffix: String = ctx.call("host.suffix", ()).await?;
///         Ok(format!("hello {name}{suffix}"))
///     });
/// assert_eq!(router.method_names().collect::<Vec<_>>(), ["add", "greet"]);
/// ```
#[derive(Default)]
pub struct Router {
    methods: MethodTable<Method>,
    /// Makers of the JSON Schemas of params and result, for methods that
    /// have them; run only when `rpc.discover` is asked.
    schemas: MethodTable<fn() -> (Value, Value)>,
}

impl fmt::Debug for Router {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Router")
            .field("methods", &self.method_names().collect::<Vec<_>>())
            .finish()
    }
}

impl Router {
    /// A router with no methods.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) `name`, answered by `handler`.
    #[must_use]
    pub fn with_method<P, R, F, Fut>(mut self, name: &str, handler: F) -> Self
    where
        P: DeserializeOwned + 'static,
        R: Serialize + 'static,
        F: Fn(Context, P) -> Fut + 'static,
        Fut: Future<Output = Result<R, RpcError>> + 'static,
    {
        let method: Method =
            Box::new(
                move |ctx, params| match decode_params::<P>(params.as_ref()) {
                    Ok(p) => {
                        let fut = handler(ctx, p);
                        Box::pin(async move {
                            let value = fut.await?;
                            serde_json::to_value(value).map_err(RpcError::internal)
                        })
                    }
                    Err(e) => Box::pin(core::future::ready(Err(e))),
                },
            );
        self.methods.insert(name, method);
        self
    }

    /// The names of the methods, in sorted order.
    pub fn method_names(&self) -> impl Iterator<Item = &str> {
        self.methods.names()
    }

    /// Adds `name` like [`with_method`](Self::with_method), and publishes the JSON
    /// Schemas of its params and result in `rpc.discover` (feature `schema`).
    #[cfg(feature = "schema")]
    #[must_use]
    pub fn with_method_and_schema<P, R, F, Fut>(mut self, name: &str, handler: F) -> Self
    where
        P: DeserializeOwned + schemars::JsonSchema + 'static,
        R: Serialize + schemars::JsonSchema + 'static,
        F: Fn(Context, P) -> Fut + 'static,
        Fut: Future<Output = Result<R, RpcError>> + 'static,
    {
        fn schemas<P: schemars::JsonSchema, R: schemars::JsonSchema>() -> (Value, Value) {
            let json = |s: schemars::Schema| serde_json::to_value(s).unwrap_or_default();
            (
                json(schemars::schema_for!(P)),
                json(schemars::schema_for!(R)),
            )
        }
        self.schemas.insert(name, schemas::<P, R>);
        self.with_method(name, handler)
    }

    /// The answer to `rpc.discover`: an OpenRPC document listing the methods.
    fn discover(&self) -> Value {
        let methods: Vec<Value> = self
            .method_names()
            .map(|name| match self.schemas.get(name).map(|make| make()) {
                Some((params, result)) => serde_json::json!({
                    "name": name,
                    "params": [{ "name": "params", "schema": params }],
                    "result": { "name": "result", "schema": result },
                }),
                None => serde_json::json!({ "name": name, "params": [] }),
            })
            .collect();
        serde_json::json!({
            "openrpc": "1.2.6",
            "info": { "title": "plugin", "version": "0.0.0" },
            "methods": methods,
        })
    }
}

impl RequestHandler for Router {
    fn handle(
        &self,
        ctx: Context,
        method: &str,
        params: Option<Value>,
    ) -> impl Future<Output = Result<Value, RpcError>> {
        let fut: MethodFuture = match self.methods.get(method) {
            Some(m) => m(ctx, params),
            None if method == DISCOVER => Box::pin(core::future::ready(Ok(self.discover()))),
            None => Box::pin(core::future::ready(Err(RpcError::method_not_found(method)))),
        };
        fut
    }
}
