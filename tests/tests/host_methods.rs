//! Host methods: typed routing, errors the plugin sees, concurrency,
//! notifications, panics and the caller's identity.

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicUsize, Ordering},
};

use serde_json::{Value, json};
use tokio::sync::Notify;
use wasmi_hdk::{CallOptions, Error, HostRouter, Plugin, RpcError};

use crate::util::Outcomes;
use crate::util::{builder, echo_host, test_plugin, within};

/// Asks the test plugin to call `method` with `params` and returns what the host answered.
async fn via_plugin(plugin: &Plugin, method: &str, params: Value) -> Result<Value, Error> {
    within(plugin.call_raw("call_host", json!({"method": method, "params": params}))).await
}

fn rpc_code(result: Result<Value, Error>) -> (i32, String) {
    match result {
        Err(Error::Rpc(e)) => (e.code, e.message),
        other => panic!("expected a JSON-RPC error, got {other:?}"),
    }
}

#[tokio::test]
async fn many_host_round_trips_in_one_call() {
    let plugin = test_plugin();
    let outcome = within(plugin.call_with::<Value>("many_echo", json!(1000), CallOptions::new()))
        .await
        .outcome();
    assert_eq!(outcome.result.unwrap(), 1000);
    assert_eq!(outcome.report.host_calls, 1000);
}

#[tokio::test]
async fn unknown_host_method_answers_32601_naming_it() {
    let plugin = test_plugin();
    let (code, message) = rpc_code(via_plugin(&plugin, "host.nope", json!([])).await);
    assert_eq!(code, -32601);
    assert!(message.contains("host.nope"), "{message}");
    // Without any host methods configured, the same.
    let bare = Plugin::new(test_plugin_artifacts::TEST_PLUGIN).unwrap();
    let (code, _) = rpc_code(within(bare.call_raw("many_echo", json!(1))).await);
    assert_eq!(code, -32601);
}

#[tokio::test]
async fn bad_host_params_answer_32602() {
    let host = echo_host().with_method("host.add", |_c, (a, b): (i64, i64)| async move {
        Ok::<_, RpcError>(a + b)
    });
    let plugin = builder()
        .with_host(host)
        .build(test_plugin_artifacts::TEST_PLUGIN)
        .unwrap();
    assert_eq!(
        via_plugin(&plugin, "host.add", json!([1, 2]))
            .await
            .unwrap(),
        3
    );
    let (code, _) = rpc_code(via_plugin(&plugin, "host.add", json!(["x"])).await);
    assert_eq!(code, -32602);
}

#[tokio::test]
async fn host_errors_pass_through_unchanged() {
    let host = HostRouter::new().with_method("host.deny", |_c, (): ()| async move {
        Err::<(), _>(RpcError::new(-32050, "denied").with_data(json!("because")))
    });
    let plugin = builder()
        .with_host(host)
        .build(test_plugin_artifacts::TEST_PLUGIN)
        .unwrap();
    match via_plugin(&plugin, "host.deny", Value::Null).await {
        Err(Error::Rpc(e)) => {
            assert_eq!((e.code, e.message.as_str()), (-32050, "denied"));
            assert_eq!(e.data, Some(json!("because")));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_panicking_host_method_answers_32603_and_the_host_survives() {
    let host = echo_host().with_method("host.panic", |_c, (): ()| async move {
        if true {
            panic!("host bug");
        }
        Ok::<(), RpcError>(())
    });
    let plugin = builder()
        .with_host(host)
        .build(test_plugin_artifacts::TEST_PLUGIN)
        .unwrap();
    let (code, message) = rpc_code(via_plugin(&plugin, "host.panic", Value::Null).await);
    assert_eq!(code, -32603);
    assert!(message.contains("host.panic"), "{message}");
    assert_eq!(
        within(plugin.call_raw("many_echo", json!(3)))
            .await
            .unwrap(),
        3
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_host_calls_are_in_flight_together() {
    // Each host call waits until all eight are running at once: served one
    // after the other, they would never finish and the test would time out.
    const N: usize = 8;
    let running = Arc::new(AtomicUsize::new(0));
    let all_in = Arc::new(Notify::new());
    let host = HostRouter::new().with_method("host.echo", move |_c, params: Value| {
        let (running, all_in) = (running.clone(), all_in.clone());
        async move {
            if running.fetch_add(1, Ordering::SeqCst) + 1 == N {
                all_in.notify_waiters();
            } else {
                let notified = all_in.notified();
                if running.load(Ordering::SeqCst) < N {
                    notified.await;
                }
            }
            Ok::<_, RpcError>(params)
        }
    });
    let plugin = builder()
        .with_host(host)
        .build(test_plugin_artifacts::TEST_PLUGIN)
        .unwrap();
    let result = within(plugin.call_raw("concurrent", json!(N)))
        .await
        .unwrap();
    let expected: Vec<Value> = (0..N).map(|i| json!([i])).collect();
    assert_eq!(result, json!(expected));
}

#[tokio::test]
async fn notifications_reach_the_host_before_the_call_returns() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let host = HostRouter::new().with_method("host.notified", move |caller, params: Value| {
        let sink = sink.clone();
        async move {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            sink.lock()
                .unwrap()
                .push((caller.plugin().to_owned(), params));
            Ok::<_, RpcError>(())
        }
    });
    let plugin = builder()
        .with_host(host)
        .build(test_plugin_artifacts::TEST_PLUGIN)
        .unwrap();
    let outcome = within(plugin.call_with::<Value>("notify", json!({"n": 1}), CallOptions::new()))
        .await
        .outcome();
    assert_eq!(outcome.result.unwrap(), Value::Null);
    assert_eq!(outcome.report.notifications, 1);
    assert_eq!(
        *seen.lock().unwrap(),
        [("test-plugin".to_owned(), json!({"n": 1}))]
    );
}

#[tokio::test]
async fn host_methods_know_which_plugin_calls() {
    let host = HostRouter::new().with_method("host.whoami", |caller, (): ()| async move {
        Ok::<_, RpcError>(caller.plugin().to_owned())
    });
    let plugin = Plugin::builder()
        .with_name("alice")
        .with_host(host)
        .build(test_plugin_artifacts::TEST_PLUGIN)
        .unwrap();
    assert_eq!(
        via_plugin(&plugin, "host.whoami", Value::Null)
            .await
            .unwrap(),
        "alice"
    );
}
