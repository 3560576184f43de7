//! Soak, concurrency and cancellation: many calls, good and hostile mixed,
//! each checked for its exact answer or its specific error, with the
//! process's resident memory sampled after a warm-up and at the end.
//!
//! Ignored by default (minutes of work); run them with
//! `cargo test --release -p integration-tests -- --ignored soak --test-threads=1`
//! (or `tests/soak.sh`). `SOAK_SCALE` scales every count (default 1: 100 000
//! sequential calls, 3 rounds of 10 000 concurrent calls, 5 000 cancelled
//! calls); CI runs a fraction.
//!
//! Memory: resident memory is sampled after a warm-up and at the end, each
//! time after handing the allocator's free memory back to the system
//! (`malloc_trim` on glibc; without it the figure follows the allocator's
//! caches and the peak concurrency of each round, ±30 MiB here, rather than
//! what is in use). We allow 10 MiB or 10 % of the warm-up figure, whichever
//! is larger; measured, the samples vary by ±3 MiB. A leak of 100 bytes per
//! call would be 10 MB over 100 000 calls; a leaked instance (≥ 64 KiB of
//! linear memory) per call would be gigabytes.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use serde_json::{Value, json};
use wasmi_hdk::{CallOptions, CancelHandle, Error, Limits, Plugin, ProtocolViolation, TrapCode};

use crate::util::Outcomes;
use crate::util::{builder, misbehaving, test_plugin, within};

/// `SOAK_SCALE` (a positive number, default 1) times `count`, at least 1.
fn scaled(count: usize) -> usize {
    let scale: f64 = std::env::var("SOAK_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|s: &f64| *s > 0.0)
        .unwrap_or(1.0);
    ((count as f64 * scale) as usize).max(1)
}

/// Resident memory of this process in bytes (Linux), `None` elsewhere.
///
/// Freed memory the allocator still holds is handed back to the system
/// first (glibc's `malloc_trim`), so the figure counts what is in use, not
/// what peak concurrency once needed.
fn rss() -> Option<u64> {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // Safety: `malloc_trim` only releases free memory of the allocator.
    unsafe {
        libc::malloc_trim(0);
    }
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // Safety: `sysconf` only reads a configuration value.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    Some(pages * u64::try_from(page).ok()?)
}

const MIB: u64 = 1 << 20;

/// Fails if resident memory grew from `warm` to `end` by more than
/// 10 MiB or 10 % of `warm` (see the module docs).
fn assert_no_growth(what: &str, warm: Option<u64>, end: Option<u64>) {
    let (Some(warm), Some(end)) = (warm, end) else {
        eprintln!("{what}: resident memory unknown on this platform, not checked");
        return;
    };
    let slack = (10 * MIB).max(warm / 10);
    eprintln!(
        "{what}: resident memory {} MiB after warm-up, {} MiB at the end",
        warm / MIB,
        end / MIB
    );
    assert!(
        end <= warm + slack,
        "{what}: resident memory grew from {} MiB to {} MiB",
        warm / MIB,
        end / MIB
    );
}

/// One kind of call and what it must end with.
#[derive(Debug, Clone, Copy)]
enum Case {
    Ping,
    Add,
    Echo,
    Sieve,
    ManyEcho,
    Sleep,
    BadParams,
    NoMethod,
    Panic,
    Exit,
    Garbage,
    WrongId,
    AnswerTwice,
    NoAnswer,
    Loop,
    StackOverflow,
    Alloc,
}

/// The mix: 12 well-behaved calls and 8 hostile ones in 20.
const MIX: [Case; 20] = [
    Case::Ping,
    Case::Add,
    Case::Panic,
    Case::Echo,
    Case::Sieve,
    Case::Exit,
    Case::ManyEcho,
    Case::Garbage,
    Case::Ping,
    Case::BadParams,
    Case::Loop,
    Case::Sleep,
    Case::WrongId,
    Case::Add,
    Case::NoMethod,
    Case::AnswerTwice,
    Case::Echo,
    Case::StackOverflow,
    Case::NoAnswer,
    Case::Alloc,
];

/// The two plugins every soak calls.
struct Plugins {
    good: Plugin,
    bad: Plugin,
}

impl Plugins {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            good: test_plugin(),
            bad: misbehaving(builder()),
        })
    }
}

fn limited(limits: Limits) -> CallOptions {
    CallOptions::new().with_limits(limits)
}

