//! Pre-initialised plugins: the initialiser runs once at load, every
//! request starts from its snapshot, and no state carries from one request
//! to the next; what the initialiser may not do fails the load clearly.

use std::time::Duration;

use serde_json::{Value, json};
use wasmi_hdk::{
    Error, ErrorKind, Limits, Plugin,
    inspect::{EntryPoint, Initialization, ModuleInfo},
    snapshot::MARKER_SECTION,
};

use crate::util::{builder, capturing, wat, within};

/// A plugin that keeps a counter in a mutable global and one in memory
/// (byte 3000). `init` runs as the initialiser export `init_export` (or not
/// at all when empty); each request adds 1 to both and answers `[G, M]` in
/// digits, through the entry point `entry` (`_start` or `plugin_main`).
fn counters(init_export: &str, init: &str, entry: &str) -> Vec<u8> {
    let initializer = if init_export.is_empty() {
        String::new()
    } else {
        format!(r#"(func (export "{init_export}") {init})"#)
    };
    wat(&format!(
        r#"(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $g (mut i32) (i32.const 0))
  (data (i32.const 1024) "{{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[0,0]}}\n")
  (data (i32.const 2048) "{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"host.echo\"}}\n")
  {initializer}
  (func $write (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func $read
    (i32.store (i32.const 16) (i32.const 4096))
    (i32.store (i32.const 20) (i32.const 4096))
    (drop (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 24))))
  (func $call_host (call $write (i32.const 2048) (i32.const 46)))
  (func $sleep
    (i32.store8 (i32.const 5008) (i32.const 0))
    (i32.store (i32.const 5016) (i32.const 1))
    (i64.store (i32.const 5024) (i64.const 1000000))
    (drop (call $poll_oneoff (i32.const 5000) (i32.const 5200) (i32.const 1) (i32.const 5300))))
  (func (export "{entry}")
    (call $read)
    (global.set $g (i32.add (global.get $g) (i32.const 1)))
    (i32.store8 (i32.const 3000) (i32.add (i32.load8_u (i32.const 3000)) (i32.const 1)))
    (i32.store8 (i32.const 1058) (i32.add (i32.const 48) (global.get $g)))
    (i32.store8 (i32.const 1060) (i32.add (i32.const 48) (i32.load8_u (i32.const 3000))))
    (call $write (i32.const 1024) (i32.const 40))))"#
    ))
}

const SET_TO_FIVE: &str =
    "(global.set $g (i32.const 5)) (i32.store8 (i32.const 3000) (i32.const 5))";

async fn answers(plugin: &Plugin, times: usize) -> Vec<Value> {
    let mut out = Vec::new();
    for _ in 0..times {
        out.push(within(plugin.call_raw("count", Value::Null)).await.unwrap());
    }
    out
}

#[tokio::test]
async fn every_request_starts_from_the_initialisers_state() {
    for (export, entry) in [
        ("wizer.initialize", "_start"),
        ("_initialize", "plugin_main"),
    ] {
        let wasm = counters(export, SET_TO_FIVE, entry);
        let plugin = builder().build(&wasm).unwrap();
        // 5 from the initialiser, +1 by the request: never 7, 8, ...
        assert_eq!(
            answers(&plugin, 3).await,
            [json!([6, 6]), json!([6, 6]), json!([6, 6])],
            "{export}"
        );
    }
}

#[tokio::test]
async fn without_pre_initialisation_a_reactor_initialises_in_every_instance() {
    let reactor = counters("_initialize", SET_TO_FIVE, "plugin_main");
    let plugin = builder()
        .with_preinitialization(false)
        .build(&reactor)
        .unwrap();
    assert_eq!(answers(&plugin, 2).await, [json!([6, 6]), json!([6, 6])]);
    // A command's Wizer initialiser is not run at all then.
    let command = counters("wizer.initialize", SET_TO_FIVE, "_start");
    let plugin = builder()
        .with_preinitialization(false)
        .build(&command)
        .unwrap();
    assert_eq!(answers(&plugin, 2).await, [json!([1, 1]), json!([1, 1])]);
}

#[test]
fn a_snapshot_is_a_plain_module_that_says_what_ran() {
    let wasm = counters("wizer.initialize", SET_TO_FIVE, "_start");
    assert_eq!(
        ModuleInfo::parse(&wasm).unwrap().initialization,
        Initialization::Initializer {
            exports: vec!["wizer.initialize".to_owned()]
        }
    );
    let snapshot = builder().preinitialize(&wasm).unwrap();
    let info = ModuleInfo::parse(&snapshot).unwrap();
    assert_eq!(
        info.initialization,
        Initialization::Preinitialized {
            by: "wizer.initialize".to_owned()
        }
    );
    assert!(info.exports.iter().all(|e| e.name != "wizer.initialize"));
    assert_eq!(info.entry_point, Some(EntryPoint::Command));
    let marker = MARKER_SECTION.as_bytes();
    assert!(
        snapshot.windows(marker.len()).any(|w| w == marker),
        "the marker section is there"
    );
    // Pre-initialising it again changes nothing.
    assert_eq!(builder().preinitialize(&snapshot).unwrap(), snapshot);
}

