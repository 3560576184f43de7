//! The `store.*` host methods: shapes, errors and namespaces.

use std::sync::Arc;

use serde_json::{Value, json};
use wasmi_plugin_protocol::{RpcError, codes, method::store as methods};

use super::within;
use crate::{
    CallerInfo, HostHandler,
    host::CallTree,
    store::{KvStore, MemoryStore, Namespace, Quota, Quotas, StoreHost},
};

fn caller(plugin: &str) -> CallerInfo {
    CallerInfo::new(plugin.into(), Arc::from([]), CallTree::default())
}

async fn call(
    host: &StoreHost,
    plugin: &str,
    method: &str,
    params: Value,
) -> Result<Value, RpcError> {
    let params = (!params.is_null()).then_some(params);
    within(host.handle(caller(plugin), method, params)).await
}

#[tokio::test]
async fn every_method_answers_in_its_documented_shape() {
    let host = StoreHost::new(MemoryStore::new());
    let p = "p";
    assert_eq!(
        call(&host, p, methods::GET, json!(["k"])).await.unwrap(),
        Value::Null
    );
    assert_eq!(
        call(&host, p, methods::SET, json!(["k", {"v": 1}]))
            .await
            .unwrap(),
        Value::Null
    );
    assert_eq!(
        call(&host, p, methods::GET, json!({"key": "k"}))
            .await
            .unwrap(),
        json!({"v": 1})
    );
    assert_eq!(
        call(&host, p, methods::GET_MANY, json!(["k", "absent"]))
            .await
            .unwrap(),
        json!([{"v": 1}, null])
    );
    assert_eq!(
        call(&host, p, methods::INCREMENT, json!(["n"]))
            .await
            .unwrap(),
        json!(1)
    );
    assert_eq!(
        call(
            &host,
            p,
            methods::INCREMENT,
            json!({"key": "n", "delta": 4})
        )
        .await
        .unwrap(),
        json!(5)
    );
    assert_eq!(
        call(&host, p, methods::CAS, json!(["n", 5, 6]))
            .await
            .unwrap(),
        json!({"swapped": true, "current": 6})
    );
    assert_eq!(
        call(
            &host,
            p,
            methods::CAS,
            json!({"key": "n", "expected": 5, "new": 7})
        )
        .await
        .unwrap(),
        json!({"swapped": false, "current": 6})
    );
    assert_eq!(
        call(&host, p, methods::LIST, json!({"limit": 1}))
            .await
            .unwrap(),
        json!({"keys": ["k"], "cursor": "k"})
    );
    assert_eq!(
        call(&host, p, methods::LIST, json!({"cursor": "k"}))
            .await
            .unwrap(),
        json!({"keys": ["n"], "cursor": null})
    );
    assert_eq!(
        call(
            &host,
            p,
            methods::BATCH,
            json!([
                {"op": "set", "key": "a", "value": "x"},
                {"op": "delete", "key": "k"},
                {"op": "increment", "key": "n", "delta": 10},
                {"op": "cas", "key": "a", "expected": "x", "new": "y"},
            ])
        )
        .await
        .unwrap(),
        json!({"committed": true, "results": [null, true, 16, true]})
    );
    assert_eq!(
        call(
            &host,
            p,
            methods::BATCH,
            json!({"ops": [
                {"op": "set", "key": "b", "value": 1},
                {"op": "cas", "key": "a", "expected": "x"},
            ]})
        )
        .await
        .unwrap(),
        json!({"committed": false, "index": 1, "current": "y"})
    );
    assert_eq!(
        call(&host, p, methods::DELETE, json!(["a"])).await.unwrap(),
        json!(true)
    );
    assert_eq!(
        call(&host, p, methods::DELETE, json!(["a"])).await.unwrap(),
        json!(false)
    );
    let usage = call(&host, p, methods::USAGE, Value::Null).await.unwrap();
    assert_eq!(usage["keys"], 1);
    assert_eq!(usage["bytes"], 3);
    assert_eq!(usage["quota"]["max_keys"], Quota::default().max_keys());
}