/// Runs call number `i` (its case is `MIX[i % 20]`) and checks its outcome.
async fn run_case(plugins: &Plugins, i: usize) {
    let n = i as u64;
    let (good, bad) = (&plugins.good, &plugins.bad);
    let case = MIX[i % MIX.len()];
    let outcome = match case {
        Case::Ping => good.call_raw("ping", Value::Null).await,
        Case::Add => good.call_raw("add", json!([n, 7])).await,
        Case::Echo => good.call_raw("echo", json!({"i": n, "s": "x\ny"})).await,
        Case::Sieve => good.call_raw("sieve", json!(1000)).await,
        Case::ManyEcho => good.call_raw("many_echo", json!(3)).await,
        Case::Sleep => good.call_raw("sleep", json!(1)).await,
        Case::BadParams => good.call_raw("add", json!(["x"])).await,
        Case::NoMethod => good.call_raw("no_such_method", Value::Null).await,
        Case::Panic => bad.call_raw("panic", Value::Null).await,
        Case::Exit => bad.call_raw("exit", json!(n % 100 + 1)).await,
        Case::Garbage => bad.call_raw("garbage", Value::Null).await,
        Case::WrongId => bad.call_raw("wrong_id", Value::Null).await,
        Case::AnswerTwice => bad.call_raw("answer_twice", Value::Null).await,
        Case::NoAnswer => bad.call_raw("exit_without_answer", Value::Null).await,
        Case::Loop => {
            let limits = Limits::default().with_fuel(1_000_000);
            bad.call_with::<Value>("loop", Value::Null, limited(limits))
                .await
                .outcome()
                .result
        }
        Case::StackOverflow => bad.call_raw("stack_overflow", Value::Null).await,
        Case::Alloc => {
            let limits = Limits::default().with_max_memory(4 << 20);
            bad.call_with::<Value>("alloc", json!(8), limited(limits))
                .await
                .outcome()
                .result
        }
    };
    check(case, n, outcome);
}

fn check(case: Case, n: u64, outcome: Result<Value, Error>) {
    let violation = |outcome: &Result<Value, Error>| match outcome {
        Err(Error::Protocol { violation, .. }) => Some(violation.clone()),
        _ => None,
    };
    let ok = match case {
        Case::Ping => matches!(&outcome, Ok(v) if v == "pong"),
        Case::Add => matches!(&outcome, Ok(v) if *v == json!(n + 7)),
        Case::Echo => matches!(&outcome, Ok(v) if *v == json!({"i": n, "s": "x\ny"})),
        Case::Sieve => matches!(&outcome, Ok(v) if *v == json!(168)),
        Case::ManyEcho => matches!(&outcome, Ok(v) if *v == json!(3)),
        Case::Sleep => matches!(&outcome, Ok(v) if v.as_u64().is_some_and(|ms| ms >= 1)),
        Case::BadParams => matches!(&outcome, Err(Error::Rpc(e)) if e.code == -32602),
        Case::NoMethod => matches!(&outcome, Err(Error::Rpc(e)) if e.code == -32601),
        Case::Panic => matches!(
            &outcome,
            Err(Error::Trap { code: Some(TrapCode::Unreachable), stderr_tail, .. })
                if stderr_tail.contains("deliberate panic")
        ),
        Case::Exit => {
            matches!(&outcome, Err(Error::Exit { code, .. }) if *code as u64 == n % 100 + 1)
        }
        Case::Garbage => matches!(violation(&outcome), Some(ProtocolViolation::NotJson { .. })),
        Case::WrongId => matches!(
            violation(&outcome),
            Some(ProtocolViolation::WrongResponseId { .. })
        ),
        Case::AnswerTwice => violation(&outcome) == Some(ProtocolViolation::DuplicateResponse),
        Case::NoAnswer => {
            violation(&outcome) == Some(ProtocolViolation::NoResponse { exit_code: Some(0) })
        }
        Case::Loop => matches!(&outcome, Err(Error::OutOfFuel { budget: 1_000_000 })),
        Case::StackOverflow => matches!(
            &outcome,
            Err(Error::Trap {
                code: Some(TrapCode::StackOverflow | TrapCode::MemoryOutOfBounds),
                ..
            })
        ),
        Case::Alloc => {
            matches!(&outcome, Err(Error::MemoryLimit { limit, .. }) if *limit == 4 << 20)
        }
    };
    assert!(ok, "call {n} ({case:?}) ended with {outcome:?}");
}

#[tokio::test]
#[ignore = "soak: minutes of work; run with --ignored soak"]
async fn soak_sequential_calls_mixed_good_and_hostile() {
    let plugins = Plugins::new();
    let total = scaled(100_000);
    let warm_up = (total / 10).max(MIX.len());
    let started = Instant::now();
    let mut warm = None;
    for i in 0..total {
        within(run_case(&plugins, i)).await;
        if i + 1 == warm_up {
            warm = rss();
        }
    }
    let elapsed = started.elapsed();
    eprintln!(
        "{total} sequential calls in {elapsed:?} ({:?} per call)",
        elapsed / total as u32
    );
    assert_no_growth("sequential", warm, rss());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "soak: minutes of work; run with --ignored soak"]
