use std::sync::Arc;

use serde_json::Value;
use wasmi_hdk::{BoxFuture, CallerInfo, HostHandler, RpcError, protocol::codes};

/// Host methods implemented in Swift, Kotlin or Python: what a plugin can
/// call back into while it handles a request.
///
/// One object serves every method; dispatch on `method` (e.g. `host.echo`).
/// The method is async (Swift `async throws`, a Kotlin `suspend fun`, a
/// Python `async def`), so an implementation can await network or disk
/// work; the plugin waits without using CPU meanwhile.
#[uniffi::export(with_foreign)]
#[async_trait::async_trait]
pub trait HostMethods: Send + Sync {
    /// Serves one request of plugin `plugin`.
    ///
    /// `params_json` is the request's params as JSON text (`None` when it
    /// sent none); the result must be JSON text too (`"null"` for nothing).
    ///
    /// # Errors
    ///
    /// Throw a [`HostMethodError`]; the plugin receives it as a JSON-RPC
    /// error. Any other exception reaches the plugin as `-32603`.
    async fn call(
        &self,
        plugin: String,
        method: String,
        params_json: Option<String>,
    ) -> Result<String, HostMethodError>;
}

/// What a host method throws; the plugin receives it as a JSON-RPC error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum HostMethodError {
    /// No such host method. → `-32601`, naming the method
    #[error("host method not found")]
    NotFound,
    /// The params do not fit the method. → `-32602`
    #[error("invalid params: {reason}")]
    InvalidParams {
        /// What was wrong with them.
        reason: String,
    },
    /// The method failed. → this code (use one outside `-32768..=-32000`, or
    /// `-32001`, the protocol's "host error"), reason and data
    #[error("host method failed with {code}: {reason}")]
    Failed {
        /// The JSON-RPC error code.
        code: i32,
        /// The error's `message`.
        reason: String,
        /// The error's `data`, as JSON text (sent as a string if it is not JSON).
        data_json: Option<String>,
    },
    /// The foreign implementation threw something unexpected. → `-32603`
    #[error("internal error: {reason}")]
    Internal {
        /// What was thrown.
        reason: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for HostMethodError {
    fn from(error: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::Internal {
            reason: error.reason,
        }
    }
}

impl HostMethodError {
    /// The JSON-RPC error the plugin receives for calling `method`.
    fn into_rpc(self, method: &str) -> RpcError {
        match self {
            Self::NotFound => RpcError::new(
                codes::METHOD_NOT_FOUND,
                format!("host method not found: {method}"),
            ),
            Self::InvalidParams { reason } => RpcError::invalid_params(reason),
            Self::Failed {
                code,
                reason,
                data_json,
            } => {
                let error = RpcError::new(code, reason);
                match data_json {
                    Some(text) => {
                        error.with_data(serde_json::from_str(&text).unwrap_or(Value::String(text)))
                    }
                    None => error,
                }
            }
            Self::Internal { reason } => RpcError::internal(reason),
        }
    }
}

/// Serves a plugin's host calls with a foreign [`HostMethods`].
pub(crate) struct ForeignHost(pub(crate) Arc<dyn HostMethods>);

impl HostHandler for ForeignHost {
    fn handle(
        &self,
        caller: CallerInfo,
        method: &str,
        params: Option<Value>,
    ) -> BoxFuture<Result<Value, RpcError>> {
        let host = Arc::clone(&self.0);
        let method = method.to_owned();
        Box::pin(async move {
            let params_json = params.map(|p| p.to_string());
            let plugin = caller.plugin().to_owned();
            match host.call(plugin, method.clone(), params_json).await {
                Ok(text) => serde_json::from_str(&text).map_err(|e| {
                    RpcError::internal(format_args!(
                        "host method {method} returned invalid JSON ({e}): {text:?}"
                    ))
                }),
                Err(error) => Err(error.into_rpc(&method)),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_become_the_documented_codes() {
        let rpc = |e: HostMethodError| e.into_rpc("host.x");
        assert_eq!(
            rpc(HostMethodError::NotFound),
            RpcError::new(-32601, "host method not found: host.x")
        );
        assert_eq!(
            rpc(HostMethodError::InvalidParams {
                reason: "no".into()
            })
            .code,
            -32602
        );
        assert_eq!(
            rpc(HostMethodError::Internal {
                reason: "boom".into()
            })
            .code,
            -32603
        );
        let failed = rpc(HostMethodError::Failed {
            code: 7,
            reason: "nope".into(),
            data_json: Some(r#"{"k":1}"#.into()),
        });
        assert_eq!(
            failed,
            RpcError::new(7, "nope").with_data(serde_json::json!({"k": 1}))
        );
        let not_json = rpc(HostMethodError::Failed {
            code: 7,
            reason: "nope".into(),
            data_json: Some("plain text".into()),
        });
        assert_eq!(not_json.data, Some(Value::String("plain text".into())));
    }
}
