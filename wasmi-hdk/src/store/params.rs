//! The params of the store's host methods, decoded from JSON-RPC: each
//! method takes an object or the same fields as a positional array (see
//! PROTOCOL.md §11).

use serde::Deserialize;
use serde_json::Value;
use wasmi_plugin_protocol::{RpcError, decode_params};

use super::{ListQuery, Op};

use wasmi_plugin_protocol::method::store as methods;

/// A decoded store request.
#[derive(Debug, PartialEq)]
pub(crate) enum Request {
    Get(String),
    GetMany(Vec<String>),
    Set(String, Value),
    Delete(String),
    List(ListQuery),
    Cas(String, Option<Value>, Option<Value>),
    Increment(String, i64),
    Batch(Vec<Op>),
    Usage,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyParams {
    key: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeysParams {
    keys: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetParams {
    key: String,
    value: Value,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ListParams {
    #[serde(default)]
    prefix: Option<String>,
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    limit: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CasParams {
    key: String,
    #[serde(default)]
    expected: Option<Value>,
    #[serde(default)]
    new: Option<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IncrementParams {
    key: String,
    #[serde(default = "one")]
    delta: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchParams {
    ops: Vec<BatchOp>,
}

/// One operation of `store.batch`, tagged by `"op"`.
#[derive(Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
enum BatchOp {
    Set {
        key: String,
        value: Value,
    },
    Delete {
        key: String,
    },
    Cas {
        key: String,
        #[serde(default)]
        expected: Option<Value>,
        #[serde(default)]
        new: Option<Value>,
    },
    Increment {
        key: String,
        #[serde(default = "one")]
        delta: i64,
    },
}

fn one() -> i64 {
    1
}

impl From<BatchOp> for Op {
    fn from(op: BatchOp) -> Self {
        match op {
            BatchOp::Set { key, value } => Op::Set { key, value },
            BatchOp::Delete { key } => Op::Delete { key },
            BatchOp::Cas { key, expected, new } => Op::CompareAndSwap { key, expected, new },
            BatchOp::Increment { key, delta } => Op::Increment { key, delta },
        }
    }
}

/// Decodes the params of store method `method`; `None` if there is no such
/// method.
pub(crate) fn decode(method: &str, params: Option<&Value>) -> Result<Option<Request>, RpcError> {
    let request = match method {
        methods::GET => Request::Get(decode_params::<KeyParams>(params)?.key),
        methods::GET_MANY => Request::GetMany(match params {
            Some(Value::Array(items)) if items.iter().all(Value::is_string) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            _ => decode_params::<KeysParams>(params)?.keys,
        }),
        methods::SET => {
            let SetParams { key, value } = decode_params(params)?;
            Request::Set(key, value)
        }
        methods::DELETE => Request::Delete(decode_params::<KeyParams>(params)?.key),
        methods::LIST => {
            let p = match params {
                None => ListParams::default(),
                Some(_) => decode_params(params)?,
            };
            let mut query = ListQuery::new()
                .with_prefix(p.prefix.unwrap_or_default())
                .with_cursor(p.cursor);
            if let Some(limit) = p.limit {
                query = query.with_limit(limit);
            }
            Request::List(query)
        }
        methods::CAS => {
            let CasParams { key, expected, new } = decode_params(params)?;
            Request::Cas(key, expected, new)
        }
        methods::INCREMENT => {
            let IncrementParams { key, delta } = decode_params(params)?;
            Request::Increment(key, delta)
        }
        methods::BATCH => {
            let ops: Vec<BatchOp> = match params {
                Some(Value::Array(items)) if items.iter().all(Value::is_object) => {
                    decode_params(params)?
                }
                _ => decode_params::<BatchParams>(params)?.ops,
            };
            Request::Batch(ops.into_iter().map(Op::from).collect())
        }
        methods::USAGE => {
            decode_params::<()>(params)?;
            Request::Usage
        }
        _ => return Ok(None),
    };
    Ok(Some(request))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn ok(method: &str, params: Value) -> Request {
        decode(method, Some(&params)).unwrap().unwrap()
    }

    fn bad(method: &str, params: Value) -> RpcError {
        decode(method, Some(&params)).unwrap_err()
    }

    #[test]
    fn positional_and_named_forms_agree() {
        let k = || "k".to_owned();
        assert_eq!(ok(methods::GET, json!(["k"])), Request::Get(k()));
        assert_eq!(ok(methods::GET, json!({"key": "k"})), Request::Get(k()));
        assert_eq!(
            ok(methods::SET, json!(["k", [1]])),
            Request::Set(k(), json!([1]))
        );
        assert_eq!(
            ok(methods::SET, json!({"key": "k", "value": {"a": 1}})),
            Request::Set(k(), json!({"a": 1}))
        );
        assert_eq!(ok(methods::DELETE, json!(["k"])), Request::Delete(k()));
        assert_eq!(
            ok(methods::GET_MANY, json!(["a", "b"])),
            Request::GetMany(vec!["a".into(), "b".into()])
        );
        assert_eq!(
            ok(methods::GET_MANY, json!({"keys": ["a"]})),
            Request::GetMany(vec!["a".into()])
        );
        assert_eq!(
            ok(methods::GET_MANY, json!([["a"]])),
            Request::GetMany(vec!["a".into()])
        );
        assert_eq!(
            ok(methods::CAS, json!(["k", null, 1])),
            Request::Cas(k(), None, Some(json!(1)))
        );
        assert_eq!(
            ok(methods::CAS, json!({"key": "k", "expected": 1})),
            Request::Cas(k(), Some(json!(1)), None)
        );
        assert_eq!(
            ok(methods::INCREMENT, json!(["k"])),
            Request::Increment(k(), 1)
        );
        assert_eq!(
            ok(methods::INCREMENT, json!(["k", -5])),
            Request::Increment(k(), -5)
        );
        assert_eq!(
            ok(methods::INCREMENT, json!({"key": "k", "delta": 7})),
            Request::Increment(k(), 7)
        );
        assert_eq!(
            ok(methods::LIST, json!({"prefix": "p/", "limit": 5})),
            Request::List(ListQuery::new().with_prefix("p/").with_limit(5))
        );
        assert_eq!(
            ok(methods::LIST, json!(["p/", "p/x"])),
            Request::List(
                ListQuery::new()
                    .with_prefix("p/")
                    .with_cursor(Some("p/x".into()))
            )
        );
        assert_eq!(
            decode(methods::LIST, None).unwrap().unwrap(),
            Request::List(ListQuery::new())
        );
        assert_eq!(
            decode(methods::USAGE, None).unwrap().unwrap(),
            Request::Usage
        );
        assert_eq!(ok(methods::USAGE, json!([])), Request::Usage);
    }

    #[test]
    fn batches_take_tagged_ops() {
        let ops = json!([
            {"op": "set", "key": "a", "value": 1},
            {"op": "delete", "key": "b"},
            {"op": "cas", "key": "c", "new": 2},
            {"op": "increment", "key": "d"},
        ]);
        let expected = Request::Batch(vec![
            Op::Set {
                key: "a".into(),
                value: json!(1),
            },
            Op::Delete { key: "b".into() },
            Op::CompareAndSwap {
                key: "c".into(),
                expected: None,
                new: Some(json!(2)),
            },
            Op::Increment {
                key: "d".into(),
                delta: 1,
            },
        ]);
        assert_eq!(ok(methods::BATCH, ops.clone()), expected);
        assert_eq!(ok(methods::BATCH, json!({ "ops": ops.clone() })), expected);
        assert_eq!(ok(methods::BATCH, json!([ops])), expected);
        assert_eq!(ok(methods::BATCH, json!([])), Request::Batch(vec![]));
    }

    #[test]
    fn bad_params_are_invalid_params() {
        for (method, params) in [
            (methods::GET, json!([1])),
            (methods::GET, json!({"kee": "k"})),
            (methods::GET, json!(["a", "b"])),
            (methods::SET, json!({"key": "k", "value": 1, "extra": 2})),
            (methods::INCREMENT, json!(["k", 1.5])),
            (methods::INCREMENT, json!(["k", "1"])),
            (methods::LIST, json!({"limit": -1})),
            (methods::BATCH, json!([{"op": "frobnicate", "key": "k"}])),
            (
                methods::BATCH,
                json!([{"op": "set", "key": "k", "value": 1, "x": 0}]),
            ),
            (methods::GET_MANY, json!([1, 2])),
            (methods::USAGE, json!(["x"])),
        ] {
            assert_eq!(
                bad(method, params.clone()).code,
                -32602,
                "{method} {params}"
            );
        }
        assert_eq!(decode("store.nope", None).unwrap(), None);
    }
}
