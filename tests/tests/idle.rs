//! Waiting costs no CPU: a plugin sleeping, or waiting on a slow host
//! method, leaves the thread that drives it idle.

use std::time::Duration;

use serde_json::{Value, json};
use wasmi_hdk::{HostRouter, RpcError};

use crate::util::{builder, on_thread, test_plugin};

/// CPU time (user + system) used so far by the calling thread.
#[cfg(target_os = "linux")]
fn thread_cpu_time() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // Safety: `getrusage` fills the struct it is given; RUSAGE_THREAD is valid on Linux.
    let usage = unsafe {
        assert_eq!(libc::getrusage(libc::RUSAGE_THREAD, usage.as_mut_ptr()), 0);
        usage.assume_init()
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// Runs `call` to completion on this thread and returns the CPU time it took.
#[cfg(target_os = "linux")]
fn cpu_time_of<F: std::future::Future>(call: F) -> (F::Output, Duration) {
    let before = thread_cpu_time();
    let output = futures::executor::block_on(call);
    (output, thread_cpu_time() - before)
}

#[cfg(target_os = "linux")]
#[test]
fn a_sleeping_plugin_uses_no_cpu() {
    let plugin = test_plugin();
    // Warm up (lazy compilation of the plugin's code) outside the measurement.
    futures::executor::block_on(plugin.call("sleep", json!(1))).unwrap();
    let (slept, cpu) = on_thread(move || cpu_time_of(plugin.call("sleep", json!(1000))));
    assert!(slept.unwrap().as_u64().unwrap() >= 1000);
    assert!(
        cpu < Duration::from_millis(100),
        "sleeping 1 s used {cpu:?} of CPU"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn waiting_on_a_slow_host_method_uses_no_cpu() {
    let host = HostRouter::new().method("host.slow", |_c, (): ()| async {
        futures_timer_sleep(Duration::from_secs(1)).await;
        Ok::<_, RpcError>("late")
    });
    let plugin = builder()
        .with_host(host)
        .build(test_plugin_artifacts::TEST_PLUGIN)
        .unwrap();
    let params = json!({"method": "host.slow", "params": Value::Null});
    futures::executor::block_on(plugin.call("ping", Value::Null)).unwrap();
    let (answer, cpu) = on_thread(move || cpu_time_of(plugin.call("call_host", params)));
    assert_eq!(answer.unwrap(), "late");
    assert!(
        cpu < Duration::from_millis(100),
        "waiting 1 s used {cpu:?} of CPU"
    );
}

/// A timer that needs no runtime: a thread parked for `duration`.
async fn futures_timer_sleep(duration: Duration) {
    let (tx, rx) = futures::channel::oneshot::channel();
    std::thread::spawn(move || {
        std::thread::sleep(duration);
        let _ = tx.send(());
    });
    let _ = rx.await;
}
