//! Hostile use of the pipes and of host calls: writes that try to multiply
//! the host's work, answers and nested calls that try to pile up in the
//! host's memory, messages after the answer, a start section that answers,
//! and limits and log handlers at their edges. Each case ends in its own
//! outcome (a bound that failed would leave it running forever, so it
//! hangs and fails), and the plugin serves its next call.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use futures::StreamExt;
use serde_json::{Value, json};
use wasmi_hdk::{
    CallOptions, Error, HostRouter, Limits, ProtocolViolation, RpcError,
    set::{Manifest, PluginSet},
};

use crate::util::Outcomes;
use crate::{
    harness::{data, hostile, hostile_with_memory, load, still_ok},
    util::{builder, capturing, echo_host, test_plugin, untimed, violation, within},
};

/// A function `$repeat` that runs `body` `n` times, and `data`.
fn repeat(n: u32, body: &str, data: &str) -> String {
    format!(
        "(func $repeat (local $i i32)
           (local.set $i (i32.const {n}))
           (loop $l
             {body}
             (local.set $i (i32.sub (local.get $i) (i32.const 1)))
             (br_if $l (local.get $i))))
         {data}"
    )
}

/// `$same_iovecs (at, n)`: `n` iovecs at `at`, every one the 1 MiB at 1 MiB.
const SAME_IOVECS: &str = r#"(func $same_iovecs (param $at i32) (param $n i32)
    (loop $l
      (i32.store (local.get $at) (i32.const 0x100000))
      (i32.store offset=4 (local.get $at) (i32.const 0x100000))
      (local.set $at (i32.add (local.get $at) (i32.const 8)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n))))"#;

/// A plugin whose `fd_write`s to `fd` pass 1024 iovecs that all point at
/// the same 1 MiB of `byte`: once, or (`repeat`) in a loop.
fn same_buffer_writes(fd: i32, byte: u8, repeat: bool) -> Vec<u8> {
    let write = format!(
        "(drop (call $fd_write (i32.const {fd}) (i32.const 0x20000) (i32.const 1024) (i32.const 0x30)))"
    );
    let write = if repeat {
        format!("(loop $again {write} (br $again))")
    } else {
        write
    };
    let body = format!(
        "(memory.fill (i32.const 0x100000) (i32.const {byte}) (i32.const 0x100000))
         (call $same_iovecs (i32.const 0x20000) (i32.const 1024))
         {write}"
    );
    hostile_with_memory(32, &body, SAME_IOVECS)
}

#[tokio::test]
async fn one_write_takes_at_most_its_memory_and_4096_lines() {
    // 1024 iovecs over the same 1 MiB: a write takes at most as many bytes
    // as the 2 MiB memory holds, not a GiB.
    let plugin = load(&same_buffer_writes(2, b'x', false), Limits::default());
    let outcome = within(plugin.call_with::<Value>("bad", Value::Null, CallOptions::new()))
        .await
        .outcome();
    assert_eq!(outcome.result.unwrap(), "ok");
    assert_eq!(outcome.report.stderr_bytes, 2 << 20);
    // A buffer of newlines: 4096 lines (blank ones, on stdout) per write.
    let plugin = load(&same_buffer_writes(1, b'\n', false), Limits::default());
    let outcome = within(plugin.call_with::<Value>("bad", Value::Null, CallOptions::new()))
        .await
        .outcome();
    assert_eq!(outcome.result.unwrap(), "ok");
    let answer_line = r#"{"jsonrpc":"2.0","id":1,"result":"ok"}"#.len() as u64 + 1;
    assert_eq!(outcome.report.bytes_out, 4096 + answer_line);
    // On stderr, 4096 log records per write.
    let (b, lines) = capturing(builder());
    let plugin = b.build(&same_buffer_writes(2, b'\n', false)).unwrap();
    assert_eq!(
        within(plugin.call_raw("bad", Value::Null)).await.unwrap(),
        "ok"
    );
    assert_eq!(lines.lock().unwrap().len(), 4096);
}

