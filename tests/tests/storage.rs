//! The `storage` capability through real plugins: `store-plugin` keeps its
//! state with the plugin kit's `ctx.store()` helpers, in a host that gave it
//! a store with `PluginBuilder::with_store` or `PluginSetBuilder::with_store`.
//! Many fresh instances at once, crafted keys, bad input, quotas and
//! permissions, on the in-memory and the redb backend.

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use serde_json::{Value, json};
use wasmi_hdk::{
    Error, HostRouter, Plugin, RpcError,
    set::{Manifest, PluginSet},
    store::{
        KvStore, MAX_BATCH_OPS, MAX_KEY_BYTES, MemoryStore, Namespace, Quota, Quotas, RedbStore,
        StoreHost,
    },
};

use crate::util::within;

const STORE_PLUGIN: &[u8] = test_plugin_artifacts::STORE_PLUGIN;

/// A store of each backend, with the temporary directory a file needs.
fn backends(quotas: Quotas) -> Vec<(Arc<dyn KvStore>, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    let redb = RedbStore::open(dir.path().join("state.redb"))
        .unwrap()
        .with_quotas(quotas.clone());
    vec![
        (Arc::new(MemoryStore::new().with_quotas(quotas)), None),
        (Arc::new(redb), Some(dir)),
    ]
}

/// `store-plugin` named `name`, with `store`.
fn plugin(name: &str, store: impl Into<StoreHost>) -> Plugin {
    Plugin::builder()
        .with_name(name)
        .with_store(store)
        .build(STORE_PLUGIN)
        .unwrap()
}

async fn call(plugin: &Plugin, method: &str, params: Value) -> Result<Value, Error> {
    within(plugin.call_raw(method, params)).await
}

/// The JSON-RPC error a call failed with.
fn rpc(result: Result<Value, Error>) -> RpcError {
    match result {
        Err(Error::Rpc(e)) => e,
        other => panic!("expected a JSON-RPC error, got {other:?}"),
    }
}

#[tokio::test]
async fn with_store_gives_one_plugin_its_namespace_next_to_its_host() {
    let store = MemoryStore::new();
    let plugin = Plugin::builder()
        .with_name("notes")
        .with_host(
            HostRouter::new().with_method("host.echo", |_caller, v: Value| async move {
                Ok::<_, RpcError>(v)
            }),
        )
        .with_store(store.clone())
        .build(test_plugin_artifacts::TEST_PLUGIN)
        .unwrap();
    let host_call = |method: &str, params: Value| {
        plugin.call_raw("call_host", json!({"method": method, "params": params}))
    };
    within(host_call("store.set", json!(["k", {"n": 1}])))
        .await
        .unwrap();
    // The plugin's other host methods still answer.
    assert_eq!(
        within(host_call("host.echo", json!(["hi"]))).await.unwrap(),
        json!(["hi"])
    );
    let e = rpc(within(host_call("host.nope", json!([]))).await);
    assert_eq!(e.code, -32601);
    let notes = Namespace::plugin("notes").unwrap();
    assert_eq!(store.get(&notes, "k").await.unwrap(), Some(json!({"n": 1})));
    store
        .set(&notes, "from-rust", json!("hello"))
        .await
        .unwrap();
    assert_eq!(
        within(host_call("store.get", json!(["from-rust"])))
            .await
            .unwrap(),
        "hello"
    );
}

