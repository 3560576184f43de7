//! Prints the native host's ping latency and `sieve(1_000_000)` time as
//! medians, measured exactly as the browser benchmark (`web-demo/e2e/bench.mjs`)
//! measures them: the embedded test plugin, default limits, one call at a
//! time, after a warm-up: `ping`, a `call_host` whose plugin calls the
//! host's `host.echo` once, and `sieve(1_000_000)`.
//!
//! `cargo run --release -p wasmi-web-native-bench` prints one JSON line:
//! `{"pingMedianMs":…,"hostCallMedianMs":…,"sieveMedianMs":…,"pingRuns":…,"sieveRuns":…}`.

use std::time::Instant;

use serde_json::{Value, json};
use wasmi_hdk::{HostRouter, Plugin, RpcError};

/// Warm-up calls before `ping` and the host round trip are measured.
const PING_WARMUP: usize = 200;
/// Timed batches of `ping` (and of the host round trip).
const PING_BATCHES: usize = 20;
/// Calls per timed batch: Firefox and WebKit give pages a 1 ms clock, so a
/// batch of 100 resolves 0.01 ms per call.
const PING_BATCH: usize = 100;
/// Calls of `sieve(1_000_000)` measured (after one warm-up call).
const SIEVE_RUNS: usize = 7;

fn main() {
    let host = HostRouter::new().with_method("host.echo", |_caller, params: Value| async move {
        Ok::<_, RpcError>(params)
    });
    let plugin = Plugin::builder()
        .with_host(host)
        .build(test_plugin_artifacts::TEST_PLUGIN)
        .expect("the test plugin loads");
    let ping = measure(
        &plugin,
        "ping",
        &Value::Null,
        (PING_WARMUP, PING_BATCHES, PING_BATCH),
        &json!("pong"),
    );
    let host_call = measure(
        &plugin,
        "call_host",
        &json!({"method": "host.echo", "params": [1]}),
        (PING_WARMUP, PING_BATCHES, PING_BATCH),
        &json!([1]),
    );
    let sieve = measure(
        &plugin,
        "sieve",
        &json!([1_000_000]),
        (1, SIEVE_RUNS, 1),
        &json!(78_498),
    );
    println!(
        "{}",
        json!({
            "pingMedianMs": ping,
            "hostCallMedianMs": host_call,
            "sieveMedianMs": sieve,
            "pingRuns": PING_BATCHES * PING_BATCH,
            "sieveRuns": SIEVE_RUNS,
        })
    );
}

/// The median, over `batches` batches of `per_batch` sequential calls, of
/// the mean wall time of a call in ms, after `warmup` calls.
fn measure(
    plugin: &Plugin,
    method: &str,
    params: &Value,
    (warmup, batches, per_batch): (usize, usize, usize),
    expected: &Value,
) -> f64 {
    let call = || {
        let result = futures::executor::block_on(plugin.call_raw(method, params.clone()));
        assert_eq!(result.as_ref().ok(), Some(expected), "{method}: {result:?}");
    };
    (0..warmup).for_each(|_| call());
    let mut times: Vec<f64> = (0..batches)
        .map(|_| {
            let started = Instant::now();
            (0..per_batch).for_each(|_| call());
            started.elapsed().as_secs_f64() * 1000.0 / per_batch as f64
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}