#[tokio::test]
async fn a_loop_of_same_buffer_writes_meets_the_timeout_and_the_budget() {
    for (fd, byte) in [(1, b'\n'), (2, b'x'), (2, b'\n')] {
        let wasm = same_buffer_writes(fd, byte, true);
        let limit = Duration::from_millis(200);
        let plugin = load(&wasm, Limits::default().with_timeout(limit));
        let error = within(plugin.call_raw("bad", Value::Null))
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::Timeout { limit: l } if l == limit),
            "fd {fd}: {error:?}"
        );
        still_ok(&plugin).await;
        let plugin = load(&wasm, untimed().with_fuel(2_000_000));
        let error = within(plugin.call_raw("bad", Value::Null))
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::OutOfFuel { budget: 2_000_000 }),
            "fd {fd}: {error:?}"
        );
        still_ok(&plugin).await;
    }
}

/// Writes `line` (plus a newline) `4096 * rounds` times, 4096 lines per
/// `fd_write`, then answers.
fn repeated_line(line: &str, rounds: u32) -> Vec<u8> {
    let line = format!("{line}\n");
    let len = line.len() as u32;
    let block = len * 4096;
    let pages = (0x10000 + block) / 65536 + 2;
    let flood = format!(
        "(func $flood (local $i i32)
           (loop $fill
             (memory.copy (i32.add (i32.const 0x10000) (i32.mul (local.get $i) (i32.const {len})))
                          (i32.const 0x5000) (i32.const {len}))
             (local.set $i (i32.add (local.get $i) (i32.const 1)))
             (br_if $fill (i32.lt_u (local.get $i) (i32.const 4096))))
           (local.set $i (i32.const {rounds}))
           (loop $send
             (drop (call $write (i32.const 1) (i32.const 0x10000) (i32.const {block})))
             (local.set $i (i32.sub (local.get $i) (i32.const 1)))
             (br_if $send (local.get $i))))
         {}",
        data(0x5000, &line)
    );
    hostile_with_memory(pages, "(call $flood)", &flood)
}

