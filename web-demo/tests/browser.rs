//! The host in a real browser (headless Chromium via `wasm-bindgen-test`):
//! wasmi-hdk's Rust API on `wasm32`, and the JavaScript API on top of it.
//!
//! Run by `web-demo/test.sh`; by hand:
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
//! cargo test -p wasmi-web --target wasm32-unknown-unknown`.
#![cfg_attr(
    not(target_arch = "wasm32"),
    expect(
        unused_crate_dependencies,
        reason = "the browser tests are wasm32-only"
    )
)]
#![cfg(target_arch = "wasm32")]

use core::{cell::RefCell, future::Future, time::Duration};
use std::rc::Rc;

use futures::{FutureExt, future::Either, pin_mut};
use js_sys::{Array, Function, Object, Promise, Reflect};
use serde_json::{Value, json};
use wasm_bindgen::{JsCast, JsValue, closure::Closure, prelude::wasm_bindgen};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use wasmi_hdk::{Error, HostRouter, Limits, LogLevel, Plugin, RpcError, TrapCode};
use wasmi_web::{CallOptions, LoadOptions, WebPlugin};

wasm_bindgen_test_configure!(run_in_browser);

/// How long any one call may take before the test counts it as hung.
const HANG_MS: f64 = 60_000.0;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

/// Resolves after `ms`.
async fn delay(ms: f64) {
    let promise = Promise::new(&mut |resolve, _| {
        set_timeout(&resolve, ms);
    });
    let _ = JsFuture::from(promise).await;
}

/// Awaits `fut`, failing the test if it takes longer than [`HANG_MS`].
async fn within<F: Future>(fut: F) -> F::Output {
    let fut = fut.fuse();
    let timeout = delay(HANG_MS).fuse();
    pin_mut!(fut, timeout);
    match futures::future::select(fut, timeout).await {
        Either::Left((output, _)) => output,
        Either::Right(((), _)) => panic!("timed out: the call hung"),
    }
}

fn echo_host() -> HostRouter {
    HostRouter::new().with_method("host.echo", |_caller, params: Value| async move {
        Ok::<_, RpcError>(params)
    })
}

fn test_plugin(limits: Limits) -> Plugin {
    Plugin::builder()
        .with_name("test-plugin")
        .with_host(echo_host())
        .with_limits(limits)
        .build(test_plugin_artifacts::TEST_PLUGIN)
        .unwrap()
}

fn misbehaving(limits: Limits) -> Plugin {
    Plugin::builder()
        .with_limits(limits)
        .build(test_plugin_artifacts::MISBEHAVING_PLUGIN)
        .unwrap()
}

// ---- wasmi-hdk's Rust API, on wasm32 ----

#[wasm_bindgen_test]
async fn ping_and_sieve() {
    let plugin = test_plugin(Limits::default());
    assert_eq!(
        within(plugin.call_raw("ping", Value::Null)).await.unwrap(),
        "pong"
    );
    assert_eq!(
        within(plugin.call_raw("sieve", json!([100_000])))
            .await
            .unwrap(),
        9592
    );
    let reported = within(plugin.call_with::<u64>("sieve", 1000, Default::default()))
        .await
        .unwrap();
    assert_eq!(reported.value, 168);
    assert!(reported.report.fuel_consumed > 0);
    assert!(reported.report.peak_memory > 0);
}

#[wasm_bindgen_test]
async fn json_rpc_error_reaches_the_caller() {
    let plugin = test_plugin(Limits::default());
    let error = within(plugin.call_raw(
        "fail",
        json!({"code": 4242, "message": "nope", "data": [1]}),
    ))
    .await
    .unwrap_err();
    match error {
        Error::Rpc(e) => {
            assert_eq!((e.code, e.message.as_str()), (4242, "nope"));
            assert_eq!(e.data, Some(json!([1])));
        }
        other => panic!("expected an RPC error, got {other:?}"),
    }
    let missing = within(plugin.call_raw("no_such_method", Value::Null)).await;
    assert!(matches!(missing, Err(Error::Rpc(e)) if e.code == -32601));
}

#[wasm_bindgen_test]
async fn rust_host_method_is_called() {
    let plugin = test_plugin(Limits::default());
    assert_eq!(within(plugin.call::<u64>("many_echo", 5)).await.unwrap(), 5);
    let echoed = within(plugin.call_raw("concurrent", json!([3])))
        .await
        .unwrap();
    assert_eq!(echoed, json!([[0], [1], [2]]));
}

