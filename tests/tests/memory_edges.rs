//! Linear memory at the 4 GiB edge, where a 32-bit host's `usize` ends: a
//! plugin may declare and ask for up to 65 536 pages (4 GiB), one byte more
//! than a 32-bit `usize` holds. Every case must end the same way on 64-bit
//! and 32-bit hosts (`scripts/cross.sh` runs them on 32-bit Arm under QEMU).

use serde_json::Value;
use wasmi_hdk::{CallOptions, Error, Limits, Plugin, TrapCode};

use crate::util::{Outcomes, wat, within};

/// 4 GiB, the most memory a wasm32 module can have, saturated to `usize`.
fn four_gib() -> usize {
    usize::try_from(1u64 << 32).unwrap_or(usize::MAX)
}

/// The answer these plugins give to request id 1.
const ANSWER: &str = r#"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"ok\"}\n"#;

/// A plugin with memory `memory` (`MIN [MAX]` pages) that reads its request,
/// runs `body` and answers `"ok"`.
fn plugin(memory: &str, body: &str) -> Vec<u8> {
    let answer_len = ANSWER.replace("\\\"", "\"").replace("\\n", "\n").len();
    wat(&format!(
        r#"(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") {memory})
  (data (i32.const 1024) "{ANSWER}")
  (func (export "_start")
    (i32.store (i32.const 16) (i32.const 8192))
    (i32.store (i32.const 20) (i32.const 4096))
    (drop (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 24)))
    {body}
    (i32.store (i32.const 0) (i32.const 1024))
    (i32.store (i32.const 4) (i32.const {answer_len}))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#
    ))
}

fn load(wasm: &[u8], limits: Limits) -> Plugin {
    Plugin::builder().with_limits(limits).build(wasm).unwrap()
}

#[tokio::test]
async fn a_memory_that_may_reach_4_gib_grows_within_the_cap() {
    // The usual shape of a toolchain's memory: no real maximum but the 4 GiB
    // of wasm32 (on a 32-bit host that maximum does not fit in a `usize`).
    let wasm = plugin(
        "1 65536",
        "(if (i32.eq (memory.grow (i32.const 15)) (i32.const -1)) (then unreachable))",
    );
    for limits in [
        Limits::default(),
        Limits::default().with_max_memory(usize::MAX),
    ] {
        let plugin = load(&wasm, limits);
        let outcome =
            within(plugin.call_with::<serde_json::Value>("grow", Value::Null, CallOptions::new()))
                .await
                .outcome();
        assert_eq!(outcome.result.unwrap(), "ok");
        assert_eq!(outcome.report.peak_memory, 16 << 16);
    }
}

#[tokio::test]
async fn a_4_gib_initial_memory_is_a_memory_limit() {
    let plugin = load(&plugin("65536", ""), Limits::default());
    match within(plugin.call_raw("x", Value::Null)).await {
        Err(Error::MemoryLimit {
            limit, requested, ..
        }) => assert_eq!((limit, requested), (64 << 20, four_gib())),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn growing_to_4_gib_is_refused() {
    // Handled: `memory.grow` answers -1 and the plugin goes on.
    let handled = plugin(
        "1",
        "(if (i32.ne (memory.grow (i32.const 65535)) (i32.const -1)) (then unreachable))",
    );
    let plugin = load(&handled, Limits::default());
    assert_eq!(
        within(plugin.call_raw("x", Value::Null)).await.unwrap(),
        "ok"
    );
}

#[tokio::test]
async fn a_trap_after_a_refused_4_gib_growth() {
    let wasm = plugin(
        "1",
        "(if (i32.eq (memory.grow (i32.const 65535)) (i32.const -1)) (then unreachable))",
    );
    let error = within(load(&wasm, Limits::default()).call_raw("x", Value::Null))
        .await
        .unwrap_err();
    if usize::BITS > 32 {
        // The limiter saw the request and refused it: a memory limit.
        assert!(
            matches!(
                error,
                Error::MemoryLimit { limit, requested, .. } if (limit, requested) == (64 << 20, four_gib())
            ),
            "{error:?}"
        );
    } else {
        // wasmi refuses a size beyond `usize` before the limiter is asked
        // (wasmi_core 2.0 `Memory::grow`), so the trap is what is left.
        assert!(
            matches!(
                error,
                Error::MemoryLimit { .. }
                    | Error::Trap {
                        code: Some(TrapCode::Unreachable),
                        ..
                    }
            ),
            "{error:?}"
        );
    }
}
