//! The shapes of the public API: one cancel for many calls, a cap on
//! running instances, plugin sets configured like plugins (any handler per
//! capability, a set-wide log handler, duplicates and unaddressable names
//! refused), notifications told from requests, and the original
//! framework's wire dialect.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use futures::channel::oneshot;
use serde_json::{Value, json};
use test_plugin_artifacts::{FRAMEWORK_PLUGIN, TEST_PLUGIN};
use wasmi_hdk::{
    BoxFuture, CallOptions, CallerInfo, CancelHandle, Dialect, Error, ErrorKind, HostHandler,
    HostRouter, Limits, Plugin, ProtocolViolation, RpcError,
    set::{Manifest, PluginSet},
};

use crate::util::{Outcomes, builder, echo_host, within};

/// The gates of calls parked in `test.gate`, opened by the test.
type Gates = Arc<Mutex<Vec<oneshot::Sender<()>>>>;

/// A host method that parks until the test releases it, and says when it
/// has started: a call can be held inside a host call for as long as the
/// test needs, with no guess at timing.
fn gated_host() -> (HostRouter, Gates, Arc<AtomicUsize>) {
    let gates: Gates = Arc::default();
    let entered = Arc::new(AtomicUsize::new(0));
    let (g, e) = (gates.clone(), entered.clone());
    let host = echo_host().with_method("test.gate", move |_c, (): ()| {
        let (tx, rx) = oneshot::channel();
        g.lock().unwrap().push(tx);
        e.fetch_add(1, Ordering::SeqCst);
        async move {
            let _ = rx.await;
            Ok::<_, RpcError>("opened")
        }
    });
    (host, gates, entered)
}

fn open_all(gates: &Gates) {
    for gate in gates.lock().unwrap().drain(..) {
        let _ = gate.send(());
    }
}

