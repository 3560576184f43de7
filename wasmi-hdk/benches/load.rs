//! Load figures that are not per-call timings (see BENCHMARKS.md):
//! throughput at 1/8/64/1024 calls in flight, memory per in-flight call,
//! idle CPU while a plugin sleeps or waits on the host, and module size.
//!
//! `cargo bench -p wasmi-hdk --bench load`

#![expect(
    unused_crate_dependencies,
    reason = "a bench links all of the crate's dependencies"
)]

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use futures::{StreamExt, stream};
use serde_json::{Value, json};
use test_plugin_artifacts::TEST_PLUGIN;
use tokio::sync::Notify;
use wasmi_hdk::{HostRouter, Plugin, RpcError};

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs us with no flag: stay quick then.
    let quick = !std::env::args().any(|a| a == "--bench");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    println!("test-plugin.wasm: {} bytes", TEST_PLUGIN.len());
    runtime.block_on(async {
        throughput(quick).await;
        memory_per_call(if quick { 50 } else { 1000 }).await;
        if !quick {
            idle_cpu().await;
        }
    });
}

/// Calls/s for `ping` with `n` calls kept in flight on a 2-worker tokio runtime.
async fn throughput(quick: bool) {
    let plugin = Plugin::new(TEST_PLUGIN).unwrap();
    let total = if quick { 200 } else { 20_000 };
    for in_flight in [1usize, 8, 64, 1024] {
        let started = Instant::now();
        let done = stream::iter(0..total)
            .map(|_| {
                let plugin = plugin.clone();
                tokio::spawn(async move { plugin.call_raw("ping", Value::Null).await })
            })
            .buffer_unordered(in_flight)
            .filter(|r| futures::future::ready(matches!(r, Ok(Ok(v)) if v == "pong")))
            .count()
            .await;
        assert_eq!(done, total, "every call must succeed");
        let rate = total as f64 / started.elapsed().as_secs_f64();
        println!("throughput, {in_flight:>4} in flight: {rate:>9.0} calls/s ({total} calls)");
    }
}

/// Resident memory per call while `n` calls are all in flight at once,
/// each parked in a host method until every one has arrived.
async fn memory_per_call(n: usize) {
    let arrived = Arc::new(AtomicUsize::new(0));
    let release = Arc::new(Notify::new());
    let (a, r) = (arrived.clone(), release.clone());
    let host = HostRouter::new().with_method("host.park", move |_c, (): ()| {
        let (arrived, release) = (a.clone(), r.clone());
        async move {
            let released = release.notified();
            arrived.fetch_add(1, Ordering::SeqCst);
            released.await;
            Ok::<_, RpcError>("released")
        }
    });
    let plugin = Plugin::builder()
        .with_host(host)
        .build(TEST_PLUGIN)
        .unwrap();
    // Warm up: lazy compilation and allocator pools outside the measurement.
    for _ in 0..3 {
        let warm = plugin.call_raw("ping", Value::Null).await;
        assert!(warm.is_ok());
    }
    let before = rss_bytes();
    let calls: Vec<_> = (0..n)
        .map(|_| {
            let plugin = plugin.clone();
            tokio::spawn(async move {
                plugin
                    .call_raw("call_host", json!({"method": "host.park"}))
                    .await
            })
        })
        .collect();
    while arrived.load(Ordering::SeqCst) < n {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let during = rss_bytes();
    release.notify_waiters();
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap(), "released");
    }
    let per_call = during.saturating_sub(before) / n as u64;
    println!(
        "memory, {n} calls in flight: {} KiB per call (RSS {} -> {} MiB)",
        per_call / 1024,
        before >> 20,
        during >> 20
    );
}

/// Process CPU time used while a plugin sleeps 2 s, and while a call waits
/// 2 s on a slow async host method.
async fn idle_cpu() {
    let host = HostRouter::new().with_method("host.slow", |_c, (): ()| async {
        tokio::time::sleep(Duration::from_secs(2)).await;
        Ok::<_, RpcError>("late")
    });
    let plugin = Plugin::builder()
        .with_host(host)
        .build(TEST_PLUGIN)
        .unwrap();
    assert!(plugin.call_raw("ping", Value::Null).await.is_ok());
    for (what, method, params) in [
        ("plugin sleeping 2 s", "sleep", json!([2000])),
        (
            "call waiting 2 s on the host",
            "call_host",
            json!({"method": "host.slow"}),
        ),
    ] {
        let (cpu0, wall0) = (process_cpu(), Instant::now());
        plugin.call_raw(method, params).await.unwrap();
        let (cpu, wall) = (process_cpu() - cpu0, wall0.elapsed());
        println!(
            "idle CPU, {what}: {:.3} ms CPU over {:.0} ms = {:.3} %",
            cpu.as_secs_f64() * 1e3,
            wall.as_secs_f64() * 1e3,
            100.0 * cpu.as_secs_f64() / wall.as_secs_f64()
        );
    }
}

/// Resident set size of this process, from `/proc/self/statm`.
fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

/// User + system CPU time of the whole process.
fn process_cpu() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // Safety: `getrusage` fills the struct it is given; RUSAGE_SELF is always valid.
    let usage = unsafe {
        assert_eq!(libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()), 0);
        usage.assume_init()
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}