#[wasm_bindgen_test]
async fn log_lines_reach_the_handler() {
    let lines: Rc<RefCell<Vec<(LogLevel, String)>>> = Rc::default();
    let sink = lines.clone();
    let plugin = Plugin::builder()
        .with_log_handler(move |record| {
            sink.borrow_mut()
                .push((record.level, record.message.to_owned()));
        })
        .build(test_plugin_artifacts::TEST_PLUGIN)
        .unwrap();
    within(plugin.call_raw("log", Value::Null)).await.unwrap();
    let lines = lines.borrow();
    assert!(
        lines.contains(&(LogLevel::Error, "error line".to_owned())),
        "{lines:?}"
    );
    assert!(
        lines.contains(&(LogLevel::Warn, "warn line".to_owned())),
        "{lines:?}"
    );
    assert!(
        lines.contains(&(LogLevel::Info, "info line".to_owned())),
        "{lines:?}"
    );
}

#[wasm_bindgen_test]
async fn wasi_clock_random_and_sleep_work() {
    let plugin = test_plugin(Limits::default());
    let random = within(plugin.call_raw("random", Value::Null))
        .await
        .unwrap();
    assert_eq!(random.as_str().unwrap().len(), 32);
    let time = within(plugin.call_raw("time", Value::Null)).await.unwrap();
    assert!(time["unix_ms"].as_u64().unwrap() > 1_600_000_000_000);
    let started = performance_now();
    let slept = within(plugin.call_raw("sleep", json!([30]))).await.unwrap();
    assert!(slept.as_u64().unwrap() >= 30, "{slept}");
    assert!(performance_now() - started >= 29.0);
}

#[wasm_bindgen_test]
async fn timeout_stops_a_runaway_plugin_and_the_page_stays_responsive() {
    let plugin = misbehaving(Limits::default().with_timeout(Duration::from_millis(500)));
    // A timer scheduled while the plugin spins must still fire on time.
    let fired_at: Rc<RefCell<Option<f64>>> = Rc::default();
    let record = fired_at.clone();
    let on_timer = Closure::once_into_js(move || *record.borrow_mut() = Some(performance_now()));
    let started = performance_now();
    set_timeout(on_timer.unchecked_ref(), 50.0);
    let error = within(plugin.call_raw("loop", Value::Null))
        .await
        .unwrap_err();
    let elapsed = performance_now() - started;
    assert!(
        matches!(error, Error::Timeout { limit } if limit == Duration::from_millis(500)),
        "{error:?}"
    );
    assert!(
        (450.0..5_000.0).contains(&elapsed),
        "stopped after {elapsed} ms"
    );
    let fired = fired_at
        .borrow()
        .expect("the timer fired while the plugin ran");
    assert!(
        fired - started < 250.0,
        "a 50 ms timer fired after {} ms",
        fired - started
    );
}

#[wasm_bindgen_test]
async fn memory_limit_is_enforced() {
    let plugin = misbehaving(Limits::default().with_max_memory(8 << 20));
    let error = within(plugin.call_raw("alloc", json!([16])))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::MemoryLimit { limit, .. } if limit == 8 << 20),
        "{error:?}"
    );
    // Within the limit it works.
    assert_eq!(
        within(plugin.call_raw("alloc", json!([2]))).await.unwrap(),
        2 << 20
    );
}

#[wasm_bindgen_test]
async fn fuel_limit_is_enforced() {
    let plugin = test_plugin(Limits::default().with_fuel(2_000_000));
    let error = within(plugin.call_raw("sieve", json!([1_000_000])))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::OutOfFuel { budget: 2_000_000 }),
        "{error:?}"
    );
    assert_eq!(
        within(plugin.call_raw("ping", Value::Null)).await.unwrap(),
        "pong"
    );
}

#[wasm_bindgen_test]
async fn trap_carries_the_panic_message() {
    let plugin = misbehaving(Limits::default());
    let error = within(plugin.call_raw("panic", Value::Null))
        .await
        .unwrap_err();
    assert!(matches!(&error, Error::Trap { .. }), "{error:?}");
    assert!(
        error.stderr_tail().unwrap().contains("deliberate panic"),
        "{error:?}"
    );
    // A Rust plugin overflowing its shadow stack (in linear memory).
    let error = within(plugin.call_raw("stack_overflow", Value::Null))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Trap {
                code: Some(TrapCode::StackOverflow | TrapCode::MemoryOutOfBounds),
                ..
            }
        ),
        "{error:?}"
    );
}