#[tokio::test]
async fn answers_the_plugin_does_not_read_count_in_the_backlog() {
    // 102 400 tiny requests for a 4 KiB answer each: 400 MB of answers
    // unless the backlog (64 MiB by default) stops them.
    let host = echo_host().with_method("host.blob", |_c, (): ()| async {
        Ok::<_, RpcError>("x".repeat(4096))
    });
    let wasm = repeated_line(r#"{"jsonrpc":"2.0","id":5,"method":"host.blob"}"#, 25);
    let plugin = builder()
        .with_host(host)
        .with_limits(untimed())
        .build(&wasm)
        .unwrap();
    let outcome = within(plugin.call_with::<Value>("bad", Value::Null, CallOptions::new()))
        .await
        .outcome();
    assert_eq!(
        violation(outcome.result.unwrap_err()),
        ProtocolViolation::HostCallBacklog { limit: 64 << 20 }
    );
    assert!(
        outcome.report.bytes_in < (64 << 20) + (1 << 20),
        "{} bytes of answers were queued",
        outcome.report.bytes_in
    );
    still_ok(&plugin).await;
}

#[tokio::test]
async fn notifications_are_served_while_the_plugin_runs() {
    // A plugin that notifies and reads (finding end of input) 100 000
    // times: each notification is served as it goes, so it never nears the
    // 16 MiB backlog (about 55 000 unserved notifications).
    let notify = r#"{"jsonrpc":"2.0","method":"host.echo","params":[1]}"#;
    let write = format!(
        "(drop (call $write (i32.const 1) (i32.const 0x5000) (i32.const {})))
         (drop (call $method))",
        notify.len() + 1
    );
    let extra = repeat(100_000, &write, &data(0x5000, &format!("{notify}\n")));
    let wasm = hostile("(call $repeat)", &extra);
    let plugin = load(&wasm, untimed().with_max_message(1 << 20));
    let outcome = within(plugin.call_with::<Value>("bad", Value::Null, CallOptions::new()))
        .await
        .outcome();
    assert_eq!(outcome.result.unwrap(), "ok");
    assert_eq!(outcome.report.notifications, 100_000);
}

/// Counts the calls of `gauge.enter` running at once.
#[derive(Debug)]
struct Gauge {
    now: AtomicUsize,
    most: AtomicUsize,
    calls: AtomicUsize,
    /// Set once `FULL` calls were in at the same time.
    full: tokio::sync::watch::Sender<bool>,
}

#[tokio::test]
async fn nested_plugin_calls_run_a_bounded_number_at_a_time() {
    // The parent fans out 24 `plugins.call`s at once; each child calls
    // `gauge.enter`. The first calls wait in it until three are in at once,
    // so the most seen is three however slowly the children start (and
    // the test hangs if fewer than three may run); then each takes 20 ms.
    const FULL: usize = 3;
    let gauge = Arc::new(Gauge {
        now: AtomicUsize::new(0),
        most: AtomicUsize::new(0),
        calls: AtomicUsize::new(0),
        full: tokio::sync::watch::Sender::new(false),
    });
    let counted = gauge.clone();
    let baseline = HostRouter::new().with_method("gauge.enter", move |_c, (): ()| {
        let gauge = counted.clone();
        async move {
            let now = gauge.now.fetch_add(1, Ordering::SeqCst) + 1;
            gauge.most.fetch_max(now, Ordering::SeqCst);
            if now >= FULL {
                gauge.full.send_replace(true);
            }
            let mut full = gauge.full.subscribe();
            let _ = full.wait_for(|full| *full).await;
            tokio::time::sleep(Duration::from_millis(20)).await;
            gauge.now.fetch_sub(1, Ordering::SeqCst);
            gauge.calls.fetch_add(1, Ordering::SeqCst);
            Ok::<_, RpcError>(())
        }
    });
    let set = PluginSet::builder()
        .with_baseline(baseline)
        .with_max_nested_calls(FULL)
        .build()
        .unwrap();
    let child = Manifest::from_toml("name = \"child\"", "child.toml").unwrap();
    set.load(child, test_plugin_artifacts::TEST_PLUGIN).unwrap();
    let request = json!({
        "jsonrpc": "2.0", "id": 5, "method": "plugins.call",
        "params": {"plugin": "child", "method": "call_host", "params": {"method": "gauge.enter"}}
    })
    .to_string();
    let write = format!(
        "(drop (call $write (i32.const 1) (i32.const 0x5000) (i32.const {})))",
        request.len() + 1
    );
    let extra = repeat(24, &write, &data(0x5000, &format!("{request}\n")));
    let parent = Manifest::from_toml(
        "name = \"parent\"\npermissions = [\"plugins\"]",
        "parent.toml",
    )
    .unwrap();
    set.load(parent, &hostile("(call $repeat)", &extra))
        .unwrap();
    let answer = within(set.call_raw("parent", "bad", Value::Null)).await;
    assert_eq!(answer.unwrap(), "ok");
    assert_eq!(
        gauge.calls.load(Ordering::SeqCst),
        24,
        "every nested call ran"
    );
    assert_eq!(gauge.most.load(Ordering::SeqCst), FULL, "three at a time");
}

#[tokio::test]
async fn after_its_answer_a_plugin_is_not_waited_for_or_served() {
    // Answers, then sleeps forever: the call ends with the answer. Without
    // a call timeout, waiting for the plugin would never end (with one, the
    // answer would still stand at the timeout).
    let sleep = "(call $answer)
        (call $sleep_forever)";
    let plugin = load(&hostile(sleep, ""), untimed());
    assert_eq!(
        within(plugin.call_raw("bad", Value::Null)).await.unwrap(),
        "ok"
    );

    // Answers, then asks the host for something: not served.
    let served = Arc::new(AtomicBool::new(false));
    let flag = served.clone();
    let host = echo_host().with_method("host.side_effect", move |_c, (): ()| {
        flag.store(true, Ordering::SeqCst);
        async { Ok::<_, RpcError>(()) }
    });
    let request = r#"{"jsonrpc":"2.0","id":5,"method":"host.side_effect"}"#;
    let late = format!(
        "(call $answer) (drop (call $write (i32.const 1) (i32.const 0x5000) (i32.const {}))) (return)",
        request.len() + 1
    );
    let wasm = hostile(&late, &data(0x5000, &format!("{request}\n")));
    let plugin = builder().with_host(host).build(&wasm).unwrap();
    assert_eq!(
        within(plugin.call_raw("bad", Value::Null)).await.unwrap(),
        "ok"
    );
    assert!(
        !served.load(Ordering::SeqCst),
        "a request after the answer ran"
    );
}

#[tokio::test]
async fn an_answer_outlives_a_host_method_that_never_ends() {
    // A notification whose host method never ends, then the answer: at the
    // timeout the host method is dropped and the answer stands.
    let host = echo_host().with_method("host.hang", |_c, (): ()| async {
        futures::future::pending::<()>().await;
        Ok::<_, RpcError>(())
    });
    let notify = r#"{"jsonrpc":"2.0","method":"host.hang"}"#;
    let body = format!(
        "(drop (call $write (i32.const 1) (i32.const 0x5000) (i32.const {})))",
        notify.len() + 1
    );
    // Long enough that the plugin answers well before it, however busy the machine.
    let limit = Duration::from_secs(1);
    let plugin = builder()
        .with_host(host)
        .with_limits(Limits::default().with_timeout(limit))
        .build(&hostile(&body, &data(0x5000, &format!("{notify}\n"))))
        .unwrap();
    let started = Instant::now();
    assert_eq!(
        within(plugin.call_raw("bad", Value::Null)).await.unwrap(),
        "ok"
    );
    assert!(started.elapsed() >= limit);
}

#[tokio::test]
async fn a_start_section_that_answers_is_answered() {
    // The start section answers, then exits, reads stdin or loops.
    for then in [
        "(call $proc_exit (i32.const 0))",
        "(drop (call $method))",
        "(loop $l (br $l))",
    ] {
        let wasm = hostile(
            "",
            &format!("(func $init (call $answer) {then}) (start $init)"),
        );
        let plugin = load(&wasm, Limits::default());
        let answer = within(plugin.call_raw("bad", Value::Null)).await;
        assert_eq!(answer.unwrap(), "ok", "{then}");
    }
}

#[tokio::test]
async fn json_that_is_not_a_message_is_an_invalid_message() {
    for line in [
        r#"{"jsonrpc":"2.0","id":1.0,"result":1}"#,
        r#"{"jsonrpc":"2.0","id":1,"result":1,"result":2}"#,
        r#"{"jsonrpc":"2.0","id":{"a":1},"result":1}"#,
    ] {
        let body = format!(
            "(drop (call $write (i32.const 1) (i32.const 0x5000) (i32.const {})))",
            line.len() + 1
        );
        let plugin = load(
            &hostile(&body, &data(0x5000, &format!("{line}\n"))),
            Limits::default(),
        );
        let error = within(plugin.call_raw("bad", Value::Null))
            .await
            .unwrap_err();
        let violation = violation(error);
        assert!(
            matches!(violation, ProtocolViolation::InvalidMessage { .. }),
            "{line}: {violation:?}"
        );
    }
}

#[tokio::test]
async fn limits_at_their_extremes_neither_panic_nor_disable_the_timeout() {
    let plugin = test_plugin();
    // A timeout too far away to represent is no timeout.
    let forever = Limits::default().with_timeout(Duration::MAX);
    let outcome = within(plugin.call_with::<Value>(
        "ping",
        Value::Null,
        CallOptions::new().with_limits(forever),
    ))
    .await;
    assert_eq!(outcome.unwrap().value, "pong");
    // A huge fuel slice is capped, so the timeout still acts (uncapped,
    // the loop would run for hours between two checks).
    let limit = Duration::from_millis(200);
    let limits = Limits::default()
        .with_fuel_slice(u64::MAX)
        .with_timeout(limit);
    assert_eq!(limits.fuel_slice(), Limits::MAX_FUEL_SLICE);
    let plugin = load(&hostile("(loop $l (br $l))", ""), limits);
    let error = within(plugin.call_raw("bad", Value::Null))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Timeout { limit: l } if l == limit),
        "{error:?}"
    );
    // Keeping all of stderr is allowed.
    let plugin = builder()
        .with_limits(Limits::default().with_max_stderr(usize::MAX))
        .build(test_plugin_artifacts::TEST_PLUGIN)
        .unwrap();
    assert_eq!(
        within(plugin.call_raw("log", Value::Null)).await.unwrap(),
        Value::Null
    );
}

