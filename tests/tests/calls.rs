//! Calling well-behaved plugin methods: results, errors, reports, reuse,
//! concurrency and executors.

use serde_json::{Value, json};
use wasmi_hdk::{CallOptions, Error};

use crate::util::Outcomes;
use crate::util::{test_plugin, within};

#[tokio::test]
async fn methods_answer_with_their_results() {
    let plugin = test_plugin();
    within(async {
        assert_eq!(plugin.call_raw("ping", Value::Null).await.unwrap(), "pong");
        assert_eq!(
            plugin
                .call_raw("echo", json!({"k": [1, "x\ny"]}))
                .await
                .unwrap(),
            json!({"k": [1, "x\ny"]})
        );
        assert_eq!(
            plugin
                .call_raw("add", json!({"a": 2, "b": 40}))
                .await
                .unwrap(),
            42
        );
        assert_eq!(plugin.call_raw("add", json!([2, 40])).await.unwrap(), 42);
        assert_eq!(plugin.call_raw("sieve", json!(1000)).await.unwrap(), 168);
        assert_eq!(
            plugin.call_raw("sieve", json!([100_000])).await.unwrap(),
            9592
        );
    })
    .await;
}

#[tokio::test]
async fn typed_calls_encode_params_and_decode_results() {
    let plugin = test_plugin();
    within(async {
        let primes: u64 = plugin.call("sieve", 10_000).await.unwrap();
        assert_eq!(primes, 1229);
        let sum: i64 = plugin.call("add", (20, 22)).await.unwrap();
        assert_eq!(sum, 42);
        let wrong = plugin.call::<String>("add", (1, 2)).await;
        assert!(
            matches!(wrong, Err(Error::UnexpectedResult(_))),
            "{wrong:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn plugin_errors_keep_code_message_and_data() {
    let plugin = test_plugin();
    within(async {
        match plugin.call_raw("no_such_method", Value::Null).await {
            Err(Error::Rpc(e)) => {
                assert_eq!(e.code, -32601);
                assert!(e.message.contains("no_such_method"), "{}", e.message);
            }
            other => panic!("expected -32601, got {other:?}"),
        }
        match plugin.call_raw("sieve", json!(["many"])).await {
            Err(Error::Rpc(e)) => assert_eq!(e.code, -32602, "{e:?}"),
            other => panic!("expected -32602, got {other:?}"),
        }
        let failure = json!({"code": 42, "message": "custom failure", "data": {"why": [1, 2]}});
        match plugin.call_raw("fail", failure).await {
            Err(Error::Rpc(e)) => {
                assert_eq!((e.code, e.message.as_str()), (42, "custom failure"));
                assert_eq!(e.data, Some(json!({"why": [1, 2]})));
            }
            other => panic!("expected the plugin's error, got {other:?}"),
        }
    })
    .await;
}

#[tokio::test]
async fn report_counts_what_the_call_did() {
    let plugin = test_plugin();
    let outcome = within(plugin.call_with::<Value>("many_echo", json!(25), CallOptions::new()))
        .await
        .outcome();
    assert_eq!(outcome.result.unwrap(), 25);
    let report = outcome.report;
    assert_eq!(report.host_calls, 25);
    assert!(report.fuel_consumed > 0, "{report:?}");
    assert!(report.peak_memory >= 64 * 1024, "{report:?}");
    assert!(report.bytes_in > 25 * 20, "{report:?}");
    assert!(report.bytes_out > 25 * 20, "{report:?}");
    assert!(report.wall_time > std::time::Duration::ZERO);

    let light = within(plugin.call_with::<Value>("ping", Value::Null, CallOptions::new()))
        .await
        .outcome();
    let heavy = within(plugin.call_with::<Value>("sieve", json!(200_000), CallOptions::new()))
        .await
        .outcome();
    assert!(heavy.report.fuel_consumed > 10 * light.report.fuel_consumed);
}

#[tokio::test]
async fn fuel_use_is_deterministic() {
    let plugin = test_plugin();
    let run = || plugin.call_with::<Value>("sieve", json!(5000), CallOptions::new());
    let first = within(run()).await.outcome().report.fuel_consumed;
    let second = within(run()).await.outcome().report.fuel_consumed;
    assert_eq!(first, second);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_plugin_serves_many_concurrent_calls() {
    let plugin = test_plugin();
    let calls = (0..64u64).map(|i| {
        let plugin = plugin.clone();
        tokio::spawn(async move { plugin.call_raw("add", json!([i, 1000])).await })
    });
    let results = within(futures::future::join_all(calls)).await;
    for (i, result) in (0..).zip(results) {
        assert_eq!(result.unwrap().unwrap(), json!(i + 1000));
    }
}

#[test]
fn works_on_a_single_threaded_executor_without_tokio() {
    let plugin = test_plugin();
    let (a, b) = crate::util::on_thread(move || {
        futures::executor::block_on(async {
            let a = plugin.call_raw("many_echo", json!(10));
            let b = plugin.call_raw("sieve", json!(1000));
            futures::join!(a, b)
        })
    });
    assert_eq!(a.unwrap(), 10);
    assert_eq!(b.unwrap(), 168);
}