/// Waits (within the hang timeout) until `count` calls are inside `test.gate`.
async fn until_entered(entered: &AtomicUsize, count: usize) {
    within(async {
        while entered.load(Ordering::SeqCst) < count {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
}

fn through_gate() -> Value {
    json!({"method": "test.gate"})
}

#[tokio::test]
async fn one_cancel_wakes_every_call_that_has_it() {
    let plugin = builder()
        .with_limits(Limits::default().without_timeout())
        .build(TEST_PLUGIN)
        .unwrap();
    let cancel = CancelHandle::new();
    // Both sleep far longer than the hang timeout: a call that is not woken
    // by the cancel hangs the test.
    let calls: Vec<_> = (0..2)
        .map(|_| {
            let options = CallOptions::new().with_cancel(cancel.clone());
            tokio::spawn(plugin.call_with::<Value>("sleep", json!([600_000]), options))
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(50)).await;
    cancel.cancel();
    for call in within(futures::future::join_all(calls)).await {
        let outcome = call.unwrap().outcome();
        assert!(
            matches!(outcome.result, Err(Error::Cancelled)),
            "{outcome:?}"
        );
    }
}

#[tokio::test]
async fn calls_past_the_cap_wait_for_a_free_instance() {
    let (host, gates, entered) = gated_host();
    let plugin = builder()
        .with_host(host)
        .with_max_concurrent(1)
        .build(TEST_PLUGIN)
        .unwrap();
    let first = tokio::spawn(plugin.call_raw("call_host", through_gate()));
    until_entered(&entered, 1).await;
    let second = tokio::spawn(plugin.call_raw("call_host", through_gate()));
    // The second call waits for the slot: it does not start while the
    // first holds it, however long that is.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(entered.load(Ordering::SeqCst), 1);
    open_all(&gates);
    assert_eq!(within(first).await.unwrap().unwrap(), "opened");
    until_entered(&entered, 2).await;
    open_all(&gates);
    assert_eq!(within(second).await.unwrap().unwrap(), "opened");
}

#[tokio::test]
async fn waiting_for_a_slot_counts_against_the_timeout() {
    let (host, gates, entered) = gated_host();
    let plugin = builder()
        .with_host(host)
        .with_max_concurrent(1)
        .build(TEST_PLUGIN)
        .unwrap();
    let holder = tokio::spawn(plugin.call_raw("call_host", through_gate()));
    until_entered(&entered, 1).await;
    let limits = Limits::default().with_timeout(Duration::from_millis(100));
    let waiting = plugin.call_with::<Value>("ping", (), CallOptions::new().with_limits(limits));
    let outcome = within(waiting).await.outcome();
    assert!(
        matches!(outcome.result, Err(Error::Timeout { .. })),
        "{outcome:?}"
    );
    assert_eq!(outcome.report.fuel_consumed, 0, "it never ran");
    open_all(&gates);
    within(holder).await.unwrap().unwrap();
    assert_eq!(
        within(plugin.call_raw("ping", Value::Null)).await.unwrap(),
        "pong"
    );
}

#[tokio::test]
async fn a_set_wide_cap_does_not_hold_up_calls_between_plugins() {
    let set = PluginSet::builder()
        .with_baseline(echo_host())
        .with_max_concurrent(1)
        .build()
        .unwrap();
    for name in ["outer", "inner"] {
        let text = format!("name = \"{name}\"\npermissions = [\"plugins\"]");
        set.load(Manifest::from_toml(&text, "m.toml").unwrap(), TEST_PLUGIN)
            .unwrap();
    }
    // `outer` holds the one slot while it calls `inner` through the set.
    let params = json!({
        "method": "plugins.call",
        "params": {"plugin": "inner", "method": "echo", "params": [7]}
    });
    let got = within(set.call_raw("outer", "call_host", params))
        .await
        .unwrap();
    assert_eq!(got, json!([7]));
}

/// A capability implemented by hand, not with a `HostRouter`.
struct Clock;

impl HostHandler for Clock {
    fn handle(
        &self,
        caller: CallerInfo,
        method: &str,
        _params: Option<Value>,
    ) -> BoxFuture<Result<Value, RpcError>> {
        let answer = match method {
            "clock.tick" => Ok(json!({"by": caller.plugin()})),
            other => Err(RpcError::method_not_found(other)),
        };
        Box::pin(core::future::ready(answer))
    }

    fn method_names(&self) -> Vec<String> {
        vec!["clock.tick".to_owned()]
    }
}

#[tokio::test]
async fn a_set_is_configured_like_a_plugin() {
    let lines: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let seen = lines.clone();
    let set = PluginSet::builder()
        .with_capability("clock", Clock)
        .with_log_handler(move |record| {
            seen.lock()
                .unwrap()
                .push((record.plugin.to_owned(), record.message.to_owned()));
        })
        .build()
        .unwrap();
    let manifest = Manifest::from_toml("name = \"ticker\"\npermissions = [\"clock\"]", "t.toml");
    set.load(manifest.unwrap(), TEST_PLUGIN).unwrap();
    let got = within(set.call_raw("ticker", "call_host", json!({"method": "clock.tick"})))
        .await
        .unwrap();
    assert_eq!(got, json!({"by": "ticker"}));
    within(set.call_raw("ticker", "log", Value::Null))
        .await
        .unwrap();
    assert!(
        lines
            .lock()
            .unwrap()
            .iter()
            .any(|(plugin, _)| plugin == "ticker"),
        "the set's log handler got the plugin's lines"
    );
}

#[test]
fn two_capabilities_cannot_register_one_method() {
    let one = HostRouter::new().with_method("kv.get", |_c, (): ()| async { Ok::<_, RpcError>(1) });
    let two = HostRouter::new().with_method("kv.get", |_c, (): ()| async { Ok::<_, RpcError>(2) });
    let error = PluginSet::builder()
        .with_capability("storage", one)
        .with_capability("cache", two)
        .build()
        .unwrap_err();
    assert!(
        matches!(&error, Error::DuplicateHostMethod { method, first, second }
            if method == "kv.get" && first == "storage" && second == "cache"),
        "{error:?}"
    );
    // Nor take over one of the set's own methods.
    let config =
        HostRouter::new().with_method("config.get", |_c, (): ()| async { Ok::<_, RpcError>(1) });
    let error = PluginSet::builder()
        .with_baseline(config)
        .build()
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::DuplicateHostMethod);
    // A capability must say which methods it has.
    let error = PluginSet::builder()
        .with_capability("empty", HostRouter::new())
        .build()
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidOptions);
}

#[test]
fn a_plugin_the_cli_could_not_address_is_refused() {
    let set = PluginSet::builder().build().unwrap();
    for name in ["a.b", "with space", ""] {
        let text = format!("name = {name:?}");
        let error = set
            .load(Manifest::from_toml(&text, "m.toml").unwrap(), TEST_PLUGIN)
            .unwrap_err();
        assert!(
            matches!(&error, Error::Manifest { field: Some(field), .. } if field == "name"),
            "{name:?}: {error:?}"
        );
    }
    assert!(set.names().is_empty());
}

#[tokio::test]
async fn host_methods_tell_notifications_from_requests() {
    let seen: Arc<Mutex<Vec<bool>>> = Arc::default();
    let log = seen.clone();
    let host = echo_host().with_method("host.notified", move |caller, _p: Value| {
        log.lock().unwrap().push(caller.is_notification());
        async { Ok::<_, RpcError>(()) }
    });
    let plugin = builder().with_host(host).build(TEST_PLUGIN).unwrap();
    within(plugin.call_raw("notify", json!({"k": 1})))
        .await
        .unwrap();
    within(plugin.call_raw("call_host", json!({"method": "host.notified"})))
        .await
        .unwrap();
    assert_eq!(*seen.lock().unwrap(), [true, false]);
}

fn framework_host() -> HostRouter {
    HostRouter::new().with_method("ping", |caller, (): ()| async move {
        Ok::<_, RpcError>(format!("pong for {}", caller.plugin()))
    })
}

/// A plugin built for `wasmi-plugin-framework` 0.1 runs unchanged in its
/// dialect: bare scalar params, `null` for none, host calls numbered from 0
/// with `"params": null`.
#[tokio::test]
async fn plugins_of_the_original_framework_run_in_its_dialect() {
    let plugin = Plugin::builder()
        .with_name("old")
        .with_host(framework_host())
        .with_dialect(Dialect::Framework01)
        .build(FRAMEWORK_PLUGIN)
        .unwrap();
    assert_eq!(plugin.dialect(), Dialect::Framework01);
    assert_eq!(
        within(plugin.call_raw("ping", Value::Null)).await.unwrap(),
        "pong"
    );
    assert_eq!(
        within(plugin.call_raw("prime_sieve", json!(1_000_000)))
            .await
            .unwrap(),
        json!({"count": 78498, "limit": 1_000_000})
    );
    assert_eq!(
        within(plugin.call_raw("call", Value::Null)).await.unwrap(),
        "pong for old"
    );
    assert_eq!(
        within(plugin.call_raw("call_many", json!(5)))
            .await
            .unwrap(),
        Value::Null
    );
    let slept = within(plugin.call_with::<Value>("sleep", json!(20), CallOptions::new()))
        .await
        .unwrap();
    assert!(slept.report.wall_time >= Duration::from_millis(20));
    let error = within(plugin.call_raw("nope", Value::Null))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Rpc(e) if e.code == -32601),
        "{error:?}"
    );
    let error = within(plugin.call_raw("prime_sieve", json!("many")))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Rpc(e) if e.code == -32602),
        "{error:?}"
    );
}