#[tokio::test]
async fn a_panicking_log_handler_does_not_take_the_host_down() {
    let plugin = builder()
        .with_log_handler(|record| panic!("log handler bug on {:?}", record.message))
        .build(test_plugin_artifacts::TEST_PLUGIN)
        .unwrap();
    assert_eq!(
        within(plugin.call_raw("log", Value::Null)).await.unwrap(),
        Value::Null
    );
    assert_eq!(
        within(plugin.call_raw("ping", Value::Null)).await.unwrap(),
        "pong"
    );
}

/// A set of test plugins named `names`, granted `plugins`, with `baseline`.
fn test_plugin_set(names: &[&str], baseline: HostRouter, nested: usize) -> PluginSet {
    let set = PluginSet::builder()
        .with_baseline(baseline)
        .with_max_nested_calls(nested)
        .build()
        .unwrap();
    for name in names {
        let manifest = format!("name = \"{name}\"\npermissions = [\"plugins\"]");
        let manifest = Manifest::from_toml(&manifest, &format!("{name}.toml")).unwrap();
        set.load(manifest, test_plugin_artifacts::TEST_PLUGIN)
            .unwrap();
    }
    set
}

/// `call_host` params that make a test plugin call `plugin`'s `method`.
fn plugins_call(plugin: &str, method: &str, params: Value) -> Value {
    json!({"method": "plugins.call", "params": {"plugin": plugin, "method": method, "params": params}})
}

