//! Many plugins in one `PluginSet`: manifests, capabilities, config,
//! discovery, events, calls between plugins and reloading.

use std::time::Duration;

use serde_json::{Value, json};
use test_plugin_artifacts::{EVENT_PLUGIN, TEST_PLUGIN};
use wasmi_hdk::{
    Error, HostRouter, RpcError,
    set::{HandlerDecision, Manifest, PluginSet},
};

use crate::util::within;

fn manifest(text: &str) -> Manifest {
    Manifest::from_toml(text, "test.toml").unwrap()
}

fn set() -> PluginSet {
    let storage = HostRouter::new().with_method("storage.get", |caller, key: String| async move {
        Ok::<_, RpcError>(format!("{key} for {}", caller.plugin()))
    });
    let baseline = HostRouter::new().with_method("host.echo", |_c, params: Value| async move {
        Ok::<_, RpcError>(params)
    });
    PluginSet::builder()
        .with_capability("storage", storage)
        .with_baseline(baseline)
        .build()
        .unwrap()
}

fn rpc_error(result: Result<Value, Error>) -> RpcError {
    match result {
        Err(Error::Rpc(e)) => e,
        other => panic!("expected a JSON-RPC error, got {other:?}"),
    }
}

#[tokio::test]
async fn host_methods_need_the_capability_the_manifest_grants() {
    let set = set();
    set.load(
        manifest("name = \"granted\"\npermissions = [\"storage\"]"),
        TEST_PLUGIN,
    )
    .unwrap();
    set.load(manifest("name = \"plain\""), TEST_PLUGIN).unwrap();
    let get = json!({"method": "storage.get", "params": ["k"]});
    let granted = within(set.call_raw("granted", "call_host", get.clone())).await;
    assert_eq!(granted.unwrap(), "k for granted");
    for _ in 0..3 {
        let refused = rpc_error(within(set.call_raw("plain", "call_host", get.clone())).await);
        assert_eq!(refused.code, -32002);
        assert_eq!(
            refused.message,
            "permission denied: storage.get needs storage"
        );
    }
    // Baseline methods need no permission; unknown ones are -32601.
    let echo = json!({"method": "host.echo", "params": [7]});
    assert_eq!(
        within(set.call_raw("plain", "call_host", echo))
            .await
            .unwrap(),
        json!([7])
    );
    let nope = json!({"method": "host.nope"});
    assert_eq!(
        rpc_error(within(set.call_raw("plain", "call_host", nope)).await).code,
        -32601
    );
}

