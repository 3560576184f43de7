//! Every deliberate misbehaviour ends in its own error, and the same
//! `Plugin` serves the next call.

use std::time::Duration;

use serde_json::{Value, json};
use wasmi_hdk::{CallOptions, CancelHandle, Error, Limits, Plugin, ProtocolViolation, TrapCode};

use crate::util::Outcomes;
use crate::{
    harness::{hostile, running, still_ok, until_running},
    util::{builder, capturing, misbehaving, violation, within},
};

/// After whatever happened, the plugin still works.
async fn still_serves(plugin: &Plugin) {
    let answer = within(plugin.call_raw("read_stdin_forever", Value::Null)).await;
    assert_eq!(
        answer.unwrap(),
        0,
        "the next call on the same plugin must work"
    );
}

async fn call(plugin: &Plugin, method: &str, params: Value) -> Error {
    let result = within(plugin.call_raw(method, params)).await;
    let error = result.expect_err("the call should fail");
    still_serves(plugin).await;
    error
}

#[tokio::test]
async fn a_panic_is_a_trap_with_the_panic_message() {
    let plugin = misbehaving(builder());
    match call(&plugin, "panic", Value::Null).await {
        Error::Trap {
            code, stderr_tail, ..
        } => {
            assert_eq!(code, Some(TrapCode::Unreachable));
            assert!(stderr_tail.contains("deliberate panic"), "{stderr_tail}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_infinite_loop_is_stopped_by_the_fuel_budget() {
    let plugin = misbehaving(builder().with_limits(Limits::default().with_fuel(50_000_000)));
    assert!(matches!(
        call(&plugin, "loop", Value::Null).await,
        Error::OutOfFuel { budget: 50_000_000 }
    ));
}

#[tokio::test]
async fn an_infinite_loop_is_stopped_by_the_timeout() {
    let limits = Limits::default().with_timeout(Duration::from_millis(200));
    let plugin = misbehaving(builder().with_limits(limits));
    let error = call(&plugin, "loop", Value::Null).await;
    assert!(
        matches!(error, Error::Timeout { limit } if limit == Duration::from_millis(200)),
        "{error:?}"
    );
}

/// Runs the harness plugin with `body` (which first calls `$running`) on
/// its own task, cancels it from this one once it runs, and expects
/// `Cancelled`; then the plugin serves its next call. The body never ends
/// on its own, so a cancel that did not act would end in the default
/// timeout (`Timeout`).
async fn cancel_once_running(body: &str) {
    let (host, mut signal) = running();
    let plugin = builder().with_host(host).build(&hostile(body, "")).unwrap();
    let cancel = CancelHandle::new();
    let options = CallOptions::new().with_cancel(cancel.clone());
    let task = tokio::spawn(plugin.call_with::<Value>("bad", Value::Null, options));
    until_running(&mut signal).await;
    cancel.cancel();
    let outcome = within(task).await.unwrap().outcome();
    assert!(
        matches!(outcome.result, Err(Error::Cancelled)),
        "{body}: {:?}",
        outcome.result
    );
    still_ok(&plugin).await;
}

#[tokio::test]
async fn a_cancel_handle_stops_a_running_call_from_another_task() {
    cancel_once_running("(call $running) (loop $l (br $l))").await;
}

#[tokio::test]
async fn cancel_also_stops_a_call_that_waits() {
    cancel_once_running("(call $running) (call $sleep_forever)").await;
}

#[tokio::test]
async fn dropping_the_call_future_stops_the_instance() {
    let plugin = misbehaving(builder());
    let dropped = tokio::time::timeout(
        Duration::from_millis(50),
        plugin.call_raw("loop", Value::Null),
    )
    .await;
    assert!(dropped.is_err(), "the loop cannot have finished");
    still_serves(&plugin).await;
}

#[tokio::test]
async fn allocating_past_the_memory_cap_is_a_memory_limit() {
    let plugin = misbehaving(builder().with_limits(Limits::default().with_max_memory(16 << 20)));
    match call(&plugin, "alloc", json!(64)).await {
        Error::MemoryLimit {
            limit, requested, ..
        } => {
            assert_eq!(limit, 16 << 20);
            assert!(requested > limit, "{requested}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        within(plugin.call_raw("alloc", json!(4))).await.unwrap(),
        4 << 20
    );
}

#[tokio::test]
async fn exit_codes_are_reported() {
    let plugin = misbehaving(builder());
    assert!(matches!(
        call(&plugin, "exit", json!(3)).await,
        Error::Exit { code: 3, .. }
    ));
    assert_eq!(
        violation(call(&plugin, "exit_without_answer", Value::Null).await),
        ProtocolViolation::NoResponse { exit_code: Some(0) }
    );
    assert!(matches!(
        call(&plugin, "host_call_then_exit", Value::Null).await,
        Error::Exit { code: 3, .. }
    ));
}

#[tokio::test]
async fn non_json_on_stdout_is_a_protocol_violation() {
    let plugin = misbehaving(builder());
    for method in ["garbage", "garbage_then_call"] {
        match violation(call(&plugin, method, Value::Null).await) {
            ProtocolViolation::NotJson { line, .. } => assert!(line.contains("not json"), "{line}"),
            other => panic!("{method}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn wrong_ids_and_double_answers_are_protocol_violations() {
    let plugin = misbehaving(builder());
    assert!(matches!(
        violation(call(&plugin, "wrong_id", Value::Null).await),
        ProtocolViolation::WrongResponseId { .. }
    ));
    assert_eq!(
        violation(call(&plugin, "answer_twice", Value::Null).await),
        ProtocolViolation::DuplicateResponse
    );
}

#[tokio::test]
async fn a_stack_overflow_is_a_trap() {
    let plugin = misbehaving(builder());
    match call(&plugin, "stack_overflow", Value::Null).await {
        Error::Trap { code, .. } => assert!(
            matches!(
                code,
                Some(TrapCode::StackOverflow | TrapCode::MemoryOutOfBounds)
            ),
            "{code:?}"
        ),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_endless_stdout_line_is_cut_at_the_message_limit() {
    let limits = Limits::default().with_max_message(1 << 20);
    let plugin = misbehaving(builder().with_limits(limits));
    assert_eq!(
        violation(call(&plugin, "flood_stdout", json!(64)).await),
        ProtocolViolation::MessageTooLarge { limit: 1 << 20 }
    );
}

#[tokio::test]
async fn a_huge_response_is_fine_below_the_limit_and_refused_above() {
    let plugin = misbehaving(builder());
    let big = within(plugin.call_raw("huge_response", json!(2)))
        .await
        .unwrap();
    assert_eq!(big.as_str().unwrap().len(), 2 << 20);
    let small = misbehaving(builder().with_limits(Limits::default().with_max_message(1 << 20)));
    assert!(matches!(
        violation(call(&small, "huge_response", json!(2)).await),
        ProtocolViolation::MessageTooLarge { .. }
    ));
}

#[tokio::test]
async fn a_stderr_flood_is_logged_but_only_the_tail_is_kept() {
    let (b, lines) = capturing(builder().with_limits(Limits::default().with_max_stderr(4096)));
    let plugin = misbehaving(b);
    let outcome = within(plugin.call_with::<Value>("flood_stderr", json!(4), CallOptions::new()))
        .await
        .outcome();
    assert_eq!(outcome.result.unwrap(), "done");
    assert_eq!(outcome.report.stderr_bytes, 4 << 20);
    assert_eq!(lines.lock().unwrap().len(), 4096);
}

#[tokio::test]
async fn oversized_params_are_refused_before_running() {
    let plugin = misbehaving(builder().with_limits(Limits::default().with_max_message(1024)));
    let error = within(plugin.call_raw("echo", json!(["x".repeat(4096)])))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::RequestTooLarge { limit: 1024, .. }),
        "{error:?}"
    );
    still_serves(&plugin).await;
}

#[tokio::test]
async fn reading_stdin_at_eof_returns_instead_of_hanging() {
    let plugin = misbehaving(builder());
    still_serves(&plugin).await;
}