#[tokio::test]
async fn a_host_method_that_calls_back_into_the_set_starts_a_tree_of_its_own() {
    // a -> plugins.call b -> app.run (the application) -> set.call c -> plugins.call d,
    // with one nested call at a time: the inner chain does not wait for a's slot.
    let set_for_host = Arc::new(std::sync::OnceLock::<PluginSet>::new());
    let reach = set_for_host.clone();
    let baseline = HostRouter::new().with_method("app.run", move |_c, (): ()| {
        let set = reach.get().cloned();
        async move {
            let set = set.ok_or_else(|| RpcError::internal("no set yet"))?;
            set.call_raw("c", "call_host", plugins_call("d", "ping", Value::Null))
                .await
                .map_err(|e| RpcError::internal(e.to_string()))
        }
    });
    let set = test_plugin_set(&["a", "b", "c", "d"], baseline, 1);
    set_for_host.set(set.clone()).unwrap();
    let inner = json!({"method": "app.run"});
    let answer =
        within(set.call_raw("a", "call_host", plugins_call("b", "call_host", inner))).await;
    assert_eq!(answer.unwrap(), "pong");
}

#[tokio::test]
async fn one_call_tree_cannot_take_the_nested_slots_of_another() {
    // With one nested slot per call tree, a hog's nested call holds its
    // slot in `app.gate` until the test opens the gate; a nested ping of
    // another top-level call meanwhile must not wait for that slot (if it
    // did, it would wait forever).
    let (entered_tx, entered) = tokio::sync::oneshot::channel::<()>();
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
    let set = test_plugin_set(&["hog", "other", "target"], baseline, 1);
    let hog = tokio::spawn({
        let set = set.clone();
        let gate = json!({"method": "app.gate"});
        async move {
            set.call_raw(
                "hog",
                "call_host",
                plugins_call("target", "call_host", gate),
            )
            .await
        }
    });
    within(entered)
        .await
        .expect("the hog's nested call reaches the gate");
    let answer = within(set.call_raw(
        "other",
        "call_host",
        plugins_call("target", "ping", Value::Null),
    ))
    .await;
    assert_eq!(answer.unwrap(), "pong");
    open.send_replace(true);
    assert_eq!(within(hog).await.unwrap().unwrap(), "through");
}

