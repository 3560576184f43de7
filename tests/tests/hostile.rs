//! Hostile plugins and hostile input beyond `misbehaviour.rs` and
//! `loading.rs`: each case ends in its own error and the same `Plugin`
//! answers its next call. No check is timed: where a bound failing would
//! only make a case slow, the case runs forever without it (an endless
//! loop or sleep), so it hangs and fails (see `util::within`).
//!
//! Most plugins here are hand-written WAT built by
//! [`hostile`](crate::harness::hostile) (see `harness.rs`).

use std::{collections::BTreeMap, time::Duration};

use serde_json::{Value, json};
use wasmi_hdk::{
    BoxFuture, CallOptions, CallerInfo, Error, HostHandler, HostRouter, Limits, Plugin,
    ProtocolViolation, RpcError, TrapCode,
    wasi::{ValueType, WASI_FUNCTIONS},
};

use crate::util::Outcomes;
use crate::{
    harness::{bad_call, hostile, hostile_with_memory, load, still_ok},
    util::{builder, echo_host, misbehaving, test_plugin, untimed, violation, wat, within},
};

#[tokio::test]
async fn the_harness_answers_and_runs_its_body() {
    let plugin = load(&hostile("", ""), Limits::default());
    still_ok(&plugin).await;
    // An empty misbehaviour is no misbehaviour: `bad` answers too.
    assert_eq!(
        within(plugin.call_raw("bad", Value::Null)).await.unwrap(),
        "ok"
    );
}

// ---------------------------------------------------------------- compute