#[tokio::test]
async fn the_typed_helpers_work_against_every_backend() {
    for (store, _dir) in backends(Quotas::default()) {
        let p = plugin("typed", store.clone());
        call(&p, "set", json!({"key": "user/ann", "value": {"score": 3}}))
            .await
            .unwrap();
        call(&p, "set", json!({"key": "user/bob", "value": [1, 2]}))
            .await
            .unwrap();
        assert_eq!(
            call(&p, "get", json!({"key": "user/ann"})).await.unwrap(),
            json!({"score": 3})
        );
        assert_eq!(
            call(&p, "get", json!({"key": "nobody"})).await.unwrap(),
            Value::Null
        );
        assert_eq!(
            call(&p, "get_many", json!({"keys": ["user/bob", "x"]}))
                .await
                .unwrap(),
            json!([[1, 2], null])
        );
        assert_eq!(
            call(&p, "list", json!({"prefix": "user/", "limit": 1}))
                .await
                .unwrap(),
            json!({"keys": ["user/ann"], "cursor": "user/ann"})
        );
        assert_eq!(
            call(&p, "list", json!({"prefix": "user/", "cursor": "user/ann"}))
                .await
                .unwrap(),
            json!({"keys": ["user/bob"], "cursor": null})
        );
        assert_eq!(
            call(&p, "increment", json!({"key": "n", "delta": 5, "times": 2}))
                .await
                .unwrap(),
            json!([5, 10])
        );
        assert_eq!(
            call(&p, "cas_count", json!({"key": "n", "times": 3}))
                .await
                .unwrap(),
            json!({"value": 13, "retries": 0})
        );
        assert_eq!(
            call(&p, "batch_write", json!({"keys": ["a", "b"], "value": "v"}))
                .await
                .unwrap(),
            json!([null, null, 1])
        );
        assert_eq!(call(&p, "delete", json!({"key": "a"})).await.unwrap(), true);
        assert_eq!(
            call(&p, "delete", json!({"key": "a"})).await.unwrap(),
            false
        );
        let usage = call(&p, "usage", Value::Null).await.unwrap();
        assert_eq!(usage["keys"], 5, "{usage}");
        let ns = Namespace::plugin("typed").unwrap();
        assert_eq!(store.get(&ns, "b").await.unwrap(), Some(json!("v")));
        assert_eq!(store.usage(&ns).await.unwrap().keys, 5);
    }
}