/// Without the dialect, the same plugin cannot read the requests (no
/// `params` member), which is why the option exists; the default stays
/// strict JSON-RPC 2.0.
#[tokio::test]
async fn the_default_dialect_is_strict() {
    let plugin = Plugin::builder()
        .with_host(framework_host())
        .build(FRAMEWORK_PLUGIN)
        .unwrap();
    assert_eq!(plugin.dialect(), Dialect::JsonRpc);
    let error = within(plugin.call_raw("ping", Value::Null))
        .await
        .unwrap_err();
    assert!(
        matches!(
            &error,
            Error::Protocol {
                violation: ProtocolViolation::NoResponse { .. },
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_manifest_chooses_the_dialect() {
    let set = PluginSet::builder()
        .with_baseline(framework_host())
        .build()
        .unwrap();
    let manifest = Manifest::from_toml("name = \"old\"\ndialect = \"framework-0.1\"", "old.toml");
    set.load(manifest.unwrap(), FRAMEWORK_PLUGIN).unwrap();
    let got: Value = within(set.call("old", "prime_sieve", 100)).await.unwrap();
    assert_eq!(got, json!({"count": 25, "limit": 100}));
    assert_eq!(
        within(set.call_raw("old", "call", Value::Null))
            .await
            .unwrap(),
        "pong for old"
    );
}
