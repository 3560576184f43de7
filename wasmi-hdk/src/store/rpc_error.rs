//! How a [`StoreError`] reaches a plugin: a JSON-RPC error with a code of
//! the protocol's reserved range or a standard one, and structured `data`.

use serde_json::json;
use wasmi_plugin_protocol::{RpcError, codes as rpc};

use super::StoreError;

use wasmi_plugin_protocol::codes;

impl From<StoreError> for RpcError {
    /// Bad keys, values and params become `-32602`; quotas
    /// [`codes::QUOTA_EXCEEDED`]; integers [`codes::NOT_AN_INTEGER`]; a
    /// backend failure `-32603` without its cause (which may name files):
    /// the host logs that.
    fn from(error: StoreError) -> Self {
        let message = error.to_string();
        match error {
            StoreError::InvalidKey { .. } => invalid(message, "invalid_key"),
            StoreError::NullValue => invalid(message, "null_value"),
            StoreError::TooMany { len, max, .. } => invalid(message, "too_many")
                .with_data(json!({"reason": "too_many", "len": len, "max": max})),
            StoreError::InvalidCursor { .. } => invalid(message, "invalid_cursor"),
            StoreError::ValueTooLarge { size, max } => {
                RpcError::new(codes::QUOTA_EXCEEDED, message)
                    .with_data(json!({"quota": "value_bytes", "limit": max, "requested": size}))
            }
            StoreError::QuotaExceeded {
                quota,
                limit,
                requested,
            } => RpcError::new(codes::QUOTA_EXCEEDED, message).with_data(
                json!({"quota": quota.as_str(), "limit": limit, "requested": requested}),
            ),
            StoreError::NotAnInteger { key } => RpcError::new(codes::NOT_AN_INTEGER, message)
                .with_data(json!({"reason": "not_an_integer", "key": key})),
            StoreError::Overflow { key, .. } => RpcError::new(codes::NOT_AN_INTEGER, message)
                .with_data(json!({"reason": "overflow", "key": key})),
            StoreError::InvalidNamespace { .. } | StoreError::Backend { .. } => {
                RpcError::internal(message)
            }
        }
    }
}

fn invalid(message: String, reason: &str) -> RpcError {
    RpcError::new(rpc::INVALID_PARAMS, format!("invalid params: {message}"))
        .with_data(json!({ "reason": reason }))
}
