//! The JavaScript `Store` and `Plugin.load`'s `store` option in a real
//! browser (headless Chromium via `wasm-bindgen-test`): a plugin keeps its
//! state in the page's IndexedDB, and the embedder reads and writes it.
//! (The reload itself is web-demo/e2e/store-reload.mjs.)
//!
//! Run by `web-demo/test.sh`; by hand:
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
//! cargo test -p wasmi-web --target wasm32-unknown-unknown --test js_store`.
#![cfg_attr(
    not(target_arch = "wasm32"),
    expect(
        unused_crate_dependencies,
        reason = "the browser tests are wasm32-only"
    )
)]
#![cfg(target_arch = "wasm32")]

use core::future::Future;

use futures::{FutureExt, future::Either, pin_mut};
use js_sys::{Function, Object, Promise, Reflect};
use serde_json::{Value, json};
use wasm_bindgen::{JsCast, JsValue, prelude::wasm_bindgen};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use wasmi_web::{LoadOptions, WebPlugin, WebStore};
use {tar as _, wasmi_hdk as _, wat as _};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: f64) -> JsValue;
}

/// Awaits `fut`, failing the test if it hangs (a hang bound, not a
/// performance bound).
async fn within<F: Future>(fut: F) -> F::Output {
    let timeout = JsFuture::from(Promise::new(&mut |resolve, _| {
        set_timeout(&resolve, 60_000.0);
    }))
    .fuse();
    let fut = fut.fuse();
    pin_mut!(timeout, fut);
    match futures::future::select(fut, timeout).await {
        Either::Left((output, _)) => output,
        Either::Right(_) => panic!("timed out: the store hung"),
    }
}

async fn ready(promise: Promise) -> Result<JsValue, JsValue> {
    within(JsFuture::from(promise)).await
}

fn object(entries: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in entries {
        Reflect::set(&object, &JsValue::from_str(key), value).unwrap();
    }
    object.into()
}

fn js_json(value: &Value) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).unwrap()
}

fn rust_json(value: &JsValue) -> Value {
    if value.is_undefined() {
        return Value::Null;
    }
    serde_json::from_str(&String::from(js_sys::JSON::stringify(value).unwrap())).unwrap()
}

