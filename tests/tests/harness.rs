//! The WAT harness most hostile-plugin tests build on: a module that
//! imports all of WASI, reads the request, answers `"ok"` at once when the
//! method starts with `o` (so one module can show that the next call
//! works) and runs its misbehaviour for any other method.

use futures::{
    StreamExt,
    channel::mpsc::{UnboundedReceiver, unbounded},
};
use serde_json::Value;
use wasmi_hdk::{
    Error, HostRouter, Limits, Plugin, RpcError,
    wasi::{ValueType, WASI_FUNCTIONS},
};

use crate::util::{builder, echo_host, wat, within};

/// Where the method name starts in the host's request line.
const METHOD_AT: usize = r#"{"jsonrpc":"2.0","id":1,"method":""#.len();

/// The answer every harness module gives: `"ok"` for request id 1.
const ANSWER: &str = r#"{"jsonrpc":"2.0","id":1,"result":"ok"}"#;

/// The notification `$running` sends, kept at [`RUNNING_AT`].
const RUNNING: &str = r#"{"jsonrpc":"2.0","method":"test.running"}"#;
const RUNNING_AT: usize = 7168;

/// `(import ...)` lines for every WASI preview 1 function, named `$<name>`.
fn wasi_imports() -> String {
    WASI_FUNCTIONS
        .iter()
        .map(|f| {
            format!(
                r#"(import "wasi_snapshot_preview1" "{0}" (func ${0} (param {1}) (result {2})))"#,
                f.name,
                wat_types(f.params),
                wat_types(f.results),
            )
        })
        .collect::<Vec<_>>()
        .join("\n  ")
}

fn wat_types(types: &[ValueType]) -> String {
    types
        .iter()
        .map(|t| format!("{t:?}").to_lowercase())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A module with all of WASI imported, `pages` of memory and these helpers:
///
/// - `$write (fd ptr len) -> errno` writes one buffer (iovec at 0, count at 8);
/// - `$answer` writes [`ANSWER`] (kept at 1024);
/// - `$sleep_10s` sleeps ten seconds through `poll_oneoff`;
/// - `$sleep_forever` sleeps ten seconds at a time, forever: a wait that
///   ends only through the host (a bound, a cancel), so a test needs no
///   timing to tell that it did;
/// - `$running` sends the notification `test.running` (see [`running`]);
/// - `$method -> byte` reads the request into 8192.. and returns the first
///   byte of the method name.
///
/// `_start` answers at once for a method starting with `o`; otherwise it
/// runs `body`, then answers. `extra` adds functions, data, a start section.
pub(crate) fn hostile_with_memory(pages: u32, body: &str, extra: &str) -> Vec<u8> {
    let imports = wasi_imports();
    let answer = format!("{ANSWER}\n")
        .replace('"', "\\\"")
        .replace('\n', "\\n");
    let answer_len = ANSWER.len() + 1;
    let method_at = 8192 + METHOD_AT;
    let running = format!("{RUNNING}\n")
        .replace('"', "\\\"")
        .replace('\n', "\\n");
    let (running_at, running_len) = (RUNNING_AT, RUNNING.len() + 1);
    wat(&format!(
        r#"(module
  {imports}
  (memory (export "memory") {pages})
  (data (i32.const 1024) "{answer}")
  (func $write (param $fd i32) (param $ptr i32) (param $len i32) (result i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))
  (func $answer (drop (call $write (i32.const 1) (i32.const 1024) (i32.const {answer_len}))))
  (func $sleep_10s
    ;; one relative clock subscription at 4096, events at 4608
    (i32.store8 (i32.const 4104) (i32.const 0))
    (i32.store (i32.const 4112) (i32.const 1))
    (i64.store (i32.const 4120) (i64.const 10000000000))
    (drop (call $poll_oneoff (i32.const 4096) (i32.const 4608) (i32.const 1) (i32.const 4700))))
  (func $sleep_forever (loop $l (call $sleep_10s) (br $l)))
  (data (i32.const {running_at}) "{running}")
  (func $running (drop (call $write (i32.const 1) (i32.const {running_at}) (i32.const {running_len}))))
  (func $method (result i32)
    (i32.store (i32.const 16) (i32.const 8192))
    (i32.store (i32.const 20) (i32.const 4096))
    (drop (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 24)))
    (i32.load8_u (i32.const {method_at})))
  {extra}
  (func (export "_start")
    (if (i32.eq (call $method) (i32.const 111)) (then (call $answer) (return)))
    {body}
    (call $answer)))"#
    ))
}

/// [`hostile_with_memory`] with one page of memory.
pub(crate) fn hostile(body: &str, extra: &str) -> Vec<u8> {
    hostile_with_memory(1, body, extra)
}

/// A host with `host.echo` and `test.running`, and what `test.running`
/// sends to: a harness plugin that calls `$running` is known to be running
/// once the receiver has a message, with no guess at how long that takes.
pub(crate) fn running() -> (HostRouter, UnboundedReceiver<()>) {
    let (tx, rx) = unbounded();
    let host = echo_host().with_method("test.running", move |_c, (): ()| {
        // Sent when the host starts the method, before any await.
        let _ = tx.unbounded_send(());
        async { Ok::<_, RpcError>(()) }
    });
    (host, rx)
}

/// Waits (within the hang timeout) until a plugin built with [`running`]'s
/// host has called `$running`.
pub(crate) async fn until_running(signal: &mut UnboundedReceiver<()>) {
    within(signal.next())
        .await
        .expect("the plugin runs and calls $running");
}

/// A harness plugin with `echo_host` and the given limits.
pub(crate) fn load(wasm: &[u8], limits: Limits) -> Plugin {
    builder().with_limits(limits).build(wasm).unwrap()
}

/// The plugin still answers its next call.
pub(crate) async fn still_ok(plugin: &Plugin) {
    let answer = within(plugin.call_raw("ok", Value::Null)).await;
    assert_eq!(
        answer.unwrap(),
        "ok",
        "the next call on the same plugin must work"
    );
}

/// Calls the misbehaviour (method `bad`), expects an error, then checks the
/// plugin still serves.
pub(crate) async fn bad_call(plugin: &Plugin) -> Error {
    let error = within(plugin.call_raw("bad", Value::Null))
        .await
        .expect_err("the misbehaving call must fail");
    still_ok(plugin).await;
    error
}

/// A `(data ...)` segment holding `text` at `at`.
pub(crate) fn data(at: u32, text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n");
    format!(r#"(data (i32.const {at}) "{escaped}")"#)
}
