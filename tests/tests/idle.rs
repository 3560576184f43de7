//! Waiting costs no CPU: a plugin sleeping, or waiting on a slow host
//! method, leaves the thread that drives it idle.
//!
//! Two checks of one call that waits for 1 s, neither of which depends on
//! how busy the machine is:
//!
//! - **Polls.** A call that waits is polled once when it starts, once per
//!   fuel slice it computes and once when its wait ends: a count fixed by
//!   the work, not by time. A call that spins on "would block" (wakes
//!   itself to look again) is polled again at once, over and over, for the
//!   whole second: thousands of polls, even with a small share of a core.
//! - **CPU time** of the thread that drives it (`getrusage(RUSAGE_THREAD)`)
//!   below a tenth of the wall time of the call. The thread's own work is
//!   fixed (measured: 0.3 ms for the sleep, 1.9 ms for the host call, over
//!   1 s); other processes only stretch the wall time and never add CPU
//!   time to this thread, so load lowers the ratio and cannot fail the
//!   check. A call that spins (inside one poll, say) burns the thread's
//!   whole share of a core, and fails it wherever that share is over a
//!   tenth of a core.
//!
//! Tried with a sleep that wakes itself until its time has come, on a
//! loaded 2-core machine: 1 264 890 polls and 327 ms of CPU in 1 s. Both
//! checks fail it (half the wall time would not have).
//!
//! The idle CPU figures themselves (CPU per second of waiting) are measured
//! by the load bench, `cargo bench -p wasmi-hdk --bench load` (see
//! BENCHMARKS.md).

// `RUSAGE_THREAD` is Linux's.
#![cfg(target_os = "linux")]

use std::{
    future::Future,
    time::{Duration, Instant},
};

use serde_json::{Value, json};
use wasmi_hdk::{HostRouter, RpcError};

use crate::util::{builder, on_thread, test_plugin};

/// Most polls a call that waits once may take: measured, 2 for the sleep
/// and 2 for the host call (the start and the wake-up); a spinning call
/// takes thousands.
const MAX_POLLS: u32 = 100;

/// CPU time (user + system) used so far by the calling thread.
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

/// What driving one call to completion on this thread cost.
#[derive(Debug)]
struct Cost {
    polls: u32,
    cpu: Duration,
    wall: Duration,
}

impl Cost {
    /// Asserts the call waited idly (see the module docs).
    #[track_caller]
    fn assert_idle(&self, what: &str) {
        assert!(
            self.polls <= MAX_POLLS,
            "{what}: polled {} times: {self:?}",
            self.polls
        );
        assert!(
            self.cpu < self.wall / 10,
            "{what}: used {:?} of CPU in {:?}: {self:?}",
            self.cpu,
            self.wall
        );
    }
}

/// Runs `call` to completion on this thread with a plain executor.
fn cost_of<F: Future>(call: F) -> (F::Output, Cost) {
    let mut call = std::pin::pin!(call);
    let mut polls = 0;
    let (cpu, wall) = (thread_cpu_time(), Instant::now());
    let output = futures::executor::block_on(std::future::poll_fn(|cx| {
        polls += 1;
        call.as_mut().poll(cx)
    }));
    let cost = Cost {
        polls,
        cpu: thread_cpu_time() - cpu,
        wall: wall.elapsed(),
    };
    (output, cost)
}

#[test]
fn a_sleeping_plugin_uses_no_cpu() {
    let plugin = test_plugin();
    // Warm up (lazy compilation of the plugin's code) outside the measurement.
    futures::executor::block_on(plugin.call_raw("sleep", json!(1))).unwrap();
    let (slept, cost) = on_thread(move || cost_of(plugin.call_raw("sleep", json!(1000))));
    assert!(slept.unwrap().as_u64().unwrap() >= 1000);
    eprintln!("sleeping 1 s: {cost:?}");
    cost.assert_idle("sleeping 1 s");
}

#[test]
fn waiting_on_a_slow_host_method_uses_no_cpu() {
    let host = HostRouter::new().with_method("host.slow", |_c, (): ()| async {
        futures_timer_sleep(Duration::from_secs(1)).await;
        Ok::<_, RpcError>("late")
    });
    let plugin = builder()
        .with_host(host)
        .build(test_plugin_artifacts::TEST_PLUGIN)
        .unwrap();
    let params = json!({"method": "host.slow", "params": Value::Null});
    futures::executor::block_on(plugin.call_raw("ping", Value::Null)).unwrap();
    let (answer, cost) = on_thread(move || cost_of(plugin.call_raw("call_host", params)));
    assert_eq!(answer.unwrap(), "late");
    eprintln!("waiting 1 s on the host: {cost:?}");
    cost.assert_idle("waiting 1 s on the host");
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