#[wasm_bindgen_test]
async fn deep_recursion_traps_without_touching_the_page_stack() {
    // Wasm calls run on wasmi's own stack: endless recursion is a trap,
    // never a JavaScript "Maximum call stack size exceeded".
    let wasm = wat::parse_str(
        r#"(module
            (memory (export "memory") 1)
            (func $deep (param i32) (result i32)
                (i32.add (call $deep (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
            (func (export "_start") (drop (call $deep (i32.const 0)))))"#,
    )
    .unwrap();
    let plugin = Plugin::new(&wasm).unwrap();
    let error = within(plugin.call_raw("ping", Value::Null))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Trap {
                code: Some(TrapCode::StackOverflow),
                ..
            }
        ),
        "{error:?}"
    );
}

// ---- the JavaScript API ----

fn object(entries: &[(&str, JsValue)]) -> Object {
    let object = Object::new();
    for (key, value) in entries {
        Reflect::set(&object, &JsValue::from_str(key), value).unwrap();
    }
    object
}

fn js_json(value: &Value) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).unwrap()
}

fn rust_json(value: &JsValue) -> Value {
    serde_json::from_str(&String::from(js_sys::JSON::stringify(value).unwrap())).unwrap()
}

fn prop(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

async fn load(bytes: &[u8], options: Object) -> WebPlugin {
    let bytes = js_sys::Uint8Array::from(bytes);
    within(WebPlugin::load(
        bytes.into(),
        Some(options.unchecked_into::<LoadOptions>()),
    ))
    .await
    .unwrap()
}

async fn call(host: &WebPlugin, method: &str, params: Value) -> Result<JsValue, JsValue> {
    within(JsFuture::from(host.call(
        method.to_owned(),
        Some(js_json(&params)),
        None,
    )))
    .await
}

#[wasm_bindgen_test]
async fn js_api_calls_and_reports() {
    let host = load(
        test_plugin_artifacts::TEST_PLUGIN,
        object(&[("name", "demo".into())]),
    )
    .await;
    assert_eq!(host.name(), "demo");
    assert_eq!(call(&host, "add", json!([2, 40])).await.unwrap(), 42);
    let with_report = within(JsFuture::from(host.call_with_report(
        "sieve".to_owned(),
        Some(js_json(&json!([1000]))),
        None,
    )))
    .await
    .unwrap();
    assert_eq!(prop(&with_report, "result"), 168);
    let report = prop(&with_report, "report");
    assert!(prop(&report, "fuelConsumed").as_f64().unwrap() > 0.0);
    assert!(prop(&report, "wallTime").as_f64().unwrap() >= 0.0);
    let methods = within(JsFuture::from(host.methods())).await.unwrap();
    let methods: Vec<String> = Array::from(&methods)
        .iter()
        .filter_map(|m| m.as_string())
        .collect();
    for expected in ["ping", "sieve", "call_host", "log"] {
        assert!(methods.iter().any(|m| m == expected), "{methods:?}");
    }
}

#[wasm_bindgen_test]
async fn js_api_rejects_with_a_kind() {
    let host = load(test_plugin_artifacts::TEST_PLUGIN, Object::new()).await;
    let error = call(
        &host,
        "fail",
        json!({"code": 7, "message": "no", "data": {"x": 1}}),
    )
    .await
    .unwrap_err();
    assert!(error.is_instance_of::<js_sys::Error>());
    assert_eq!(prop(&error, "name"), "PluginError");
    assert_eq!(prop(&error, "kind"), "rpc");
    assert_eq!(prop(&error, "code"), 7);
    assert_eq!(rust_json(&prop(&error, "data")), json!({"x": 1}));
    assert!(prop(&error, "report").is_object());

    let bad = within(WebPlugin::load(
        js_sys::Uint8Array::from(&b"not wasm"[..]).into(),
        None,
    ))
    .await
    .unwrap_err();
    assert_eq!(prop(&bad, "kind"), "invalid_module");
}

#[wasm_bindgen_test]
async fn js_host_methods_sync_async_and_throwing() {
    let calls: Rc<RefCell<Vec<Value>>> = Rc::default();
    let seen = calls.clone();
    let add = Closure::<dyn FnMut(JsValue, JsValue) -> JsValue>::new(move |params, caller| {
        seen.borrow_mut().push(rust_json(&params));
        assert_eq!(prop(&caller, "plugin"), "js-host");
        assert_eq!(prop(&caller, "method"), "host.add");
        let params = rust_json(&params);
        JsValue::from_f64((params[0].as_i64().unwrap() + params[1].as_i64().unwrap()) as f64)
    });
    let methods = object(&[("host.add", add.as_ref().clone())]);
    let host = load(
        test_plugin_artifacts::TEST_PLUGIN,
        object(&[("name", "js-host".into()), ("methods", methods.into())]),
    )
    .await;
    // Registered after loading: a Promise-returning method and a throwing one.
    host.set_host_method(
        "host.later".to_owned(),
        Function::new_with_args(
            "params",
            "return new Promise((resolve) => setTimeout(() => resolve({ later: params }), 20));",
        )
        .unchecked_into(),
    );
    host.set_host_method(
        "host.fail".to_owned(),
        Function::new_with_args(
            "params",
            "throw Object.assign(new Error('js says no'), { code: 1234, data: params });",
        )
        .unchecked_into(),
    );
    host.set_host_method(
        "host.echo".to_owned(),
        Function::new_with_args("params", "return params;").unchecked_into(),
    );
    assert_eq!(
        rust_json(
            &call(
                &host,
                "call_host",
                json!({"method": "host.add", "params": [2, 3]})
            )
            .await
            .unwrap()
        ),
        json!(5)
    );
    assert_eq!(calls.borrow().as_slice(), [json!([2, 3])]);
    assert_eq!(
        rust_json(
            &call(
                &host,
                "call_host",
                json!({"method": "host.later", "params": [1]})
            )
            .await
            .unwrap()
        ),
        json!({"later": [1]})
    );
    let error = call(
        &host,
        "call_host",
        json!({"method": "host.fail", "params": ["d"]}),
    )
    .await
    .unwrap_err();
    assert_eq!(prop(&error, "kind"), "rpc");
    assert_eq!(prop(&error, "code"), 1234);
    assert_eq!(rust_json(&prop(&error, "data")), json!(["d"]));
    let missing = call(&host, "call_host", json!({"method": "host.nope"}))
        .await
        .unwrap_err();
    assert_eq!(prop(&missing, "code"), -32601);
    assert_eq!(
        rust_json(&call(&host, "many_echo", json!([4])).await.unwrap()),
        json!(4)
    );
    assert_eq!(
        host.host_methods(),
        ["host.add", "host.echo", "host.fail", "host.later"]
    );
}

#[wasm_bindgen_test]
async fn js_on_log_receives_lines_live() {
    let lines: Rc<RefCell<Vec<(String, String)>>> = Rc::default();
    let sink = lines.clone();
    let on_log = Closure::<dyn FnMut(String, String)>::new(move |level, message| {
        sink.borrow_mut().push((level, message));
    });
    let host = load(
        test_plugin_artifacts::TEST_PLUGIN,
        object(&[("onLog", on_log.as_ref().clone())]),
    )
    .await;
    call(&host, "log", Value::Null).await.unwrap();
    let lines = lines.borrow();
    assert!(
        lines.contains(&("WARN".to_owned(), "warn line".to_owned())),
        "{lines:?}"
    );
    assert!(
        lines.contains(&("ERROR".to_owned(), "error line".to_owned())),
        "{lines:?}"
    );
}

#[wasm_bindgen_test]
async fn js_limits_timeout_fuel_memory_and_abort() {
    let host = load(
        test_plugin_artifacts::MISBEHAVING_PLUGIN,
        object(&[("timeout", 300.into()), ("maxMemory", (8 << 20).into())]),
    )
    .await;
    let timeout = call(&host, "loop", Value::Null).await.unwrap_err();
    assert_eq!(prop(&timeout, "kind"), "timeout");
    assert_eq!(prop(&timeout, "limit"), 300);
    let memory = call(&host, "alloc", json!([16])).await.unwrap_err();
    assert_eq!(prop(&memory, "kind"), "memory_limit");

    // Per-call options override the plugin's.
    let options = object(&[("fuel", 1_000_000.into()), ("timeout", JsValue::NULL)]);
    let fuel = within(JsFuture::from(host.call(
        "loop".to_owned(),
        None,
        Some(options.unchecked_into::<CallOptions>()),
    )))
    .await
    .unwrap_err();
    assert_eq!(prop(&fuel, "kind"), "out_of_fuel");

    // An AbortSignal cancels a running call.
    let controller = web_abort_controller();
    let signal = prop(&controller, "signal");
    let options = object(&[("signal", signal), ("timeout", JsValue::NULL)]);
    let running = JsFuture::from(host.call(
        "loop".to_owned(),
        None,
        Some(options.unchecked_into::<CallOptions>()),
    ));
    delay(50.0).await;
    let abort: Function = prop(&controller, "abort").unchecked_into();
    abort.call0(&controller).unwrap();
    let cancelled = within(running).await.unwrap_err();
    assert_eq!(prop(&cancelled, "kind"), "cancelled");

    let bad = within(JsFuture::from(host.call(
        "loop".to_owned(),
        None,
        Some(object(&[("fuel", "lots".into())]).unchecked_into::<CallOptions>()),
    )))
    .await
    .unwrap_err();
    assert_eq!(prop(&bad, "kind"), "invalid_options");
}

fn web_abort_controller() -> JsValue {
    Function::new_no_args("return new AbortController();")
        .call0(&JsValue::UNDEFINED)
        .unwrap()
}

/// A tar archive holding `files`.
fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    for (path, data) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, path, *data).unwrap();
    }
    tar.into_inner().unwrap()
}

