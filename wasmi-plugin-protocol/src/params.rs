use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

use super::RpcError;

/// Decodes JSON-RPC params into `P`, the way both kits' typed routers do.
///
/// Tried in order: the params as they are (absent params read as `null`);
/// then, for a one-element array, its element (so `[1000]` reaches a handler
/// taking `u64`); then, for an empty array or object, `null` (so `[]` reaches
/// a handler taking `()` or an `Option`).
///
/// # Errors
///
/// `-32602` naming what did not fit, from the first attempt.
pub fn decode_params<P: DeserializeOwned>(params: Option<&Value>) -> Result<P, RpcError> {
    let value = params.unwrap_or(&Value::Null);
    let first = match P::deserialize(value) {
        Ok(p) => return Ok(p),
        Err(e) => e,
    };
    let fallback = match value {
        Value::Array(items) if items.len() == 1 => P::deserialize(&items[0]).ok(),
        Value::Array(items) if items.is_empty() => P::deserialize(&Value::Null).ok(),
        Value::Object(map) if map.is_empty() => P::deserialize(&Value::Null).ok(),
        _ => None,
    };
    fallback.ok_or_else(|| RpcError::invalid_params(first))
}

/// Encodes `params` for the wire: `null`/`()` become no params, a scalar
/// becomes a one-element array, arrays and objects go as they are.
///
/// # Errors
///
/// `-32602` if `params` cannot be represented as JSON (e.g. a map with
/// non-string keys).
pub fn encode_params(params: impl Serialize) -> Result<Option<Value>, RpcError> {
    match serde_json::to_value(params).map_err(RpcError::invalid_params)? {
        Value::Null => Ok(None),
        v @ (Value::Array(_) | Value::Object(_)) => Ok(Some(v)),
        scalar => Ok(Some(Value::Array(vec![scalar]))),
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Add {
        a: i64,
        b: i64,
    }

    #[test]
    fn decodes_the_usual_shapes() {
        assert_eq!(decode_params::<u64>(Some(&json!([5]))).unwrap(), 5);
        assert_eq!(decode_params::<u64>(Some(&json!(5))).unwrap(), 5);
        assert_eq!(
            decode_params::<(u64, u64)>(Some(&json!([1, 2]))).unwrap(),
            (1, 2)
        );
        assert_eq!(
            decode_params::<Add>(Some(&json!({"a": 1, "b": 2}))).unwrap(),
            Add { a: 1, b: 2 }
        );
        assert_eq!(
            decode_params::<Add>(Some(&json!([{"a": 1, "b": 2}]))).unwrap(),
            Add { a: 1, b: 2 }
        );
        decode_params::<()>(None).unwrap();
        decode_params::<()>(Some(&json!([]))).unwrap();
        assert_eq!(decode_params::<Option<u8>>(Some(&json!({}))).unwrap(), None);
        assert_eq!(
            decode_params::<Vec<u8>>(Some(&json!([1]))).unwrap(),
            vec![1]
        );
    }

    #[test]
    fn reports_what_did_not_fit() {
        let err = decode_params::<u64>(Some(&json!(["x"]))).unwrap_err();
        assert_eq!(err.code, -32602);
        let err = decode_params::<Add>(Some(&json!({"a": 1}))).unwrap_err();
        assert!(err.message.contains("missing field `b`"), "{}", err.message);
    }

    #[test]
    fn encodes_scalars_as_arrays() {
        assert_eq!(encode_params(()).unwrap(), None);
        assert_eq!(encode_params(3).unwrap(), Some(json!([3])));
        assert_eq!(encode_params((1, "a")).unwrap(), Some(json!([1, "a"])));
        assert_eq!(
            encode_params(json!({"k": 1})).unwrap(),
            Some(json!({"k": 1}))
        );
    }
}
