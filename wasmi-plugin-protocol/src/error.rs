use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The error codes of JSON-RPC 2.0 and the ones this protocol reserves.
///
/// Plugins choose their own application codes outside `-32768..=-32000`.
pub mod codes {
    /// Invalid JSON was received.
    pub const PARSE_ERROR: i32 = -32700;
    /// The JSON sent is not a valid request object.
    pub const INVALID_REQUEST: i32 = -32600;
    /// The method does not exist or is not available.
    pub const METHOD_NOT_FOUND: i32 = -32601;
    /// Invalid method parameters.
    pub const INVALID_PARAMS: i32 = -32602;
    /// Internal JSON-RPC error.
    pub const INTERNAL_ERROR: i32 = -32603;
    /// A handler failed and gave no code of its own (reserved range `-32099..=-32000`).
    pub const PLUGIN_ERROR: i32 = -32000;
    /// A host method failed while serving a plugin's call (reserved range).
    pub const HOST_ERROR: i32 = -32001;
    /// The calling plugin lacks the capability a host method needs.
    pub const PERMISSION_DENIED: i32 = -32002;
    /// A call between plugins went deeper than the host allows (a cycle).
    pub const CALL_DEPTH_EXCEEDED: i32 = -32003;
    /// A store write would take the plugin's namespace past a quota, or a
    /// value is larger than the value quota; `data.quota` says which:
    /// `keys`, `bytes` or `value_bytes`.
    pub const QUOTA_EXCEEDED: i32 = -32004;
    /// `store.increment` found a value that is not an integer, or the sum
    /// overflows a 64-bit signed integer.
    pub const NOT_AN_INTEGER: i32 = -32005;
    /// First code of the range this protocol reserves for itself.
    pub const RESERVED_MIN: i32 = -32099;
    /// Last code of the range this protocol reserves for itself.
    pub const RESERVED_MAX: i32 = -32000;
}

/// A JSON-RPC 2.0 error object, exactly as it travels on the wire.
///
/// This is wire data, not a Rust error hierarchy: the host kit wraps it in
/// its own error type when a plugin answers with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("JSON-RPC error {code}: {message}")]
pub struct RpcError {
    /// A number that says what kind of error happened (see [`codes`]).
    pub code: i32,
    /// A short, human-readable description.
    pub message: String,
    /// Optional structured detail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

impl RpcError {
    /// An error with the given code and message and no data.
    pub fn new(code: i32, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// Attaches structured detail.
    #[must_use]
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }

    /// `-32700`: the line was not JSON.
    pub fn parse_error(detail: impl core::fmt::Display) -> Self {
        Self::new(codes::PARSE_ERROR, format!("parse error: {detail}"))
    }

    /// `-32600`: the JSON was not a valid JSON-RPC message.
    pub fn invalid_request(detail: impl core::fmt::Display) -> Self {
        Self::new(codes::INVALID_REQUEST, format!("invalid request: {detail}"))
    }

    /// `-32601`, naming the missing method.
    pub fn method_not_found(method: &str) -> Self {
        Self::new(
            codes::METHOD_NOT_FOUND,
            format!("method not found: {method}"),
        )
    }

    /// `-32602`, with what was wrong about the parameters.
    pub fn invalid_params(detail: impl core::fmt::Display) -> Self {
        Self::new(codes::INVALID_PARAMS, format!("invalid params: {detail}"))
    }

    /// `-32603`, with what went wrong.
    pub fn internal(detail: impl core::fmt::Display) -> Self {
        Self::new(codes::INTERNAL_ERROR, format!("internal error: {detail}"))
    }

    /// `-32000`: a handler failed with a message and no code of its own.
    pub fn plugin(message: impl Into<String>) -> Self {
        Self::new(codes::PLUGIN_ERROR, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_is_omitted_when_absent() {
        let text = serde_json::to_string(&RpcError::method_not_found("nope")).unwrap();
        assert_eq!(
            text,
            r#"{"code":-32601,"message":"method not found: nope"}"#
        );
    }

    #[test]
    fn round_trips_with_data() {
        let err = RpcError::new(7, "boom").with_data(serde_json::json!({"k": [1, 2]}));
        let back: RpcError = serde_json::from_str(&serde_json::to_string(&err).unwrap()).unwrap();
        assert_eq!(back, err);
    }
}
