//! The virtual WASI layer as plugins see it: argv/env, clocks, random,
//! sleeping, logging, and errno answers (never traps) for bad pointers and
//! unsupported calls.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use wasmi_hdk::{LogLevel, Plugin};

use crate::util::{builder, capturing, test_plugin, wat, within};

#[tokio::test]
async fn args_and_environment_are_configurable() {
    let plugin = builder()
        .with_name("named")
        .with_arg("--flag")
        .with_env("GREETING", "hello")
        .build(test_plugin_artifacts::TEST_PLUGIN)
        .unwrap();
    let env = within(plugin.call_raw("env", Value::Null)).await.unwrap();
    assert_eq!(env["args"], json!(["named", "--flag"]));
    assert_eq!(env["env"], json!({"GREETING": "hello"}));

    let bare = test_plugin();
    let env = within(bare.call_raw("env", Value::Null)).await.unwrap();
    assert_eq!(env["env"], json!({}), "the environment is empty by default");
}

#[tokio::test]
async fn clocks_and_random_come_from_the_host() {
    let plugin = test_plugin();
    let unix_ms = || {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64
    };
    // The plugin reads the host's clock during the call.
    let before = unix_ms();
    let time = within(plugin.call_raw("time", Value::Null)).await.unwrap();
    let after = unix_ms();
    let plugin_ms = time["unix_ms"].as_i64().unwrap();
    assert!(
        (before..=after).contains(&plugin_ms),
        "{plugin_ms} not in {before}..={after}"
    );

    let a = within(plugin.call_raw("random", Value::Null))
        .await
        .unwrap();
    let b = within(plugin.call_raw("random", Value::Null))
        .await
        .unwrap();
    assert_eq!(a.as_str().unwrap().len(), 32);
    assert_ne!(a, b);
}

#[tokio::test]
async fn sleep_waits_for_the_requested_time() {
    let plugin = test_plugin();
    let started = std::time::Instant::now();
    let slept = within(plugin.call_raw("sleep", json!(60))).await.unwrap();
    assert!(slept.as_u64().unwrap() >= 60, "{slept}");
    assert!(started.elapsed() >= Duration::from_millis(60));
}

#[tokio::test]
async fn stderr_lines_become_log_records_with_levels() {
    let (b, lines) = capturing(builder());
    let plugin = b.build(test_plugin_artifacts::TEST_PLUGIN).unwrap();
    within(plugin.call_raw("log", Value::Null)).await.unwrap();
    let seen: Vec<(LogLevel, String)> = lines
        .lock()
        .unwrap()
        .iter()
        .map(|(l, _, m)| (*l, m.clone()))
        .collect();
    assert_eq!(
        seen,
        [
            (LogLevel::Error, "error line".to_owned()),
            (LogLevel::Warn, "warn line".to_owned()),
            (LogLevel::Info, "info line".to_owned()),
        ],
        "the kit's default level is info"
    );
    assert!(
        lines
            .lock()
            .unwrap()
            .iter()
            .all(|(_, t, _)| t.as_deref() == Some("test_plugin"))
    );

    let (b, lines) = capturing(builder().with_env("PLUGIN_LOG", "trace"));
    let plugin = b.build(test_plugin_artifacts::TEST_PLUGIN).unwrap();
    within(plugin.call_raw("log", Value::Null)).await.unwrap();
    let levels: Vec<LogLevel> = lines.lock().unwrap().iter().map(|(l, _, _)| *l).collect();
    assert_eq!(
        levels,
        [
            LogLevel::Error,
            LogLevel::Warn,
            LogLevel::Info,
            LogLevel::Debug,
            LogLevel::Trace
        ]
    );
}

/// A hand-written plugin that calls WASI functions with bad pointers and
/// unsupported operations, and answers with the errnos it got.
const ERRNO_PROBE: &str = r#"
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_raise" (func $proc_raise (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_send" (func $sock_send (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 1024) "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[\"00\",\"00\",\"00\",\"00\",\"00\",\"00\",\"00\",\"00\",\"00\",\"00\"]}\n")
  ;; writes errno $e as two digits into slot $i of the answer
  (func $put (param $i i32) (param $e i32)
    (local $at i32)
    (local.set $at (i32.add (i32.const 1059) (i32.mul (local.get $i) (i32.const 5))))
    (i32.store8 (local.get $at) (i32.add (i32.const 48) (i32.div_u (local.get $e) (i32.const 10))))
    (i32.store8 (i32.add (local.get $at) (i32.const 1)) (i32.add (i32.const 48) (i32.rem_u (local.get $e) (i32.const 10)))))
  (func (export "_start")
    (call $put (i32.const 0) (call $fd_write (i32.const 1) (i32.const 0xFFFFFFF0) (i32.const 1) (i32.const 100)))
    (call $put (i32.const 1) (call $fd_read (i32.const 0) (i32.const 0xFFFFFFF8) (i32.const 1) (i32.const 100)))
    (call $put (i32.const 2) (call $path_open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 100)))
    (call $put (i32.const 3) (call $fd_seek (i32.const 1) (i64.const 0) (i32.const 0) (i32.const 100)))
    (call $put (i32.const 4) (call $poll_oneoff (i32.const 0xFFFFFF00) (i32.const 0) (i32.const 1) (i32.const 100)))
    (call $put (i32.const 5) (call $clock_time_get (i32.const 99) (i64.const 0) (i32.const 100)))
    (call $put (i32.const 6) (call $random_get (i32.const 0xFFFFFFFF) (i32.const 16)))
    (call $put (i32.const 7) (call $fd_write (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 100)))
    (call $put (i32.const 8) (call $proc_raise (i32.const 1)))
    (call $put (i32.const 9) (call $fd_prestat_get (i32.const 3) (i32.const 100)))
    (drop (call $sock_send (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 100)))
    ;; iovec at 0: the answer at 1024, 86 bytes
    (i32.store (i32.const 0) (i32.const 1024))
    (i32.store (i32.const 4) (i32.const 86))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
"#;

#[tokio::test]
async fn bad_pointers_and_unsupported_calls_get_errnos_not_traps() {
    let plugin = Plugin::new(&wat(ERRNO_PROBE)).unwrap();
    let errnos = within(plugin.call_raw("probe", Value::Null)).await.unwrap();
    // EFAULT, EFAULT, EBADF, ESPIPE, EFAULT, EINVAL, EFAULT, EBADF, ENOSYS, EBADF
    assert_eq!(
        errnos,
        json!(["21", "21", "08", "70", "21", "28", "21", "08", "52", "08"])
    );
}