/// Fresh instances running at once.
const INSTANCES: usize = 64;
/// What each of them adds.
const EACH: usize = 4;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_instances_count_exactly_with_compare_and_swap() {
    let dir = tempfile::tempdir().unwrap();
    let store = RedbStore::open(dir.path().join("state.redb")).unwrap();
    let p = plugin("counter", store.clone());
    let calls: Vec<_> = (0..INSTANCES)
        .map(|_| {
            let call = p.call_raw("cas_count", json!({"key": "n", "times": EACH}));
            tokio::spawn(within(call))
        })
        .collect();
    let mut retries = 0;
    for call in calls {
        let answer = call.await.unwrap().unwrap();
        retries += answer["retries"].as_u64().unwrap();
    }
    let total = (INSTANCES * EACH) as u64;
    let ns = Namespace::plugin("counter").unwrap();
    assert_eq!(
        store.get(&ns, "n").await.unwrap(),
        Some(json!(total)),
        "after {retries} retries"
    );
    println!("{INSTANCES} instances, {total} compare-and-swaps, {retries} retries");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_instances_count_exactly_with_increment() {
    let dir = tempfile::tempdir().unwrap();
    let store = RedbStore::open(dir.path().join("state.redb")).unwrap();
    let p = plugin("counter", store.clone());
    let calls: Vec<_> = (0..INSTANCES)
        .map(|_| {
            let call = p.call_raw("increment", json!({"key": "n", "times": EACH}));
            tokio::spawn(within(call))
        })
        .collect();
    let mut seen = Vec::new();
    for call in calls {
        let answer = call.await.unwrap().unwrap();
        seen.extend(
            answer
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_i64().unwrap()),
        );
    }
    // Every increment answered a distinct value: 1..=total, each once.
    seen.sort_unstable();
    let total = (INSTANCES * EACH) as i64;
    assert_eq!(seen, (1..=total).collect::<Vec<_>>());
    let ns = Namespace::plugin("counter").unwrap();
    assert_eq!(store.get(&ns, "n").await.unwrap(), Some(json!(total)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plugins_reading_never_see_half_a_batch() {
    for (store, _dir) in backends(Quotas::default()) {
        let p = plugin("batches", store.clone());
        let keys: Vec<String> = (0..8).map(|i| format!("k{i}")).collect();
        let done = Arc::new(AtomicBool::new(false));
        let writers: Vec<_> = (0..4)
            .map(|w| {
                let (p, keys) = (p.clone(), keys.clone());
                tokio::spawn(async move {
                    for round in 0..25 {
                        let value = json!({"writer": w, "round": round});
                        call(&p, "batch_write", json!({"keys": keys, "value": value}))
                            .await
                            .unwrap();
                    }
                })
            })
            .collect();
        let readers: Vec<_> = (0..8)
            .map(|_| {
                let (p, keys, done) = (p.clone(), keys.clone(), done.clone());
                tokio::spawn(async move {
                    let mut reads = 0;
                    loop {
                        let finished = done.load(Ordering::Acquire);
                        // The plugin fails the call if a read saw half a batch.
                        let answer =
                            call(&p, "snapshots", json!({"keys": keys, "reads": 10})).await;
                        reads += answer.unwrap().as_u64().unwrap();
                        if finished {
                            return reads;
                        }
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.await.unwrap();
        }
        done.store(true, Ordering::Release);
        for reader in readers {
            assert!(reader.await.unwrap() > 0);
        }
        let ns = Namespace::plugin("batches").unwrap();
        assert_eq!(store.get(&ns, "batches").await.unwrap(), Some(json!(100)));
    }
}

/// Keys that spell another namespace, walk out of one, hide a NUL or a
/// separator, or are as long as a key may be.
fn crafted_keys() -> Vec<String> {
    vec![
        "secret".to_owned(),
        "../alice/secret".to_owned(),
        "..".to_owned(),
        "/".to_owned(),
        "plugin:alice".to_owned(),
        "plugin:alice\0secret".to_owned(),
        "alice\0secret".to_owned(),
        "\0".to_owned(),
        "alice/secret".to_owned(),
        "secret\0".to_owned(),
        "s".repeat(MAX_KEY_BYTES),
        format!("plugin:alice{}", "\u{10FFFF}".repeat(100)),
    ]
}

#[tokio::test]
async fn crafted_keys_stay_in_their_plugins_namespace() {
    for (store, _dir) in backends(Quotas::default()) {
        let set = PluginSet::builder()
            .with_store(store.clone())
            .build()
            .unwrap();
        for name in ["alice", "mallory", "alice_"] {
            let manifest = format!("name = \"{name}\"\npermissions = [\"storage\"]");
            set.load(
                Manifest::from_toml(&manifest, "m.toml").unwrap(),
                STORE_PLUGIN,
            )
            .unwrap();
        }
        let call = |plugin: &'static str, method: &'static str, params: Value| {
            within(set.call_raw(plugin, method, params))
        };
        call("alice", "set", json!({"key": "secret", "value": "alice's"}))
            .await
            .unwrap();
        for key in crafted_keys() {
            assert_eq!(
                call("mallory", "get", json!({ "key": key })).await.unwrap(),
                Value::Null,
                "{key:?}"
            );
            call("mallory", "set", json!({"key": key, "value": "mallory's"}))
                .await
                .unwrap();
            call("alice_", "set", json!({"key": key, "value": "alice_'s"}))
                .await
                .unwrap();
            assert_eq!(
                call("mallory", "get", json!({ "key": key })).await.unwrap(),
                "mallory's",
                "{key:?}"
            );
        }
        // Listing with any prefix shows only the plugin's own keys.
        for prefix in ["", "s", "secret", "plugin:", "plugin:alice", "..", "\0"] {
            let page = call("alice", "list", json!({"prefix": prefix, "limit": 1000}))
                .await
                .unwrap();
            let expected = if "secret".starts_with(prefix) {
                json!(["secret"])
            } else {
                json!([])
            };
            assert_eq!(page["keys"], expected, "prefix {prefix:?}");
        }
        assert_eq!(
            call("alice", "get", json!({"key": "secret"}))
                .await
                .unwrap(),
            "alice's"
        );
        let alice = Namespace::plugin("alice").unwrap();
        assert_eq!(store.usage(&alice).await.unwrap().keys, 1);
        let mallory = Namespace::plugin("mallory").unwrap();
        assert_eq!(
            store.usage(&mallory).await.unwrap().keys,
            crafted_keys().len() as u64
        );
        // A key one byte too long is refused, not truncated onto another.
        let e = rpc(call(
            "mallory",
            "set",
            json!({"key": "s".repeat(MAX_KEY_BYTES + 1), "value": 1}),
        )
        .await);
        assert_eq!(e.code, -32602);
        assert!(
            e.message.contains("513 bytes long, at most 512"),
            "{}",
            e.message
        );
        assert_eq!(store.usage(&alice).await.unwrap().keys, 1);
    }
}

#[tokio::test]
async fn bad_input_is_invalid_params_with_a_clear_message() {
    for (store, _dir) in backends(Quotas::default()) {
        let p = plugin("p", store.clone());
        let raw = |method: &str, params: Value| {
            call(&p, "raw", json!({"method": method, "params": params}))
        };
        let cases = [
            ("store.get", json!([1]), "invalid params"),
            ("store.get", json!({"key": null}), "invalid params"),
            ("store.get", json!({"kee": "k"}), "unknown field `kee`"),
            ("store.get", json!([""]), "invalid key: empty"),
            ("store.set", json!({"key": "k"}), "missing field `value`"),
            ("store.set", json!({"key": 7, "value": 1}), "invalid params"),
            ("store.set", json!(["k", null]), "null cannot be stored"),
            ("store.set", json!(["k", 1, 2]), "invalid params"),
            ("store.increment", json!(["k", 1.5]), "invalid params"),
            ("store.list", json!({"limit": -1}), "invalid params"),
            (
                "store.list",
                json!({"limit": 1001}),
                "too many keys in a page: 1001, at most 1000",
            ),
            (
                "store.list",
                json!({"prefix": "a", "cursor": "b"}),
                "does not start with the prefix",
            ),
            (
                "store.batch",
                json!([{"op": "frobnicate", "key": "k"}]),
                "invalid params",
            ),
            ("store.batch", json!("not ops"), "invalid params"),
            ("store.get_many", json!([1, 2]), "invalid params"),
            ("store.usage", json!(["x"]), "invalid params"),
        ];
        for (method, params, says) in cases {
            let e = rpc(raw(method, params.clone()).await);
            assert_eq!(e.code, -32602, "{method} {params}: {e:?}");
            assert!(
                e.message.contains(says),
                "{method} {params}: {:?} should say {says:?}",
                e.message
            );
        }
        let ops: Vec<Value> = (0..=MAX_BATCH_OPS)
            .map(|i| json!({"op": "set", "key": format!("k{i}"), "value": i}))
            .collect();
        let e = rpc(raw("store.batch", json!({ "ops": ops })).await);
        assert_eq!(e.code, -32602);
        assert_eq!(e.data.unwrap()["reason"], "too_many");
        // The typed helpers say the same.
        assert_eq!(
            call(&p, "try_set", json!({"key": "", "value": 1}))
                .await
                .unwrap(),
            json!({"error": "invalid_input", "reason": "invalid_key",
                   "message": "invalid params: invalid key: empty"})
        );
        // Nothing was written, and the store still works.
        let ns = Namespace::plugin("p").unwrap();
        assert_eq!(store.usage(&ns).await.unwrap().keys, 0);
        call(&p, "set", json!({"key": "k", "value": 1}))
            .await
            .unwrap();
        assert_eq!(call(&p, "get", json!({"key": "k"})).await.unwrap(), 1);
    }
}

#[tokio::test]
async fn a_quota_is_its_own_error_and_the_store_stays_usable() {
    let quotas = Quotas::new(
        Quota::default()
            .with_max_keys(3)
            .with_max_bytes(64)
            .with_max_value_bytes(16),
    );
    for (store, _dir) in backends(quotas) {
        let p = plugin("p", store.clone());
        for key in ["a", "b", "c"] {
            call(&p, "set", json!({"key": key, "value": 1}))
                .await
                .unwrap();
        }
        // Through `?`: the plugin answers the host's quota error.
        let e = rpc(call(&p, "set", json!({"key": "d", "value": 1})).await);
        assert_eq!(e.code, -32004);
        assert_eq!(
            e.data,
            Some(json!({"quota": "keys", "limit": 3, "requested": 4}))
        );
        // Typed, in the plugin.
        assert_eq!(
            call(&p, "try_set", json!({"key": "d", "value": 1}))
                .await
                .unwrap(),
            json!({"error": "quota_exceeded", "quota": "keys", "limit": 3, "requested": 4})
        );
        assert_eq!(
            call(
                &p,
                "try_set",
                json!({"key": "a", "value": "seventeen bytes"})
            )
            .await
            .unwrap(),
            json!({"error": "quota_exceeded", "quota": "value_bytes", "limit": 16, "requested": 17})
        );
        let e = rpc(call(&p, "batch_write", json!({"keys": ["x"], "value": 1})).await);
        assert_eq!(e.code, -32004);
        // Nothing of the refused writes landed; overwrites, deletes and
        // then new keys work again.
        let ns = Namespace::plugin("p").unwrap();
        assert_eq!(store.usage(&ns).await.unwrap().keys, 3);
        call(&p, "set", json!({"key": "a", "value": "fits"}))
            .await
            .unwrap();
        assert_eq!(call(&p, "delete", json!({"key": "b"})).await.unwrap(), true);
        call(&p, "set", json!({"key": "d", "value": 2}))
            .await
            .unwrap();
        assert_eq!(
            call(&p, "get_many", json!({"keys": ["a", "b", "c", "d"]}))
                .await
                .unwrap(),
            json!(["fits", null, 1, 2])
        );
        let usage = call(&p, "usage", Value::Null).await.unwrap();
        assert_eq!(
            (usage["keys"].clone(), usage["max_keys"].clone()),
            (json!(3), json!(3))
        );
    }
}

#[tokio::test]
async fn a_plugin_without_the_capability_gets_the_permission_error() {
    let store = MemoryStore::new();
    let set = PluginSet::builder()
        .with_store(store.clone())
        .build()
        .unwrap();
    let manifest = |text: &str| Manifest::from_toml(text, "m.toml").unwrap();
    set.load(
        manifest("name = \"keeper\"\npermissions = [\"storage\"]"),
        STORE_PLUGIN,
    )
    .unwrap();
    set.load(manifest("name = \"plain\""), STORE_PLUGIN)
        .unwrap();
    within(set.call_raw("keeper", "set", json!({"key": "k", "value": 1})))
        .await
        .unwrap();
    let e = rpc(within(set.call_raw("plain", "get", json!({"key": "k"}))).await);
    assert_eq!(e.code, -32002);
    assert_eq!(e.message, "permission denied: store.get needs storage");
    for (method, params) in [
        ("increment", json!({"key": "k"})),
        ("list", json!({})),
        ("usage", Value::Null),
    ] {
        let e = rpc(within(set.call_raw("plain", method, params)).await);
        assert_eq!(e.code, -32002, "{method}");
    }
    assert_eq!(
        within(set.call_raw("plain", "try_set", json!({"key": "k", "value": 2})))
            .await
            .unwrap(),
        json!({"error": "permission_denied", "message": "permission denied: store.set needs storage"})
    );
    // Nothing reached the store from the plugin without the capability.
    assert_eq!(
        store
            .usage(&Namespace::plugin("plain").unwrap())
            .await
            .unwrap()
            .keys,
        0
    );
    // A host that offers no store at all answers -32601.
    let bare = Plugin::builder().build(STORE_PLUGIN).unwrap();
    assert_eq!(
        within(bare.call_raw("try_set", json!({"key": "k", "value": 2})))
            .await
            .unwrap()["error"],
        "unavailable"
    );
}