/// The `files` option: an archive read-only at `/data`, a scratch directory
/// at `/tmp`, `maxOpenFiles`; the same answers as natively.
#[wasm_bindgen_test]
async fn js_api_files() {
    let archive =
        js_sys::Uint8Array::from(&tar_of(&[("a.txt", b"hello"), ("sub/b.txt", b"bee")])[..]);
    let files = object(&[
        ("/data", object(&[("archive", archive.into())]).into()),
        ("/tmp", object(&[("scratch", "64K".into())]).into()),
    ]);
    let host = load(
        test_plugin_artifacts::FILES_PLUGIN,
        object(&[("files", files.into()), ("maxOpenFiles", 8.into())]),
    )
    .await;
    assert_eq!(
        call(&host, "read", json!({"path": "/data/sub/b.txt"}))
            .await
            .unwrap(),
        "bee"
    );
    assert_eq!(
        rust_json(&call(&host, "list", json!({"path": "/data"})).await.unwrap()),
        json!(["a.txt", "sub"])
    );
    // The scratch directory starts empty at every call.
    for _ in 0..2 {
        let len = call(&host, "append", json!({"path": "/tmp/x", "text": "abc"}))
            .await
            .unwrap();
        assert_eq!(len, 3);
    }
    let opened = call(&host, "open_many", json!({"path": "/data/a.txt", "n": 100}))
        .await
        .unwrap();
    // fds 3 and 4 are the two preopens: 6 more fit under 8.
    assert_eq!(prop(&opened, "opened"), 6);
    // Writing the archive is refused (EPERM), as natively.
    let error = call(&host, "write", json!({"path": "/data/a.txt", "text": "x"}))
        .await
        .unwrap_err();
    assert_eq!(prop(&prop(&error, "data"), "errno"), 63);
    // A malformed entry names itself.
    let bad = object(&[("/x", object(&[("archive", "not bytes".into())]).into())]);
    let error = within(WebPlugin::load(
        js_sys::Uint8Array::from(test_plugin_artifacts::FILES_PLUGIN).into(),
        Some(object(&[("files", bad.into())]).unchecked_into::<LoadOptions>()),
    ))
    .await
    .unwrap_err();
    assert_eq!(prop(&error, "kind"), "invalid_options");
    assert!(display_of(&prop(&error, "message")).contains("files./x"));
}

fn display_of(value: &JsValue) -> String {
    value.as_string().unwrap_or_default()
}

/// Pre-initialisation in the browser: the plugin's setup runs once, at
/// load, and every request starts from its snapshot with nothing carried
/// over from the one before (`bump` counts per instance).
#[wasm_bindgen_test]
async fn preinitialised_plugins_start_every_request_from_the_snapshot() {
    let host = load(test_plugin_artifacts::PREINIT_PLUGIN, object(&[])).await;
    for _ in 0..3 {
        assert_eq!(call(&host, "bump", Value::Null).await.unwrap(), 1);
        let setup = rust_json(&call(&host, "setup", Value::Null).await.unwrap());
        assert_eq!(
            (&setup["setups"], &setup["in_initializer"]),
            (&json!(1), &json!(true)),
            "{setup}"
        );
    }
}