#[test]
fn deterministic_snapshots_are_the_same_bytes_every_time() {
    // An initialiser that draws randomness and reads the clocks, into memory.
    let init = format!(
        "{SET_TO_FIVE} (drop (call $random_get (i32.const 3100) (i32.const 32))) \
         (drop (call $clock_time_get (i32.const 0) (i64.const 1) (i32.const 3200))) \
         (drop (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 3208)))"
    );
    let wasm = counters("wizer.initialize", &init, "_start");
    let fixed = || {
        builder()
            .with_deterministic_preinitialization()
            .preinitialize(&wasm)
            .unwrap()
    };
    let first = fixed();
    assert_eq!(first, fixed());
    // With the host's randomness the snapshots differ.
    let host = builder().preinitialize(&wasm).unwrap();
    assert_ne!(host, builder().preinitialize(&wasm).unwrap());
    assert_ne!(host, first);
}

async fn load_error(init: &str, limits: Limits) -> Error {
    let wasm = counters("wizer.initialize", init, "_start");
    builder().with_limits(limits).build(&wasm).unwrap_err()
}

#[tokio::test]
async fn what_an_initialiser_may_not_do_fails_the_load_by_name() {
    for (init, says) in [
        ("(call $call_host)", "calling host method `host.echo`"),
        ("(call $read)", "reading stdin"),
        ("(call $sleep)", "waiting in `poll_oneoff`"),
    ] {
        let error = load_error(init, Limits::default()).await;
        assert_eq!(error.kind(), ErrorKind::Initializer, "{init}: {error}");
        assert!(error.to_string().contains(says), "{init}: {error}");
    }
}

#[tokio::test]
async fn an_initialiser_fails_with_the_errors_a_call_has() {
    let trap = load_error("unreachable", Limits::default()).await;
    assert_eq!(trap.kind(), ErrorKind::Trap, "{trap}");
    let spin = "(loop $l (br $l))";
    let fuel = load_error(spin, Limits::default().with_fuel(5_000_000)).await;
    assert!(
        matches!(fuel, Error::OutOfFuel { budget: 5_000_000 }),
        "{fuel}"
    );
    let limit = Duration::from_millis(200);
    let time = load_error(spin, Limits::default().with_timeout(limit)).await;
    assert!(
        matches!(time, Error::Timeout { limit: l } if l == limit),
        "{time}"
    );
    let grow = "(drop (memory.grow (i32.const 2000)))";
    let memory = load_error(
        &format!("{grow} (if (i32.eq (memory.size) (i32.const 1)) (then unreachable))"),
        Limits::default().with_max_memory(16 << 20),
    )
    .await;
    assert_eq!(memory.kind(), ErrorKind::MemoryLimit, "{memory}");
}

#[tokio::test]
async fn the_initialisers_logs_reach_the_log_handler() {
    let wasm = wat(r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "INFO init: warming up\n")
  (func (export "wizer.initialize")
    (i32.store (i32.const 0) (i32.const 100))
    (i32.store (i32.const 4) (i32.const 22))
    (drop (call $fd_write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start")))"#);
    let (builder, lines) = capturing(builder());
    let _plugin = builder.build(&wasm).unwrap();
    let lines = lines.lock().unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].2, "warming up");
}

/// A plugin without an initialiser (the event plugin, a plain command)
/// loads as before: its module is not rewritten.
#[tokio::test]
async fn plugins_without_an_initialiser_are_untouched() {
    let wasm = test_plugin_artifacts::EVENT_PLUGIN;
    let plugin = builder().build(wasm).unwrap();
    assert_eq!(
        within(plugin.call_raw("add", json!({"a": 1, "b": 2})))
            .await
            .unwrap(),
        3
    );
    assert_eq!(builder().preinitialize(wasm).unwrap(), wasm);
}

/// The test plugin builds its router in its initialiser
/// (`plugin_main!(preinit …)`), so a request starts from a snapshot that
/// holds it; the module it is given is rewritten to that snapshot.
#[tokio::test]
async fn the_test_plugin_is_pre_initialised() {
    let wasm = test_plugin_artifacts::TEST_PLUGIN;
    let snapshot = builder().preinitialize(wasm).unwrap();
    assert_ne!(snapshot, wasm);
    let plugin = builder().build(&snapshot).unwrap();
    assert_eq!(
        within(plugin.call_raw("ping", Value::Null)).await.unwrap(),
        "pong"
    );
}