#[test]
fn unknown_permissions_and_bad_manifests_are_refused_naming_file_and_field() {
    let set = set();
    match set.load(
        manifest("name = \"p\"\npermissions = [\"storage\", \"rocket\"]"),
        TEST_PLUGIN,
    ) {
        Err(Error::Manifest { field, reason, .. }) => {
            assert_eq!(field.as_deref(), Some("permissions"));
            assert!(reason.contains("rocket"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert!(set.names().is_empty());
    match Manifest::from_toml("[limits]\ntimeout = \"soon\"", "p.toml") {
        Err(Error::Manifest { file, field, .. }) => {
            assert_eq!(
                (file.as_str(), field.as_deref()),
                ("p.toml", Some("limits.timeout"))
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn plugins_read_their_config_and_limits_apply() {
    let set = set();
    // A timeout no call here comes near, however busy the machine.
    let text =
        "name = \"cfg\"\n[limits]\ntimeout = 150000\n[config]\ngreeting = \"hi\"\nretries = 3";
    set.load(manifest(text), EVENT_PLUGIN).unwrap();
    let config = within(set.call_raw("cfg", "config", Value::Null))
        .await
        .unwrap();
    assert_eq!(config, json!({"greeting": "hi", "retries": 3}));
    let limits = set.plugin("cfg").unwrap().limits().clone();
    assert_eq!(limits.timeout(), Some(Duration::from_secs(150)));
    assert_eq!(
        within(set.call_raw("cfg", "describe", Value::Null))
            .await
            .unwrap(),
        "cfg"
    );
    let missing = within(set.call_raw("nobody", "ping", Value::Null)).await;
    assert!(matches!(missing, Err(Error::UnknownPlugin { name }) if name == "nobody"));
}

#[tokio::test]
async fn events_run_in_priority_order_and_can_be_modified_and_stopped() {
    let set = set();
    let sub = |name: &str, priority: u8, mode: &str, config: &str| {
        manifest(&format!(
            "name = \"{name}\"\n[[events]]\nevent = \"join\"\npriority = {priority}\nmode = \"{mode}\"\n[config]\n{config}"
        ))
    };
    set.load(sub("late", 200, "modify", "tag = \"late\""), EVENT_PLUGIN)
        .unwrap();
    set.load(sub("early", 10, "modify", "tag = \"early\""), EVENT_PLUGIN)
        .unwrap();
    set.load(
        sub("watcher", 50, "observe", "reply = { stop = true }"),
        EVENT_PLUGIN,
    )
    .unwrap();
    set.load(sub("b_mid", 100, "modify", "tag = \"b\""), EVENT_PLUGIN)
        .unwrap();
    set.load(sub("a_mid", 100, "modify", "tag = \"a\""), EVENT_PLUGIN)
        .unwrap();
    set.load(manifest("name = \"deaf\""), EVENT_PLUGIN).unwrap();

    let outcome = within(set.emit("join", json!({"who": "ada"}))).await;
    let order: Vec<&str> = outcome.handlers.iter().map(|h| h.plugin.as_str()).collect();
    assert_eq!(order, ["early", "watcher", "a_mid", "b_mid", "late"]);
    assert_eq!(
        outcome.payload,
        json!({"who": "ada", "trail": ["early", "a", "b", "late"]})
    );
    assert!(matches!(
        outcome.handlers[1].decision,
        HandlerDecision::IgnoredChange
    ));
    assert!(outcome.stopped_by.is_none());

    // A `modify` handler that stops the event: later handlers are skipped.
    set.load(
        sub("stopper", 150, "modify", "reply = { stop = true }"),
        EVENT_PLUGIN,
    )
    .unwrap();
    let outcome = within(set.emit("join", json!({}))).await;
    assert_eq!(outcome.stopped_by.as_deref(), Some("stopper"));
    assert_eq!(outcome.payload, json!({"trail": ["early", "a", "b"]}));
    let last = outcome.handlers.last().unwrap();
    assert_eq!(last.plugin, "late");
    assert!(matches!(last.decision, HandlerDecision::Skipped));

    // Nobody subscribed: nothing runs, the payload comes back.
    let quiet = within(set.emit("leave", json!(1))).await;
    assert!(quiet.handlers.is_empty());
    assert_eq!(quiet.payload, json!(1));
}

#[tokio::test]
async fn a_failing_event_handler_is_recorded_and_the_event_goes_on() {
    let set = set();
    set.load(
        manifest("name = \"broken\"\n[[events]]\nevent = \"e\"\nmode = \"modify\""),
        TEST_PLUGIN,
    )
    .unwrap();
    set.load(
        manifest("name = \"fine\"\n[[events]]\nevent = \"e\"\npriority = 200\nmode = \"modify\"\n[config]\ntag = \"fine\""),
        EVENT_PLUGIN,
    )
    .unwrap();
    let outcome = within(set.emit("e", json!({}))).await;
    assert!(
        matches!(&outcome.handlers[0].decision, HandlerDecision::Failed(Error::Rpc(e)) if e.code == -32601)
    );
    assert_eq!(outcome.payload, json!({"trail": ["fine"]}));
}

/// `relay` params that make `plugin` relay to itself `depth` more times.
fn nested_relay(plugin: &str, depth: usize) -> Value {
    let mut params = json!({"plugin": plugin, "method": "describe"});
    for _ in 0..depth {
        params = json!({"plugin": plugin, "method": "relay", "params": params});
    }
    params
}

#[tokio::test]
async fn plugins_call_each_other_through_the_host_with_a_depth_limit() {
    let set = PluginSet::builder().with_max_call_depth(3).build().unwrap();
    set.load(
        manifest("name = \"a\"\npermissions = [\"plugins\"]"),
        EVENT_PLUGIN,
    )
    .unwrap();
    set.load(manifest("name = \"b\""), EVENT_PLUGIN).unwrap();
    let to_b = json!({"plugin": "b", "method": "describe"});
    assert_eq!(
        within(set.call_raw("a", "relay", to_b.clone()))
            .await
            .unwrap(),
        "b"
    );
    // Without the capability the call is refused.
    let refused = rpc_error(
        within(set.call_raw("b", "relay", json!({"plugin": "a", "method": "describe"}))).await,
    );
    assert_eq!(refused.code, -32002);
    // a -> a -> a is within the limit; one more level is a clear error.
    assert_eq!(
        within(set.call_raw("a", "relay", nested_relay("a", 2)))
            .await
            .unwrap(),
        "a"
    );
    let cycle = rpc_error(within(set.call_raw("a", "relay", nested_relay("a", 3))).await);
    assert_eq!(cycle.code, -32003, "{cycle:?}");
    assert!(cycle.message.contains("a -> a -> a"), "{}", cycle.message);
}

#[tokio::test]
async fn discovery_describes_methods_with_schemas() {
    let set = set();
    set.load(manifest("name = \"described\""), EVENT_PLUGIN)
        .unwrap();
    let discovery = within(set.plugin("described").unwrap().discover())
        .await
        .unwrap();
    let add = discovery.methods.iter().find(|m| m.name == "add").unwrap();
    let params = add.params_schema.as_ref().unwrap();
    assert_eq!(params["properties"]["a"]["type"], "integer", "{params}");
    assert_eq!(add.result_schema.as_ref().unwrap()["type"], "integer");
    let relay = discovery
        .methods
        .iter()
        .find(|m| m.name == "relay")
        .unwrap();
    assert!(relay.params_schema.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reloading_does_not_disturb_calls_in_flight() {
    // The call in flight waits in `app.gate` (its plugin's host call) until
    // the test opens the gate, so it is known to have started on the old
    // module before the reload, with no guess at how long that takes.
    let (entered_tx, entered) = futures::channel::oneshot::channel::<()>();
    let entered_tx = std::sync::Mutex::new(Some(entered_tx));
    let (open, gate) = tokio::sync::watch::channel(false);
    let baseline = HostRouter::new().with_method("app.gate", move |_c, (): ()| {
        if let Some(tx) = entered_tx.lock().unwrap().take() {
            let _ = tx.send(());
        }
        let mut gate = gate.clone();
        async move {
            let _ = gate.wait_for(|open| *open).await;
            Ok::<_, RpcError>("through")
        }
    });
    let set = PluginSet::builder()
        .with_baseline(baseline)
        .build()
        .unwrap();
    set.load(manifest("name = \"p\"\nversion = \"1\""), TEST_PLUGIN)
        .unwrap();
    let running = tokio::spawn({
        let set = set.clone();
        async move {
            set.call_raw("p", "call_host", json!({"method": "app.gate"}))
                .await
        }
    });
    within(entered).await.unwrap();
    set.load(manifest("name = \"p\"\nversion = \"2\""), EVENT_PLUGIN)
        .unwrap();
    assert_eq!(set.manifest("p").unwrap().version.as_deref(), Some("2"));
    // New calls reach the new module at once (the event plugin has
    // `describe`, the test plugin has not) ...
    assert_eq!(
        within(set.call_raw("p", "describe", Value::Null))
            .await
            .unwrap(),
        "p"
    );
    // ... while the call that started on the old one finishes there (the
    // event plugin has no `call_host`).
    open.send_replace(true);
    assert_eq!(within(running).await.unwrap().unwrap(), "through");
}

#[tokio::test]
async fn a_directory_loads_each_plugin_with_its_manifest_and_reloads() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.path().join(name), bytes).unwrap();
    write("alpha.wasm", EVENT_PLUGIN);
    write(
        "alpha.toml",
        b"version = \"1.0\"\npermissions = [\"storage\"]\n[config]\nk = \"v\"",
    );
    write("beta.wasm", TEST_PLUGIN);
    write("gamma.wasm", TEST_PLUGIN);
    write("gamma.toml", b"permissions = [\"teleport\"]");
    write("delta.wasm", b"not wasm");
    write("notes.txt", b"ignored");

    let set = set();
    let report = set.load_dir(dir.path()).unwrap();
    assert_eq!(report.loaded, ["alpha", "beta"]);
    let failed: Vec<(String, &Error)> = report
        .failed
        .iter()
        .map(|(path, e)| (path.file_name().unwrap().to_string_lossy().into_owned(), e))
        .collect();
    assert_eq!(failed.len(), 2);
    assert!(matches!(failed[0], (ref f, Error::InvalidModule { .. }) if f == "delta.wasm"));
    match &failed[1] {
        (
            f,
            Error::Manifest {
                file,
                field,
                reason,
            },
        ) => {
            assert_eq!(f, "gamma.wasm");
            assert!(file.ends_with("gamma.toml"), "{file}");
            assert_eq!(field.as_deref(), Some("permissions"));
            assert!(reason.contains("teleport"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        within(set.call_raw("alpha", "config", Value::Null))
            .await
            .unwrap(),
        json!({"k": "v"})
    );
    assert_eq!(
        within(set.call_raw("beta", "ping", Value::Null))
            .await
            .unwrap(),
        "pong"
    );

    // Change a manifest and remove a plugin, then load the directory again.
    write("alpha.toml", b"version = \"2.0\"\n[config]\nk = \"w\"");
    std::fs::remove_file(dir.path().join("beta.wasm")).unwrap();
    let report = set.load_dir(dir.path()).unwrap();
    assert_eq!(report.loaded, ["alpha"]);
    assert_eq!(report.removed, ["beta"]);
    assert_eq!(
        within(set.call_raw("alpha", "config", Value::Null))
            .await
            .unwrap(),
        json!({"k": "w"})
    );
    write("alpha.toml", b"version = \"3.0\"");
    set.reload("alpha").unwrap();
    assert_eq!(
        set.manifest("alpha").unwrap().version.as_deref(),
        Some("3.0")
    );
    assert_eq!(set.names(), ["alpha"]);
}

/// Counts `tracing` events whose message mentions "permission denied".
#[derive(Default)]
struct DenialCounter(std::sync::atomic::AtomicUsize);

impl tracing::Subscriber for DenialCounter {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        struct Message(bool);
        impl tracing::field::Visit for Message {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if field.name() == "message" && format!("{value:?}").contains("permission denied") {
                    self.0 = true;
                }
            }
        }
        let mut message = Message(false);
        event.record(&mut message);
        if message.0 {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn a_refused_call_is_logged_once_per_plugin_and_method() {
    let counter = std::sync::Arc::new(DenialCounter::default());
    let logged = crate::util::on_thread({
        let counter = counter.clone();
        move || {
            tracing::subscriber::with_default(counter.clone(), || {
                let set = set();
                set.load(manifest("name = \"plain\""), TEST_PLUGIN).unwrap();
                let get = json!({"method": "storage.get", "params": ["k"]});
                for _ in 0..5 {
                    let result = futures::executor::block_on(set.call_raw(
                        "plain",
                        "call_host",
                        get.clone(),
                    ));
                    assert_eq!(rpc_error(result).code, -32002);
                }
                counter.0.load(std::sync::atomic::Ordering::SeqCst)
            })
        }
    });
    assert_eq!(logged, 1, "five refusals, one log line");
}