#[tokio::test]
async fn any_call_depth_can_be_configured() {
    let set = PluginSet::builder()
        .with_max_call_depth(usize::MAX)
        .build()
        .unwrap();
    let manifest =
        Manifest::from_toml("name = \"p\"\npermissions = [\"plugins\"]", "p.toml").unwrap();
    set.load(manifest, test_plugin_artifacts::TEST_PLUGIN)
        .unwrap();
    let answer =
        within(set.call_raw("p", "call_host", plugins_call("p", "ping", Value::Null))).await;
    assert_eq!(answer.unwrap(), "pong");
}

/// A plugin that writes `first` (a message line, if any), asks `host.big`
/// `requests` times at once, then (if `drain`) reads 16 MiB at a time until
/// every answer has come, or (if not) sleeps forever without reading.
fn big_answers(first: Option<&str>, requests: u32, drain: bool) -> Vec<u8> {
    let request = r#"{"jsonrpc":"2.0","id":5,"method":"host.big"}"#;
    let first = first.map_or(String::new(), |line| {
        format!(
            "{}\n(func $first (drop (call $write (i32.const 1) (i32.const 0x6000) (i32.const {}))))",
            data(0x6000, &format!("{line}\n")),
            line.len() + 1
        )
    });
    let extra = format!(
        r#"{}
  {first}
  ;; reads 16 MiB at a time into 0x100000 until `$answers` newlines have come
  (func $drain (param $answers i32) (local $n i32) (local $i i32) (local $end i32)
    (block $done
      (loop $read
        (i32.store (i32.const 16) (i32.const 0x100000))
        (i32.store (i32.const 20) (i32.const 0x1000000))
        (drop (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 24)))
        (local.set $n (i32.load (i32.const 24)))
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $i (i32.const 0x100000))
        (local.set $end (i32.add (i32.const 0x100000) (local.get $n)))
        (loop $scan
          (if (i32.eq (i32.load8_u (local.get $i)) (i32.const 10))
            (then (local.set $answers (i32.sub (local.get $answers) (i32.const 1)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $scan (i32.lt_u (local.get $i) (local.get $end))))
        (br_if $read (local.get $answers)))))
  {}"#,
        data(0x5000, &format!("{request}\n")),
        repeat(
            requests,
            &format!(
                "(drop (call $write (i32.const 1) (i32.const 0x5000) (i32.const {})))",
                request.len() + 1
            ),
            ""
        ),
    );
    let start = if extra.contains("$first ") {
        "(call $first)"
    } else {
        ""
    };
    let then = if drain {
        format!("(call $drain (i32.const {requests}))")
    } else {
        "(call $sleep_forever)".to_owned()
    };
    hostile_with_memory(18 * 16, &format!("{start} (call $repeat) {then}"), &extra)
}

#[tokio::test]
async fn answers_outstanding_at_once_may_fill_the_backlog_but_not_pass_it() {
    // 11 MiB answers read 16 MiB at a time: five (55 MiB) fit the 64 MiB
    // backlog, seven (77 MiB) do not.
    let host = || {
        echo_host().with_method("host.big", |_c, (): ()| async {
            Ok::<_, RpcError>("b".repeat(11 << 20))
        })
    };
    let plugin = builder()
        .with_host(host())
        .with_limits(untimed())
        .build(&big_answers(None, 5, true))
        .unwrap();
    let outcome = within(plugin.call_with::<Value>("bad", Value::Null, CallOptions::new()))
        .await
        .outcome();
    assert_eq!(outcome.result.unwrap(), "ok");
    assert!(
        outcome.report.bytes_in > 55 << 20,
        "{}",
        outcome.report.bytes_in
    );
    let plugin = builder()
        .with_host(host())
        .with_limits(untimed())
        .build(&big_answers(None, 7, true))
        .unwrap();
    let error = within(plugin.call_raw("bad", Value::Null))
        .await
        .unwrap_err();
    assert_eq!(
        violation(error),
        ProtocolViolation::HostCallBacklog { limit: 64 << 20 }
    );
    still_ok(&plugin).await;
}

#[tokio::test]
async fn a_plugin_that_does_not_read_cannot_hold_up_host_methods() {
    // Plugin A starts `host.locked` (which holds a lock the application's
    // calls share, across an await), asks for 75 MiB of answers it never
    // reads and sleeps forever. Once A holds the lock, call B asks for it
    // too. A's host methods keep running, so A's `host.locked` lets go and B
    // gets the lock, and A fails on its backlog. Were A's host methods held
    // up while A does not read, B and A would both wait forever.
    let lock = Arc::new(tokio::sync::Mutex::new(()));
    let (locked_tx, mut locked) = futures::channel::mpsc::unbounded::<()>();
    let host = echo_host()
        .with_method("host.big", |_c, (): ()| async {
            Ok::<_, RpcError>("b".repeat(15 << 20))
        })
        .with_method("host.locked", move |_c, (): ()| {
            let (lock, locked_tx) = (lock.clone(), locked_tx.clone());
            async move {
                let _held = lock.lock().await;
                let _ = locked_tx.unbounded_send(());
                tokio::time::sleep(Duration::from_millis(50)).await;
                Ok::<_, RpcError>(())
            }
        });
    let locked_line = r#"{"jsonrpc":"2.0","id":4,"method":"host.locked"}"#;
    let a = builder()
        .with_host(host.clone())
        .with_limits(untimed())
        .build(&big_answers(Some(locked_line), 5, false))
        .unwrap();
    let b = builder()
        .with_host(host)
        .with_limits(untimed())
        .build(test_plugin_artifacts::TEST_PLUGIN)
        .unwrap();
    let a = tokio::spawn(a.call_raw("bad", Value::Null));
    within(locked.next())
        .await
        .expect("A's host.locked takes the lock");
    let b = within(b.call_raw("call_host", json!({"method": "host.locked"}))).await;
    assert_eq!(b.unwrap(), Value::Null);
    let a = within(a).await.unwrap();
    assert_eq!(
        violation(a.unwrap_err()),
        ProtocolViolation::HostCallBacklog { limit: 64 << 20 }
    );
}

#[tokio::test]
async fn host_methods_that_answer_at_once_are_bounded_by_the_backlog_too() {
    // `config.get` answers with the whole 32 KiB config without awaiting.
    // 8 192 requests for it (1.5 MiB of requests, 256 MiB of answers), then
    // an endless sleep without reading: the answers fill the backlog and
    // the call fails, holding no more than that.
    let config = format!("[config]\nblob = \"{}\"", "c".repeat(32 << 10));
    let set = PluginSet::builder().with_limits(untimed()).build().unwrap();
    let request = r#"{"jsonrpc":"2.0","id":5,"method":"config.get"}"#;
    let write = format!(
        "(drop (call $write (i32.const 1) (i32.const 0x5000) (i32.const {})))",
        request.len() + 1
    );
    let body = "(call $repeat)
        (call $sleep_forever)";
    let wasm = hostile(
        body,
        &repeat(8192, &write, &data(0x5000, &format!("{request}\n"))),
    );
    let manifest =
        Manifest::from_toml(&format!("name = \"greedy\"\n{config}"), "greedy.toml").unwrap();
    set.load(manifest, &wasm).unwrap();
    let error = within(set.call_raw("greedy", "bad", Value::Null))
        .await
        .unwrap_err();
    assert_eq!(
        violation(error),
        ProtocolViolation::HostCallBacklog { limit: 64 << 20 }
    );
}