#[tokio::test]
async fn deep_recursion_is_a_stack_overflow_trap() {
    let extra = r#"(func $deep (param i32) (result i32)
        (i32.add (call $deep (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))"#;
    let plugin = load(
        &hostile("(drop (call $deep (i32.const 0)))", extra),
        Limits::default(),
    );
    match bad_call(&plugin).await {
        Error::Trap { code, .. } => assert_eq!(code, Some(TrapCode::StackOverflow)),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_infinite_wat_loop_is_stopped_by_fuel_and_by_time() {
    let wasm = hostile("(loop $l (br $l))", "");
    let plugin = load(&wasm, Limits::default().with_fuel(10_000_000));
    assert!(matches!(
        bad_call(&plugin).await,
        Error::OutOfFuel { budget: 10_000_000 }
    ));
    let limit = Duration::from_millis(100);
    let plugin = load(&wasm, Limits::default().with_timeout(limit));
    let error = bad_call(&plugin).await;
    assert!(
        matches!(error, Error::Timeout { limit: l } if l == limit),
        "{error:?}"
    );
}

/// Work done inside one WASI call costs fuel too, so a loop of expensive
/// calls (filling 16 MiB with random bytes, writing 16 MiB of newlines to
/// stderr, passing 65 536 empty buffers) still meets the timeout, and runs
/// out of a fuel budget after a few calls.
///
/// Without the charge, a fuel slice would hold 250 000 such calls: the
/// timeout would act only after minutes (so the call would hang) and the
/// budget would pass hundreds of thousands of them, which the count below
/// sees.
#[tokio::test]
async fn a_loop_of_expensive_wasi_calls_meets_the_timeout_and_the_fuel_budget() {
    let pages = 16 * 16; // 16 MiB
    // (what, setup, one expensive call, the stderr bytes it takes)
    let cases = [
        (
            "random_get",
            "",
            "(drop (call $random_get (i32.const 0) (i32.const 0x1000000)))",
            0,
        ),
        (
            "stderr newlines",
            "(memory.fill (i32.const 0x10000) (i32.const 10) (i32.const 0xFF0000))",
            "(drop (call $write (i32.const 2) (i32.const 0x10000) (i32.const 0xFF0000)))",
            4096, // one write takes at most 4096 lines
        ),
        (
            "65 536 empty iovecs",
            "",
            "(drop (call $fd_write (i32.const 1) (i32.const 0x10000) (i32.const 0x10000) (i32.const 8)))",
            0,
        ),
    ];
    for (what, setup, call, call_bytes) in cases {
        // Each iteration also writes one byte to stderr, so the report
        // counts the iterations.
        let body = format!(
            "{setup} (loop $l {call} (drop (call $write (i32.const 2) (i32.const 1024) (i32.const 1))) (br $l))"
        );
        let wasm = hostile_with_memory(pages, &body, "");
        let limit = Duration::from_millis(300);
        let plugin = load(&wasm, Limits::default().with_timeout(limit));
        let error = bad_call(&plugin).await;
        assert!(
            matches!(error, Error::Timeout { limit: l } if l == limit),
            "{what}: {error:?}"
        );
        // Each call is charged at least 16 x 65 536 fuel (1 Mi), so a budget
        // of 5 M covers at most 5 of them; uncharged, ~250 000 would run.
        let budget = 5_000_000;
        let plugin = load(&wasm, untimed().with_fuel(budget));
        let outcome = within(plugin.call_with::<Value>("bad", Value::Null, CallOptions::new()))
            .await
            .outcome();
        let error = outcome.result.expect_err("the loop must fail");
        assert!(
            matches!(error, Error::OutOfFuel { budget: b } if b == budget),
            "{what}: {error:?}"
        );
        let iterations = outcome.report.stderr_bytes / (call_bytes + 1);
        assert!(
            iterations <= 5,
            "{what}: {iterations} calls within the budget"
        );
        still_ok(&plugin).await;
    }
}

// ---------------------------------------------------------------- memory

#[tokio::test]
async fn a_refused_memory_grow_can_be_handled_or_become_a_memory_limit() {
    let limits = Limits::default().with_max_memory(16 << 20);
    // Handled: `memory.grow` answers -1 and the plugin answers an error of its own.
    let graceful = hostile(
        r#"(if (i32.eq (memory.grow (i32.const 1000)) (i32.const -1))
             (then (drop (call $write (i32.const 1) (i32.const 2048) (i32.const 70))) (return)))"#,
        r#"(data (i32.const 2048) "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":7,\"message\":\"no memory\"}}\n")"#,
    );
    let plugin = load(&graceful, limits.clone());
    match bad_call(&plugin).await {
        Error::Rpc(e) => assert_eq!((e.code, e.message.as_str()), (7, "no memory")),
        other => panic!("{other:?}"),
    }
    // Not handled: the plugin traps after the refusal, which reads as the limit.
    let trapping = hostile(
        "(if (i32.eq (memory.grow (i32.const 1000)) (i32.const -1)) (then unreachable))",
        "",
    );
    let plugin = load(&trapping, limits);
    match bad_call(&plugin).await {
        Error::MemoryLimit {
            limit, requested, ..
        } => assert_eq!((limit, requested), (16 << 20, 1001 << 16)),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_declared_maximum_is_respected_too() {
    let wasm = wat(r#"(module
      (memory (export "memory") 1 2)
      (func (export "_start") (if (i32.ne (memory.grow (i32.const 2)) (i32.const -1)) (then unreachable))))"#);
    // Growing past the module's own maximum answers -1; returning without an answer is the error.
    let plugin = Plugin::new(&wasm).unwrap();
    let error = within(plugin.call_raw("x", Value::Null)).await.unwrap_err();
    assert_eq!(
        violation(error),
        ProtocolViolation::NoResponse { exit_code: None }
    );
}

// ---------------------------------------------------------------- stdout

#[tokio::test]
async fn one_write_past_the_message_limit_is_refused_at_the_default_limit() {
    // 17 MiB without a newline, in a single fd_write, against the default 16 MiB cap.
    let wasm = hostile_with_memory(
        18 * 16,
        "(drop (call $write (i32.const 1) (i32.const 0x10000) (i32.const 0x1100000)))",
        "",
    );
    let plugin = load(&wasm, Limits::default());
    assert_eq!(
        violation(bad_call(&plugin).await),
        ProtocolViolation::MessageTooLarge { limit: 16 << 20 }
    );
}

#[tokio::test]
async fn invalid_utf8_on_stdout_is_not_json() {
    let wasm = hostile(
        r#"(drop (call $write (i32.const 1) (i32.const 2048) (i32.const 4)))"#,
        r#"(data (i32.const 2048) "\ff\fe{\n")"#,
    );
    let plugin = load(&wasm, Limits::default());
    assert!(matches!(
        violation(bad_call(&plugin).await),
        ProtocolViolation::NotJson { .. }
    ));
}

#[tokio::test]
async fn a_response_of_many_megabytes_arrives_whole() {
    let plugin = misbehaving(builder());
    let outcome = within(plugin.call_with::<Value>("huge_response", json!(12), CallOptions::new()))
        .await
        .outcome();
    assert_eq!(outcome.result.unwrap().as_str().unwrap().len(), 12 << 20);
    assert!(outcome.report.bytes_out > 12 << 20);
    assert_eq!(
        within(plugin.call_raw("read_stdin_forever", Value::Null))
            .await
            .unwrap(),
        0
    );
}

// ---------------------------------------------------------------- host calls

/// The plugin sends a request to a slow host method and exits while it runs.
#[tokio::test]
async fn exiting_in_the_middle_of_a_host_call_is_an_exit() {
    let request = r#"{"jsonrpc":"2.0","id":5,"method":"host.slow","params":[]}"#;
    let wasm = hostile(
        &format!(
            "(drop (call $write (i32.const 1) (i32.const 2048) (i32.const {})))
             (call $proc_exit (i32.const 3))",
            request.len() + 1
        ),
        &format!(
            r#"(data (i32.const 2048) "{}\n")"#,
            request.replace('"', "\\\"")
        ),
    );
    let host = echo_host().with_method("host.slow", |_c, (): ()| async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        Ok::<_, RpcError>("late")
    });
    let plugin = builder().with_host(host).build(&wasm).unwrap();
    assert!(matches!(
        bad_call(&plugin).await,
        Error::Exit { code: 3, .. }
    ));
}

/// The plugin writes `n` host requests of 1 MiB each and never waits for an answer.
fn request_flood(n: u32) -> Vec<u8> {
    let head = r#"{"jsonrpc":"2.0","id":5,"method":"host.echo","params":[""#;
    let tail = "\"]}\n";
    let len = 1 << 20;
    let extra = format!(
        r#"(data (i32.const 2048) "{}")
  (data (i32.const 3072) "{}")
  (func $flood (local $n i32)
    (memory.fill (i32.const 0x10000) (i32.const 97) (i32.const {len}))
    (memory.copy (i32.const 0x10000) (i32.const 2048) (i32.const {}))
    (memory.copy (i32.const {}) (i32.const 3072) (i32.const {}))
    (local.set $n (i32.const {n}))
    (loop $l
      (drop (call $write (i32.const 1) (i32.const 0x10000) (i32.const {len})))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n))))"#,
        head.replace('"', "\\\""),
        tail.replace('"', "\\\"").replace('\n', "\\n"),
        head.len(),
        0x10000 + len - tail.len(),
        tail.len(),
    );
    hostile_with_memory(32, "(call $flood)", &extra)
}

#[tokio::test]
async fn host_calls_written_without_waiting_hit_the_backlog_limit() {
    // A few are fine: the host serves them after the plugin answers.
    let plugin = load(&request_flood(8), Limits::default());
    let outcome = within(plugin.call_with::<Value>("bad", Value::Null, CallOptions::new()))
        .await
        .outcome();
    assert_eq!(outcome.result.unwrap(), "ok");
    assert_eq!(outcome.report.host_calls, 8);
    // Without a bound, each would stay in the host's memory: 1 GiB here.
    // The call stops at the bound: the host took no more of the plugin's
    // output than the backlog holds, plus the request that passed it.
    for (limits, limit) in [
        (untimed(), 64usize << 20),
        // A small message limit still leaves room for 16 MiB.
        (untimed().with_max_message(2 << 20), 16 << 20),
    ] {
        let plugin = load(&request_flood(1024), limits);
        let outcome = within(plugin.call_with::<Value>("bad", Value::Null, CallOptions::new()))
            .await
            .outcome();
        let error = outcome.result.expect_err("the flood must fail");
        assert_eq!(
            violation(error),
            ProtocolViolation::HostCallBacklog { limit }
        );
        assert!(
            outcome.report.bytes_out <= (limit + (1 << 20)) as u64,
            "{} bytes taken for a backlog of {limit}",
            outcome.report.bytes_out
        );
        still_ok(&plugin).await;
    }
    // Many small concurrent calls are far from it.
    let plugin = test_plugin();
    let answers = within(plugin.call_raw("concurrent", json!(2000)))
        .await
        .unwrap();
    assert_eq!(answers.as_array().unwrap().len(), 2000);
}

#[tokio::test]
async fn five_thousand_host_calls_in_one_request() {
    let plugin = test_plugin();
    let outcome = within(plugin.call_with::<Value>("many_echo", json!(5000), CallOptions::new()))
        .await
        .outcome();
    assert_eq!(outcome.result.unwrap(), 5000);
    assert_eq!(outcome.report.host_calls, 5000);
    assert_eq!(
        within(plugin.call_raw("ping", Value::Null)).await.unwrap(),
        "pong"
    );
}

/// A host handler that panics while it is being called, before any future exists.
#[derive(Debug)]
struct PanicsAtOnce;

impl HostHandler for PanicsAtOnce {
    fn handle(
        &self,
        _: CallerInfo,
        method: &str,
        _: Option<Value>,
    ) -> BoxFuture<Result<Value, RpcError>> {
        panic!("host bug in {method}");
    }
}

#[tokio::test]
async fn a_host_method_that_panics_before_its_future_answers_32603() {
    // A closure that panics when called (not inside its future) ...
    let host = echo_host().with_method(
        "host.boom",
        |_c, (): ()| -> std::future::Ready<Result<(), RpcError>> {
            panic!("host bug");
        },
    );
    // ... and a whole handler that does.
    for plugin in [
        builder()
            .with_host(host)
            .build(test_plugin_artifacts::TEST_PLUGIN)
            .unwrap(),
        builder()
            .with_host(PanicsAtOnce)
            .build(test_plugin_artifacts::TEST_PLUGIN)
            .unwrap(),
    ] {
        let result = within(plugin.call_raw("call_host", json!({"method": "host.boom"}))).await;
        match result {
            Err(Error::Rpc(e)) => {
                assert_eq!(e.code, -32603);
                assert!(e.message.contains("host.boom"), "{}", e.message);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            within(plugin.call_raw("ping", Value::Null)).await.unwrap(),
            "pong"
        );
    }
}

#[tokio::test]
async fn a_host_answer_past_the_message_limit_becomes_an_error_for_the_plugin() {
    let host = HostRouter::new().with_method("host.big", |_c, (): ()| async {
        Ok::<_, RpcError>("b".repeat(2 << 20))
    });
    let plugin = builder()
        .with_host(host)
        .with_limits(Limits::default().with_max_message(1 << 20))
        .build(test_plugin_artifacts::TEST_PLUGIN)
        .unwrap();
    match within(plugin.call_raw("call_host", json!({"method": "host.big"}))).await {
        Err(Error::Rpc(e)) => {
            assert_eq!(e.code, -32603);
            assert!(
                e.message.contains("exceeds the message limit"),
                "{}",
                e.message
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        within(plugin.call_raw("ping", Value::Null)).await.unwrap(),
        "pong"
    );
}

// ---------------------------------------------------------------- WASI

/// Pointers no 1-page memory contains, or only partly.
const HOSTILE_POINTERS: [u32; 6] = [
    0xFFFF_FFF0,
    0xFFFF_FFFF,
    0x7FFF_FFFF,
    0x8000_0000,
    0x1_0000,
    0xFFFC,
];

/// What the first argument of a WASI function is.
fn first_arg(name: &str) -> FirstArg {
    if name.starts_with("clock_") {
        FirstArg::ClockId
    } else if name.starts_with("fd_") || name.starts_with("sock_") || name.starts_with("path_") {
        FirstArg::Fd
    } else {
        FirstArg::Pointer
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum FirstArg {
    Fd,
    ClockId,
    Pointer,
}

/// The errno PROTOCOL.md §6 promises for `name` called with `first` as its
/// first argument (an fd or a clock id) and hostile pointers everywhere else.
fn expected_errno(name: &str, first: i32, pointer: u32) -> i32 {
    let stdio = (0..=2).contains(&first);
    let (badf, fault, inval, nosys, notsup, spipe) = (8, 21, 28, 52, 58, 70);
    let on_stdio = |errno| if stdio { errno } else { badf };
    match name {
        // Two u32s: the last four bytes of the page hold each of them.
        "args_sizes_get" | "environ_sizes_get" if pointer == 0xFFFC => 0,
        "args_get" | "args_sizes_get" | "environ_sizes_get" | "random_get" | "poll_oneoff" => fault,
        // No environment: nothing to write, so the pointers are never used.
        "environ_get" | "sched_yield" => 0,
        "clock_res_get" | "clock_time_get" if (0..=3).contains(&first) => fault,
        "clock_res_get" | "clock_time_get" => inval,
        "proc_raise" => nosys,
        "fd_read" => {
            if first == 0 {
                fault
            } else {
                badf
            }
        }
        "fd_write" => {
            if first == 1 || first == 2 {
                fault
            } else {
                badf
            }
        }
        "fd_fdstat_get" | "fd_filestat_get" => on_stdio(fault),
        "fd_close" | "fd_fdstat_set_flags" => on_stdio(0),
        "fd_seek" | "fd_tell" | "fd_pread" | "fd_pwrite" => on_stdio(spipe),
        "fd_prestat_get" | "fd_prestat_dir_name" => badf,
        _ if name.starts_with("path_") => badf,
        _ => on_stdio(notsup),
    }
}

/// Calls every WASI function (but `proc_exit`) with hostile pointers in
/// every pointer argument (and fds 0..=3 or clock ids 0..=4 first, where a
/// function takes one); the answer is the errnos as hex pairs, in call order.
fn every_wasi_call_with_hostile_pointers() -> (Vec<u8>, Vec<(&'static str, i32, u32)>) {
    let mut calls = Vec::new();
    let mut body = String::new();
    for f in WASI_FUNCTIONS.iter().filter(|f| f.name != "proc_exit") {
        let firsts: Vec<Option<i32>> = match first_arg(f.name) {
            FirstArg::Fd => (0..=3).map(Some).collect(),
            FirstArg::ClockId => (0..=4).map(Some).collect(),
            FirstArg::Pointer => vec![None],
        };
        for first in firsts {
            for pointer in HOSTILE_POINTERS {
                let args: String = f
                    .params
                    .iter()
                    .enumerate()
                    .map(|(i, t)| match (i, t, first) {
                        (0, ValueType::I32, Some(first)) => format!("(i32.const {first}) "),
                        (_, ValueType::I32, _) => format!("(i32.const {}) ", pointer as i32),
                        _ => "(i64.const -1) ".to_owned(),
                    })
                    .collect();
                body.push_str(&format!(
                    "(call $hex (i32.const {}) (call ${} {args}))\n",
                    calls.len(),
                    f.name
                ));
                calls.push((f.name, first.unwrap_or(pointer as i32), pointer));
            }
        }
    }
    let prefix = r#"{"jsonrpc":"2.0","id":1,"result":""#;
    let suffix = "\"}\n";
    let hex_len = calls.len() as u32 * 2;
    let at = 3072 + prefix.len() as u32;
    let extra = format!(
        r#"(data (i32.const 2048) "0123456789abcdef")
  (data (i32.const 3072) "{}")
  ;; errno $e as two hex digits at slot $i of the answer
  (func $hex (param $i i32) (param $e i32)
    (local $at i32)
    (local.set $at (i32.add (i32.const {at}) (i32.mul (local.get $i) (i32.const 2))))
    (i32.store8 (local.get $at) (i32.load8_u (i32.add (i32.const 2048) (i32.shr_u (local.get $e) (i32.const 4)))))
    (i32.store8 (i32.add (local.get $at) (i32.const 1)) (i32.load8_u (i32.add (i32.const 2048) (i32.and (local.get $e) (i32.const 15))))))"#,
        prefix.replace('"', "\\\""),
    );
    let end = at + hex_len;
    let body = format!(
        "{body}
    ;; close the answer and send it instead of the harness's
    (i32.store8 (i32.const {end}) (i32.const 34))
    (i32.store8 (i32.const {}) (i32.const 125))
    (i32.store8 (i32.const {}) (i32.const 10))
    (drop (call $write (i32.const 1) (i32.const 3072) (i32.const {})))
    (return)",
        end + 1,
        end + 2,
        prefix.len() as u32 + hex_len + suffix.len() as u32,
    );
    (hostile(&body, &extra), calls)
}

#[tokio::test]
async fn every_wasi_function_answers_hostile_pointers_with_an_errno() {
    let (wasm, calls) = every_wasi_call_with_hostile_pointers();
    let plugin = load(&wasm, Limits::default());
    let answer = within(plugin.call_raw("bad", Value::Null)).await.unwrap();
    let hex = answer.as_str().unwrap();
    assert_eq!(hex.len(), calls.len() * 2);
    let mut wrong = Vec::new();
    for ((name, first, pointer), pair) in calls.iter().zip(hex.as_bytes().chunks(2)) {
        let errno = i32::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap();
        let expected = expected_errno(name, *first, *pointer);
        if errno != expected {
            wrong.push(format!(
                "{name}({first}, {pointer:#x}): errno {errno}, expected {expected}"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} calls:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    still_ok(&plugin).await;
}

// ---------------------------------------------------------------- start sections

/// A module whose start section runs `start` (with the harness's helpers).
fn with_start(start: &str, extra: &str) -> Vec<u8> {
    hostile(
        "",
        &format!("{extra}\n  (func $init {start})\n  (start $init)"),
    )
}

#[tokio::test]
async fn a_start_section_that_waits_for_the_host_fails_cleanly() {
    let request = r#"{"jsonrpc":"2.0","id":5,"method":"host.echo","params":[1]}"#;
    let data = format!(
        r#"(data (i32.const 2048) "{}\n")"#,
        request.replace('"', "\\\"")
    );
    // A host call, then reads of stdin: the first takes the request, the
    // second would have to wait for the host's answer.
    let read = with_start(
        &format!(
            "(drop (call $write (i32.const 1) (i32.const 2048) (i32.const {})))
             (i32.store (i32.const 16) (i32.const 8192))
             (i32.store (i32.const 20) (i32.const 4096))
             (drop (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 24)))
             (drop (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 24)))",
            request.len() + 1
        ),
        &data,
    );
    // An endless sleep through poll_oneoff: waiting would end only at the
    // call's timeout, in `Timeout`.
    let sleep = with_start("(call $sleep_forever)", "");
    for (what, wasm) in [("fd_read", read), ("poll_oneoff", sleep)] {
        let plugin = load(&wasm, Limits::default());
        let error = within(plugin.call_raw("ok", Value::Null))
            .await
            .unwrap_err();
        assert!(
            matches!(&error, Error::Instantiation { source } if source.to_string().contains("suspend")),
            "{what}: {error:?}"
        );
    }
}

#[tokio::test]
async fn a_start_section_that_exits_is_an_exit() {
    let plugin = load(
        &with_start("(call $proc_exit (i32.const 4))", ""),
        Limits::default(),
    );
    let error = within(plugin.call_raw("ok", Value::Null))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Exit { code: 4, .. }), "{error:?}");
}

#[tokio::test]
async fn a_start_section_that_recurses_forever_is_a_trap() {
    let plugin = load(&with_start("(call $init)", ""), Limits::default());
    let error = within(plugin.call_raw("ok", Value::Null))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Trap {
                code: Some(TrapCode::StackOverflow),
                ..
            }
        ),
        "{error:?}"
    );
}

// ---------------------------------------------------------------- host-side input

#[tokio::test]
async fn params_that_are_not_json_are_refused_before_running() {
    let plugin = test_plugin();
    let params: BTreeMap<Vec<u8>, u8> = BTreeMap::from([(vec![1, 2], 3)]);
    let error = within(plugin.call::<Value>("echo", params))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidParams(_)), "{error:?}");
    assert_eq!(
        within(plugin.call_raw("ping", Value::Null)).await.unwrap(),
        "pong"
    );
}

#[tokio::test]
async fn a_method_name_with_newlines_is_escaped_and_simply_unknown() {
    let plugin = test_plugin();
    for method in [
        "ping\n",
        "a\nb",
        "\r\n",
        "ping\"}\n{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":6}",
        "\u{0}",
        "",
    ] {
        match within(plugin.call_raw(method, Value::Null)).await {
            Err(Error::Rpc(e)) => {
                assert_eq!(e.code, -32601, "{method:?}");
                assert!(e.message.contains(method), "{method:?}: {}", e.message);
            }
            other => panic!("{method:?}: {other:?}"),
        }
    }
    assert_eq!(
        within(plugin.call_raw("ping", Value::Null)).await.unwrap(),
        "pong"
    );
}

#[tokio::test]
async fn huge_params_are_refused_at_the_default_limit() {
    let plugin = test_plugin();
    let huge = json!(["x".repeat(17 << 20)]);
    let error = within(plugin.call_raw("echo", huge)).await.unwrap_err();
    assert!(
        matches!(error, Error::RequestTooLarge { limit, size } if limit == 16 << 20 && size > 17 << 20),
        "{error:?}"
    );
    // Well under it is fine.
    let big = json!(["y".repeat(4 << 20)]);
    let echoed = within(plugin.call_raw("echo", big.clone())).await.unwrap();
    assert_eq!(echoed, big);
}

// ---------------------------------------------------------------- fuzzing regressions

/// `protocol_parse` found that a large number read 1 ULP off, and changed
/// again each time it was printed and read: a plugin's result drifted on
/// its way to the host. The host now reads floats exactly.
#[test]
fn fuzz_regression_a_float_reads_exactly_and_round_trips() {
    use wasmi_hdk::protocol::{Message, Response};

    let line = br#"{"jsonrpc":"2.0","id":-7,"result":111111111119111111111}"#;
    let message = Message::from_slice(line).unwrap();
    let Message::Response(Response { outcome, .. }) = &message else {
        panic!("{message:?}");
    };
    assert_eq!(
        outcome.as_ref().unwrap(),
        &json!(111_111_111_119_111_111_111.0_f64)
    );
    assert_eq!(Message::parse(&message.to_line()).unwrap(), message);
}

/// `protocol_parse` found that the fast path read id `-0` as `0` while the
/// general parser refuses it (serde reads `-0` as a float): both refuse it now.
#[test]
fn fuzz_regression_id_minus_zero_is_refused_on_both_paths() {
    use wasmi_hdk::protocol::Message;

    for line in [
        &br#"{"jsonrpc":"2.0","id":-0,"result":{}}"#[..],
        br#" {"jsonrpc":"2.0","id":-0,"result":{}}"#,
        br#"{"jsonrpc":"2.0","id":-0,"method":"m"}"#,
    ] {
        assert!(
            Message::from_slice(line).is_err(),
            "{}",
            String::from_utf8_lossy(line)
        );
    }
}