fn prop(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

async fn load(name: &str, store: JsValue) -> Result<WebPlugin, JsValue> {
    let options = object(&[("name", name.into()), ("store", store)]);
    within(WebPlugin::load(
        js_sys::Uint8Array::from(test_plugin_artifacts::TEST_PLUGIN).into(),
        Some(options.unchecked_into::<LoadOptions>()),
    ))
    .await
}

/// Has `plugin` call store method `method` (the test plugin's `call_host`).
async fn host_call(plugin: &WebPlugin, method: &str, params: Value) -> Result<Value, JsValue> {
    let call = plugin.call(
        "call_host".to_owned(),
        Some(js_json(&json!({"method": method, "params": params}))),
        None,
    );
    ready(call).await.map(|v| rust_json(&v))
}

fn fresh_name() -> String {
    format!("js-store-test-{}", js_sys::Math::random())
}

#[wasm_bindgen_test]
async fn a_store_gives_the_plugin_its_namespace_and_the_page_every_one() {
    let store = within(WebStore::indexed_db(fresh_name())).await.unwrap();
    let plugin = load("counter", store.share().into()).await.unwrap();
    for expected in 1..=2 {
        assert_eq!(
            host_call(&plugin, "store.increment", json!(["visits"]))
                .await
                .unwrap(),
            json!(expected)
        );
    }
    let ns = WebStore::plugin_namespace("counter".into()).unwrap();
    assert_eq!(ns, "plugin:counter");
    assert_eq!(
        rust_json(&ready(store.get(ns.clone(), "visits".into())).await.unwrap()),
        json!(2)
    );
    ready(store.set(ns.clone(), "visits".into(), JsValue::from(41)))
        .await
        .unwrap();
    assert_eq!(
        host_call(&plugin, "store.increment", json!(["visits"]))
            .await
            .unwrap(),
        json!(42)
    );
    // The page's own namespaces are apart from the plugin's.
    ready(store.set("room/1".into(), "visits".into(), js_json(&json!({"n": 1}))))
        .await
        .unwrap();
    assert_eq!(
        host_call(&plugin, "store.get", json!(["visits"]))
            .await
            .unwrap(),
        json!(42)
    );
    assert_eq!(
        rust_json(
            &ready(store.get("room/1".into(), "absent".into()))
                .await
                .unwrap()
        ),
        Value::Null
    );
}

#[wasm_bindgen_test]
async fn the_option_opens_a_database_by_name_that_outlives_the_plugin() {
    let name = fresh_name();
    {
        let option = object(&[("indexedDb", name.as_str().into())]);
        let plugin = load("notes", option).await.unwrap();
        host_call(&plugin, "store.set", json!(["last", {"text": "hello"}]))
            .await
            .unwrap();
    }
    // Another connection to the same database, as after a reload.
    let store = within(WebStore::indexed_db(name.clone())).await.unwrap();
    let ns = WebStore::plugin_namespace("notes".into()).unwrap();
    assert_eq!(
        rust_json(&ready(store.get(ns.clone(), "last".into())).await.unwrap()),
        json!({"text": "hello"})
    );
    let option = object(&[("indexedDb", name.as_str().into())]);
    let again = load("notes", option).await.unwrap();
    assert_eq!(
        host_call(&again, "store.get", json!(["last"]))
            .await
            .unwrap(),
        json!({"text": "hello"})
    );
    // In memory, and refusals.
    let memory = load("m", object(&[("memory", true.into())])).await.unwrap();
    assert_eq!(
        host_call(&memory, "store.increment", json!(["n"]))
            .await
            .unwrap(),
        json!(1)
    );
    for bad in [
        JsValue::from(5),
        object(&[("indexedDb", 1.into())]),
        object(&[]),
    ] {
        let error = load("bad", bad).await.unwrap_err();
        assert_eq!(prop(&error, "kind"), "invalid_options");
        assert!(
            String::from(js_sys::Error::from(error).message()).contains("store"),
            "the error names the option"
        );
    }
    // Without a store, store.* is not found.
    let bare = within(WebPlugin::load(
        js_sys::Uint8Array::from(test_plugin_artifacts::TEST_PLUGIN).into(),
        None,
    ))
    .await
    .unwrap();
    let error = host_call(&bare, "store.get", json!(["k"]))
        .await
        .unwrap_err();
    assert_eq!(prop(&error, "code"), -32601);
}

#[wasm_bindgen_test]
async fn store_methods_list_count_and_refuse() {
    let store = WebStore::memory();
    let ns = "plugin:p".to_owned();
    for key in ["user/ann", "user/bob", "user/cy", "visits"] {
        ready(store.set(ns.clone(), key.into(), JsValue::from(1)))
            .await
            .unwrap();
    }
    let options = object(&[("prefix", "user/".into()), ("limit", 2.into())]);
    let page = ready(store.list(ns.clone(), Some(options.unchecked_into())))
        .await
        .unwrap();
    assert_eq!(
        rust_json(&page),
        json!({"keys": ["user/ann", "user/bob"], "cursor": "user/bob"})
    );
    let options = object(&[("prefix", "user/".into()), ("cursor", "user/bob".into())]);
    let page = ready(store.list(ns.clone(), Some(options.unchecked_into())))
        .await
        .unwrap();
    assert_eq!(
        rust_json(&page),
        json!({"keys": ["user/cy"], "cursor": null})
    );
    assert_eq!(
        rust_json(&ready(store.list(ns.clone(), None)).await.unwrap())["keys"],
        json!(["user/ann", "user/bob", "user/cy", "visits"])
    );
    assert_eq!(
        ready(store.increment(ns.clone(), "visits".into(), Some(5.0)))
            .await
            .unwrap(),
        6
    );
    assert_eq!(
        ready(store.delete(ns.clone(), "user/cy".into()))
            .await
            .unwrap(),
        true
    );
    assert_eq!(
        ready(store.delete(ns.clone(), "user/cy".into()))
            .await
            .unwrap(),
        false
    );
    assert_eq!(
        rust_json(&ready(store.usage(ns.clone())).await.unwrap()),
        json!({"keys": 3, "bytes": 25})
    );
    // Failures reject with a StoreError carrying the plugin's code.
    let error = ready(store.set(ns.clone(), "k".into(), JsValue::NULL))
        .await
        .unwrap_err();
    assert_eq!(prop(&error, "name"), "StoreError");
    assert_eq!(prop(&error, "code"), -32602);
    let error = ready(store.set(ns.clone(), String::new(), JsValue::from(1)))
        .await
        .unwrap_err();
    assert_eq!(prop(&error, "code"), -32602);
    ready(store.set(ns.clone(), "s".into(), "text".into()))
        .await
        .unwrap();
    let error = ready(store.increment(ns.clone(), "s".into(), None))
        .await
        .unwrap_err();
    assert_eq!(prop(&error, "code"), -32005);
    let big = JsValue::from_str(&"x".repeat(70_000));
    let error = ready(store.set(ns.clone(), "big".into(), big))
        .await
        .unwrap_err();
    assert_eq!(prop(&error, "code"), -32004);
    assert_eq!(rust_json(&prop(&error, "data"))["quota"], "value_bytes");
    let options = object(&[("limit", 1001.into())]);
    let error = ready(store.list(ns, Some(options.unchecked_into())))
        .await
        .unwrap_err();
    assert_eq!(prop(&error, "code"), -32602);
    // A Store object passed to a plugin stays usable by the page.
    let js_store: JsValue = store.share().into();
    let plugin = load("p", js_store.clone()).await.unwrap();
    assert_eq!(
        host_call(&plugin, "store.get", json!(["s"])).await.unwrap(),
        json!("text")
    );
    let get: Function = prop(&js_store, "get").unchecked_into();
    let value = get
        .call2(&js_store, &"plugin:p".into(), &"visits".into())
        .expect("the page's Store still works");
    assert_eq!(
        rust_json(&ready(value.unchecked_into()).await.unwrap()),
        json!(6)
    );
}
