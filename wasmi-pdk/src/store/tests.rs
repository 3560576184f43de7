//! The helpers against a scripted host: what they send, and how they read
//! each answer and error.

use serde_json::{Value, json};

use super::*;
use crate::{Router, RpcError, serve_io};

/// Runs one request of `router` whose host calls are answered, in order,
/// by `answers` (a result, or an error object); returns the host calls
/// the plugin made and its response.
fn run(router: &Router, params: Value, answers: &[Result<Value, Value>]) -> (Vec<Value>, Value) {
    let mut input = format!(
        "{}\n",
        json!({"jsonrpc": "2.0", "id": "req", "method": "m", "params": params})
    );
    for (i, answer) in answers.iter().enumerate() {
        let id = i + 1;
        let line = match answer {
            Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
            Err(error) => json!({"jsonrpc": "2.0", "id": id, "error": error}),
        };
        input.push_str(&format!("{line}\n"));
    }
    let mut out = Vec::new();
    serve_io(router, &mut input.as_bytes(), &mut out);
    let mut lines: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let response = lines.pop().expect("a response");
    let calls = lines
        .into_iter()
        .map(|call| json!([call["method"], call["params"]]))
        .collect();
    (calls, response)
}

fn router<F, Fut, R>(handler: F) -> Router
where
    F: Fn(Context, Value) -> Fut + 'static,
    Fut: core::future::Future<Output = Result<R, RpcError>> + 'static,
    R: Serialize + 'static,
{
    Router::new().with_method("m", handler)
}

#[test]
fn each_helper_sends_its_method_with_named_params() {
    let r = router(|ctx, _: Value| async move {
        let store = ctx.store();
        let got: Option<Vec<u8>> = store.get("k").await?;
        let many: Vec<Option<i64>> = store.get_many(&["a", "b"]).await?;
        store.set("k", &[1, 2]).await?;
        let existed = store.delete("k").await?;
        let page = store.list("p/", Some("p/a"), 2).await?;
        let swap = store.compare_and_swap("n", Some(&1), Some(&2)).await?;
        let n = store.increment("n", -3).await?;
        let usage = store.usage().await?;
        Ok::<_, RpcError>(json!({
            "got": got, "many": many, "existed": existed, "page": page.keys,
            "cursor": page.cursor, "swap": [swap.swapped, swap.current],
            "n": n, "keys": usage.keys, "max_keys": usage.quota.max_keys,
        }))
    });
    let (calls, response) = run(
        &r,
        Value::Null,
        &[
            Ok(json!([3, 4])),
            Ok(json!([7, null])),
            Ok(Value::Null),
            Ok(json!(true)),
            Ok(json!({"keys": ["p/b", "p/c"], "cursor": "p/c"})),
            Ok(json!({"swapped": false, "current": 5})),
            Ok(json!(2)),
            Ok(
                json!({"keys": 1, "bytes": 2, "quota": {"max_keys": 10, "max_bytes": 20, "max_value_bytes": 5}}),
            ),
        ],
    );
    assert_eq!(
        calls,
        [
            json!(["store.get", {"key": "k"}]),
            json!(["store.get_many", {"keys": ["a", "b"]}]),
            json!(["store.set", {"key": "k", "value": [1, 2]}]),
            json!(["store.delete", {"key": "k"}]),
            json!(["store.list", {"prefix": "p/", "cursor": "p/a", "limit": 2}]),
            json!(["store.cas", {"key": "n", "expected": 1, "new": 2}]),
            json!(["store.increment", {"key": "n", "delta": -3}]),
            json!(["store.usage", null]),
        ]
    );
    assert_eq!(
        response["result"],
        json!({
            "got": [3, 4], "many": [7, null], "existed": true, "page": ["p/b", "p/c"],
            "cursor": "p/c", "swap": [false, 5], "n": 2, "keys": 1, "max_keys": 10,
        })
    );
}

#[test]
fn batches_send_tagged_ops_and_read_both_outcomes() {
    let r = router(|ctx, _: Value| async move {
        let batch = || {
            Batch::new()
                .set("a", "x")
                .delete("b")
                .increment("c", 2)
                .compare_and_swap::<i64>("d", None, Some(&1))
        };
        let first = ctx.store().batch(batch()).await?;
        let second = ctx.store().batch(batch()).await?;
        Ok::<_, RpcError>(json!([format!("{first:?}"), format!("{second:?}")]))
    });
    let (calls, response) = run(
        &r,
        Value::Null,
        &[
            Ok(json!({"committed": true, "results": [null, false, 2, true]})),
            Ok(json!({"committed": false, "index": 3, "current": 1})),
        ],
    );
    let ops = json!({"ops": [
        {"op": "set", "key": "a", "value": "x"},
        {"op": "delete", "key": "b"},
        {"op": "increment", "key": "c", "delta": 2},
        {"op": "cas", "key": "d", "expected": null, "new": 1},
    ]});
    assert_eq!(
        calls,
        [json!(["store.batch", ops]), json!(["store.batch", ops])]
    );
    assert_eq!(
        response["result"],
        json!([
            format!(
                "{:?}",
                BatchOutcome::Committed(vec![Value::Null, json!(false), json!(2), json!(true)])
            ),
            format!(
                "{:?}",
                BatchOutcome::Mismatch {
                    index: 3,
                    current: Some(json!(1))
                }
            ),
        ])
    );
}