#[tokio::test]
async fn errors_carry_codes_and_data() {
    let quotas = Quotas::new(Quota::default().with_max_keys(1).with_max_value_bytes(24));
    let host = StoreHost::new(MemoryStore::new().with_quotas(quotas));
    let p = "p";
    let error = |result: Result<Value, RpcError>| result.unwrap_err();

    let e = error(call(&host, p, methods::GET, json!([""])).await);
    assert_eq!(
        (e.code, e.data.unwrap()["reason"].clone()),
        (-32602, json!("invalid_key"))
    );
    let e = error(call(&host, p, methods::SET, json!({"key": "k", "value": null})).await);
    assert_eq!(
        (e.code, e.data.unwrap()["reason"].clone()),
        (-32602, json!("null_value"))
    );
    let e = error(call(&host, p, methods::SET, json!({"key": "k"})).await);
    assert_eq!(e.code, -32602);
    let e = error(call(&host, p, methods::SET, json!(["k", 1, 2])).await);
    assert_eq!(e.code, -32602);
    let e = error(call(&host, p, methods::LIST, json!({"limit": 1001})).await);
    assert_eq!(
        (e.code, e.data.unwrap()["reason"].clone()),
        (-32602, json!("too_many"))
    );
    let e = error(
        call(
            &host,
            p,
            methods::LIST,
            json!({"prefix": "a", "cursor": "b"}),
        )
        .await,
    );
    assert_eq!(e.code, -32602);

    let e = error(
        call(
            &host,
            p,
            methods::SET,
            json!(["k", "a value of 25 JSON byte"]),
        )
        .await,
    );
    assert_eq!(e.code, codes::QUOTA_EXCEEDED);
    assert_eq!(
        e.data.unwrap(),
        json!({"quota": "value_bytes", "limit": 24, "requested": 25})
    );
    call(&host, p, methods::SET, json!(["k", "text"]))
        .await
        .unwrap();
    let e = error(call(&host, p, methods::SET, json!(["k2", 1])).await);
    assert_eq!(e.code, -32004);
    assert_eq!(
        e.data.unwrap(),
        json!({"quota": "keys", "limit": 1, "requested": 2})
    );

    let e = error(call(&host, p, methods::INCREMENT, json!(["k"])).await);
    assert_eq!(e.code, codes::NOT_AN_INTEGER);
    assert_eq!(
        e.data.unwrap(),
        json!({"reason": "not_an_integer", "key": "k"})
    );
    assert!(e.message.contains("not an integer"), "{}", e.message);
    call(&host, p, methods::DELETE, json!(["k"])).await.unwrap();
    call(&host, p, methods::SET, json!(["m", i64::MAX]))
        .await
        .unwrap();
    let e = error(call(&host, p, methods::INCREMENT, json!(["m"])).await);
    assert_eq!(
        (e.code, e.data.unwrap()["reason"].clone()),
        (-32005, json!("overflow"))
    );

    let e = error(call(&host, p, "store.nope", Value::Null).await);
    assert_eq!(e.code, -32601);
    assert!(e.message.contains("store.nope"));
}

#[tokio::test]
async fn each_plugin_has_its_own_namespace() {
    let store = MemoryStore::new();
    let host = StoreHost::new(store.clone());
    call(&host, "a", methods::SET, json!(["k", "a's"]))
        .await
        .unwrap();
    call(&host, "b", methods::SET, json!(["k", "b's"]))
        .await
        .unwrap();
    assert_eq!(
        call(&host, "a", methods::GET, json!(["k"])).await.unwrap(),
        "a's"
    );
    assert_eq!(
        call(&host, "b", methods::GET, json!(["k"])).await.unwrap(),
        "b's"
    );
    // The embedder sees both, by namespace.
    let a = Namespace::plugin("a").unwrap();
    assert_eq!(store.get(&a, "k").await.unwrap(), Some(json!("a's")));
    store.set(&a, "from-host", json!(1)).await.unwrap();
    assert_eq!(
        call(&host, "a", methods::GET, json!(["from-host"]))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        call(&host, "b", methods::GET, json!(["from-host"]))
            .await
            .unwrap(),
        Value::Null
    );
}

#[tokio::test]
async fn the_embedder_can_pick_the_namespace() {
    let store = MemoryStore::new();
    let room = Namespace::new("room/1").unwrap();
    let shared = room.clone();
    let host = StoreHost::new(store.clone()).with_namespace(move |_| Ok(shared.clone()));
    call(&host, "a", methods::INCREMENT, json!(["players"]))
        .await
        .unwrap();
    call(&host, "b", methods::INCREMENT, json!(["players"]))
        .await
        .unwrap();
    assert_eq!(store.get(&room, "players").await.unwrap(), Some(json!(2)));
    // A plugin name too long for a namespace is the host's problem: -32603.
    let plain = StoreHost::new(store);
    let e = call(&plain, &"p".repeat(300), methods::GET, json!(["k"]))
        .await
        .unwrap_err();
    assert_eq!(e.code, -32603);
}

#[test]
fn it_lists_its_methods_for_a_capability() {
    let host = StoreHost::new(MemoryStore::new());
    let names = host.method_names();
    assert_eq!(names.len(), methods::ALL.len());
    assert!(methods::ALL.iter().all(|m| names.iter().any(|n| n == m)));
}
