//! The bindings' logic, driven from Rust with `futures::executor` (the
//! foreign-language tests in `mobile-demo/tests` drive the same API
//! through the generated bindings).

use std::sync::{Arc, Mutex};

use futures::executor::block_on;

use crate::*;

/// A host written against the foreign-facing trait, as Swift or Kotlin would.
struct EchoHost;

#[async_trait::async_trait]
impl HostMethods for EchoHost {
    async fn call(
        &self,
        plugin: String,
        method: String,
        params_json: Option<String>,
    ) -> Result<String, HostMethodError> {
        match method.as_str() {
            "host.echo" => Ok(params_json.unwrap_or_else(|| "null".into())),
            "host.whoami" => Ok(format!("\"{plugin}\"")),
            "host.fail" => Err(HostMethodError::Failed {
                code: 4242,
                reason: "host says no".into(),
                data_json: Some(r#"{"why":"test"}"#.into()),
            }),
            "host.bad_json" => Ok("{not json".into()),
            _ => Err(HostMethodError::NotFound),
        }
    }
}

#[derive(Default)]
struct Lines(Mutex<Vec<LogLine>>);

impl LogHandler for Lines {
    fn on_log(&self, line: LogLine) {
        self.0.lock().unwrap().push(line);
    }
}

fn limits() -> PluginLimits {
    PluginLimits {
        timeout: Some(20_000),
        ..PluginLimits::default()
    }
}

fn plugin_with(log: Option<Arc<Lines>>) -> Plugin {
    let config = PluginConfig {
        name: "rusty".into(),
        limits: limits(),
        host: Some(Arc::new(EchoHost)),
        log: log.map(|l| l as Arc<dyn LogHandler>),
        ..PluginConfig::default()
    };
    Plugin::new(embedded_test_plugin(), config).unwrap()
}

fn call(plugin: &Plugin, method: &str, params: &str) -> Result<String, PluginError> {
    block_on(plugin.call(method.into(), params.into()))
}

#[test]
fn calls_host_methods_and_forwards_logs() {
    let lines = Arc::new(Lines::default());
    let plugin = plugin_with(Some(lines.clone()));
    assert_eq!(plugin.name(), "rusty");
    assert_eq!(call(&plugin, "sieve", "[1000]").unwrap(), "168");
    assert_eq!(call(&plugin, "many_echo", "5").unwrap(), "5");
    let whoami = r#"{"method":"host.whoami"}"#;
    assert_eq!(call(&plugin, "call_host", whoami).unwrap(), r#""rusty""#);
    let lines = lines.0.lock().unwrap();
    let echoing = lines
        .iter()
        .find(|l| l.message == "echoing 5 times")
        .unwrap();
    assert_eq!(echoing.level, LogLevel::Info);
    assert_eq!(echoing.plugin, "rusty");
    assert_eq!(echoing.target.as_deref(), Some("test_plugin"));
}

#[test]
fn host_errors_reach_the_plugin_as_rpc_errors() {
    let plugin = plugin_with(None);
    let fail = call(&plugin, "call_host", r#"{"method":"host.fail"}"#).unwrap_err();
    assert_eq!(
        fail,
        PluginError::Rpc {
            code: 4242,
            reason: "host says no".into(),
            data_json: Some(r#"{"why":"test"}"#.into()),
        }
    );
    let missing = call(&plugin, "call_host", r#"{"method":"host.nope"}"#).unwrap_err();
    assert!(
        matches!(&missing, PluginError::Rpc { code: -32601, reason, .. } if reason.contains("host.nope")),
        "{missing:?}"
    );
    let bad = call(&plugin, "call_host", r#"{"method":"host.bad_json"}"#).unwrap_err();
    assert!(
        matches!(bad, PluginError::Rpc { code: -32603, .. }),
        "{bad:?}"
    );
}

#[test]
fn failures_map_to_typed_errors() {
    let plugin = plugin_with(None);
    let unknown = call(&plugin, "nope", "null").unwrap_err();
    assert!(
        matches!(unknown, PluginError::Rpc { code: -32601, .. }),
        "{unknown:?}"
    );
    let invalid = call(&plugin, "echo", "{oops").unwrap_err();
    assert!(
        matches!(invalid, PluginError::InvalidParams { .. }),
        "{invalid:?}"
    );

    let misbehaving = Plugin::new(embedded_misbehaving_plugin(), PluginConfig::default()).unwrap();
    let panic = call(&misbehaving, "panic", "null").unwrap_err();
    assert!(
        matches!(&panic, PluginError::Trap { stderr_tail, .. } if stderr_tail.contains("deliberate panic")),
        "{panic:?}"
    );
    let options = CallOptions {
        limits: Some(PluginLimits {
            timeout: Some(200),
            ..PluginLimits::default()
        }),
        cancel: None,
    };
    let timeout =
        block_on(misbehaving.call_with("loop".into(), "null".into(), options)).unwrap_err();
    assert_eq!(timeout, PluginError::Timeout { limit_ms: 200 });

    let module = Plugin::new(b"not wasm".to_vec(), PluginConfig::default()).unwrap_err();
    assert!(
        matches!(module, PluginError::InvalidModule { .. }),
        "{module:?}"
    );
}

#[test]
fn call_with_reports_and_cancels() {
    let plugin = plugin_with(None);
    let result =
        block_on(plugin.call_with("many_echo".into(), "3".into(), CallOptions::default())).unwrap();
    assert_eq!(result.result_json, "3");
    assert_eq!(result.report.host_calls, 3);
    assert!(result.report.fuel_consumed > 0);

    let fuel = CallOptions {
        limits: Some(PluginLimits {
            fuel: Some(1_000_000),
            ..limits()
        }),
        cancel: None,
    };
    let out_of_fuel =
        block_on(plugin.call_with("sieve".into(), "[10000000]".into(), fuel)).unwrap_err();
    assert_eq!(out_of_fuel, PluginError::OutOfFuel { budget: 1_000_000 });

    let token = Arc::new(CancelToken::new());
    token.cancel();
    assert!(token.is_cancelled());
    let cancelled = CallOptions {
        limits: None,
        cancel: Some(token),
    };
    let error =
        block_on(plugin.call_with("sleep".into(), "[10000]".into(), cancelled)).unwrap_err();
    assert_eq!(error, PluginError::Cancelled);
}

#[test]
fn limits_and_version_are_exposed() {
    assert_eq!(default_limits(), PluginLimits::default());
    assert_eq!(plugin_with(None).limits(), limits());
    assert!(!library_version().is_empty());
}

#[test]
fn a_store_in_a_directory_keeps_a_plugins_state_across_opens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app-data").to_str().unwrap().to_owned();
    let visit = r#"{"method": "store.increment", "params": ["visits"]}"#;
    let ns = plugin_namespace("counter".into()).unwrap();
    {
        let store = Store::open(path.clone()).unwrap();
        let config = PluginConfig {
            name: "counter".into(),
            store: Some(store.clone()),
            ..PluginConfig::default()
        };
        let plugin = Plugin::new(embedded_test_plugin(), config).unwrap();
        for expected in ["1", "2"] {
            assert_eq!(
                block_on(plugin.call("call_host".into(), visit.into())).unwrap(),
                expected
            );
        }
        block_on(store.set(ns.clone(), "visits".into(), "41".into())).unwrap();
        assert_eq!(
            block_on(plugin.call("call_host".into(), visit.into())).unwrap(),
            "42"
        );
    }
    assert!(dir.path().join("app-data").join(STORE_FILE).is_file());
    let store = Store::open(path).unwrap();
    assert_eq!(
        block_on(store.get(ns.clone(), "visits".into())).unwrap(),
        Some("42".to_owned())
    );
    let page = block_on(store.list(ns.clone(), String::new(), None, 100)).unwrap();
    assert_eq!(page.keys, ["visits"]);
    assert_eq!(
        block_on(store.increment(ns.clone(), "visits".into(), -2)).unwrap(),
        40
    );
    assert!(block_on(store.delete(ns.clone(), "visits".into())).unwrap());
    assert_eq!(block_on(store.get(ns, "visits".into())).unwrap(), None);
}

#[test]
fn store_errors_are_typed() {
    let store = Store::in_memory();
    let ns = "plugin:p".to_owned();
    let set = |key: &str, value: &str| block_on(store.set(ns.clone(), key.into(), value.into()));
    assert!(matches!(
        set("k", "not json"),
        Err(StoreError::InvalidInput { .. })
    ));
    assert!(matches!(
        set("k", "null"),
        Err(StoreError::InvalidInput { .. })
    ));
    assert!(matches!(set("", "1"), Err(StoreError::InvalidInput { .. })));
    let big = format!("\"{}\"", "x".repeat(70_000));
    assert!(matches!(
        set("k", &big),
        Err(StoreError::QuotaExceeded { ref quota, limit: 65_536, .. }) if quota == "value_bytes"
    ));
    set("s", "\"text\"").unwrap();
    assert!(matches!(
        block_on(store.increment(ns.clone(), "s".into(), 1)),
        Err(StoreError::NotAnInteger { .. })
    ));
    assert!(matches!(
        block_on(store.get(String::new(), "k".into())),
        Err(StoreError::InvalidInput { .. })
    ));
    // A second open of the same file while the first is open fails cleanly.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap().to_owned();
    let _first = Store::open(path.clone()).unwrap();
    assert!(matches!(Store::open(path), Err(StoreError::Backend { .. })));
}