async fn soak_concurrent_calls_mixed_good_and_hostile() {
    let plugins = Plugins::new();
    let per_round = scaled(10_000);
    let rounds = 3;
    let started = Instant::now();
    let mut warm = None;
    for round in 0..rounds {
        let tasks: Vec<_> = (0..per_round)
            .map(|i| {
                let plugins = plugins.clone();
                tokio::spawn(async move { run_case(&plugins, round * per_round + i).await })
            })
            .collect();
        let finished =
            tokio::time::timeout(Duration::from_secs(600), futures::future::join_all(tasks))
                .await
                .expect("a round of concurrent calls hung");
        for task in finished {
            task.expect("a call's checks failed");
        }
        if round == 0 {
            warm = rss();
        }
    }
    let elapsed = started.elapsed();
    eprintln!("{rounds} rounds of {per_round} concurrent calls in {elapsed:?}");
    assert_no_growth("concurrent", warm, rss());
}

/// Calls dropped or cancelled while computing and while suspended, one
/// after the other: each must end with `Cancelled` (a cancel that did not
/// act would leave the loop and the 60 s sleep to the default 30 s timeout,
/// and `Timeout`).
async fn cancel_one_of_each(good: &Plugin, bad: &Plugin, slowest: &mut Duration) {
    // Dropped while computing ...
    let dropped =
        tokio::time::timeout(Duration::from_millis(1), bad.call_raw("loop", Value::Null)).await;
    assert!(dropped.is_err(), "the loop cannot have finished");
    // ... and while suspended, waiting for a timer.
    let dropped = tokio::time::timeout(
        Duration::from_millis(1),
        good.call_raw("sleep", json!(60_000)),
    )
    .await;
    assert!(dropped.is_err(), "the sleep cannot have finished");
    // Cancelled through the handle, from another task, while computing ...
    let cancel = CancelHandle::new();
    let options = CallOptions::new().with_cancel(cancel.clone());
    let running = tokio::spawn(bad.call_with::<Value>("loop", Value::Null, options));
    tokio::time::sleep(Duration::from_millis(1)).await;
    let cancelled_at = Instant::now();
    cancel.cancel();
    let outcome = within(running).await.unwrap().outcome();
    *slowest = (*slowest).max(cancelled_at.elapsed());
    assert!(
        matches!(outcome.result, Err(Error::Cancelled)),
        "{:?}",
        outcome.result
    );
    // ... and while suspended in a sleep.
    let cancel = CancelHandle::new();
    let options = CallOptions::new().with_cancel(cancel.clone());
    let sleeping = tokio::spawn(good.call_with::<Value>("sleep", json!(60_000), options));
    tokio::task::yield_now().await;
    let cancelled_at = Instant::now();
    cancel.cancel();
    let outcome = within(sleeping).await.unwrap().outcome();
    *slowest = (*slowest).max(cancelled_at.elapsed());
    assert!(
        matches!(outcome.result, Err(Error::Cancelled)),
        "{:?}",
        outcome.result
    );
}

/// `count` loops running together, all cancelled through one handle.
async fn cancel_many_at_once(bad: &Plugin, count: usize) {
    let cancel = CancelHandle::new();
    let many: Vec<_> = (0..count)
        .map(|_| {
            let options = CallOptions::new().with_cancel(cancel.clone());
            tokio::spawn(bad.call_with::<Value>("loop", Value::Null, options))
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(20)).await;
    cancel.cancel();
    for task in within(futures::future::join_all(many)).await {
        let outcome = task.unwrap().outcome();
        assert!(
            matches!(outcome.result, Err(Error::Cancelled)),
            "{:?}",
            outcome.result
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "soak: minutes of work; run with --ignored soak"]
async fn soak_cancelled_calls_stop_promptly_and_free_their_memory() {
    let plugins = Plugins::new();
    let (good, bad) = (&plugins.good, &plugins.bad);
    // Two rounds, the first one the warm-up: 4 x 500 one after the other,
    // then 500 at once.
    let per_round = scaled(500);
    let started = Instant::now();
    let mut slowest_cancel = Duration::ZERO;
    let mut warm = None;
    for round in 0..2 {
        for _ in 0..per_round {
            cancel_one_of_each(good, bad, &mut slowest_cancel).await;
        }
        cancel_many_at_once(bad, per_round).await;
        if round == 0 {
            warm = rss();
        }
    }
    // A figure, not a check: each cancel ended in `Cancelled` under the
    // hang timeout, and one that did not act would have ended in the
    // default 30 s timeout (`Timeout`) instead.
    eprintln!(
        "{} cancelled calls in {:?}; the slowest cancel took {slowest_cancel:?}",
        2 * 5 * per_round,
        started.elapsed()
    );
    assert_eq!(
        within(good.call_raw("ping", Value::Null)).await.unwrap(),
        "pong"
    );
    assert_eq!(
        within(bad.call_raw("read_stdin_forever", Value::Null))
            .await
            .unwrap(),
        0
    );
    assert_no_growth("cancellation", warm, rss());
}