#[test]
fn a_typed_error_returned_with_question_mark_is_the_hosts_error() {
    let r = router(|ctx, _: Value| async move {
        ctx.store().set("k", &1).await?;
        Ok::<_, RpcError>(())
    });
    let quota = json!({"code": -32004, "message": "quota exceeded", "data": {"quota": "keys", "limit": 1, "requested": 2}});
    let (_, response) = run(&r, Value::Null, &[Err(quota)]);
    assert_eq!(
        response["error"],
        json!({"code": -32004, "message": "quota exceeded: keys would be 2, the limit is 1",
               "data": {"quota": "keys", "limit": 1, "requested": 2}})
    );
}

// A test of its own: host-call ids count per thread, and `run` answers from 1.
#[test]
fn each_error_code_has_its_variant() {
    let r = router(|ctx, _: Value| async move {
        let mut seen = Vec::new();
        for _ in 0..6 {
            seen.push(match ctx.store().increment("k", 1).await {
                Err(StoreError::QuotaExceeded {
                    quota,
                    limit,
                    requested,
                }) => {
                    format!("quota {quota} {limit} {requested}")
                }
                Err(StoreError::NotAnInteger { key }) => format!("not an integer {key}"),
                Err(StoreError::Overflow { key }) => format!("overflow {key}"),
                Err(StoreError::InvalidInput { reason, .. }) => format!("invalid {reason:?}"),
                Err(StoreError::PermissionDenied { .. }) => "denied".to_owned(),
                Err(StoreError::Host(e)) => format!("host {}", e.code),
                other => format!("{other:?}"),
            });
        }
        Ok::<_, RpcError>(seen)
    });
    let (_, response) = run(
        &r,
        Value::Null,
        &[
            Err(
                json!({"code": -32004, "message": "q", "data": {"quota": "value_bytes", "limit": 8, "requested": 9}}),
            ),
            Err(
                json!({"code": -32005, "message": "m", "data": {"reason": "not_an_integer", "key": "k"}}),
            ),
            Err(
                json!({"code": -32005, "message": "m", "data": {"reason": "overflow", "key": "k"}}),
            ),
            Err(json!({"code": -32602, "message": "bad", "data": {"reason": "invalid_key"}})),
            Err(json!({"code": -32002, "message": "permission denied"})),
            Err(json!({"code": -32603, "message": "storage backend failed"})),
        ],
    );
    assert_eq!(
        response["result"],
        json!([
            "quota value_bytes 8 9",
            "not an integer k",
            "overflow k",
            "invalid Some(\"invalid_key\")",
            "denied",
            "host -32603",
        ])
    );
}

#[test]
fn values_that_do_not_fit_are_typed_errors() {
    let r = router(|ctx, _: Value| async move {
        let wrong = match ctx.store().get::<u8>("k").await {
            Err(StoreError::Decode { key, .. }) => key,
            other => format!("{other:?}"),
        };
        // A map with non-string keys does not serialise to JSON; nothing is sent.
        let map = std::collections::BTreeMap::from([((1, 2), 3)]);
        let unencodable = match ctx.store().set("m", &map).await {
            Err(StoreError::Encode { key, .. }) => key,
            other => format!("{other:?}"),
        };
        let in_batch = match ctx.store().batch(Batch::new().set("b", &map)).await {
            Err(StoreError::Encode { key, .. }) => key,
            other => format!("{other:?}"),
        };
        let unavailable = matches!(
            ctx.store().get::<Value>("k").await,
            Err(StoreError::Unavailable { .. })
        );
        Ok::<_, RpcError>(json!([wrong, unencodable, in_batch, unavailable]))
    });
    let (calls, response) = run(
        &r,
        Value::Null,
        &[
            Ok(json!("text")),
            Err(json!({"code": -32601, "message": "host method not found: store.get"})),
        ],
    );
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(response["result"], json!(["k", "m", "b", true]));
}
