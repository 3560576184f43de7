use core::future::Future;

use serde_json::Value;

use crate::Context;
use crate::protocol::RpcError;

/// Answers the requests a plugin receives.
///
/// [`Router`](crate::Router) implements it for typed closures; implement it
/// yourself to dispatch by hand.
///
/// ```
/// use wasmi_pdk::{Context, RequestHandler, RpcError, Value};
///
/// struct Echo;
///
/// impl RequestHandler for Echo {
///     async fn handle(&self, _ctx: Context, method: &str, params: Option<Value>) -> Result<Value, RpcError> {
///         match method {
///             "echo" => Ok(params.unwrap_or_default()),
///             other => Err(RpcError::method_not_found(other)),
///         }
///     }
/// }
/// ```
pub trait RequestHandler {
    /// Runs `method` with `params` and returns its result or a wire error.
    fn handle(
        &self,
        ctx: Context,
        method: &str,
        params: Option<Value>,
    ) -> impl Future<Output = Result<Value, RpcError>>;
}
