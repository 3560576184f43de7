//! wasmi's fast dispatch on this target. On x86-64, AArch64 and 32-bit Arm,
//! wasmi 2 runs each instruction's handler as a tail call of the previous
//! one; if the compiler did not turn those into jumps on some target, every
//! executed instruction would take a native stack frame and a long run would
//! overflow the host's stack (a crash, not a trap). These tests run long
//! without returning to the host: a loop of 80 million instructions in fuel
//! slices of 10 million, and wasm recursion close to wasmi's depth limit,
//! many times over. `scripts/cross.sh` runs them under QEMU for AArch64 and
//! Arm.

use wasmi_hdk::{Error, Limits, TrapCode};

use crate::{
    harness::{hostile, load},
    util::{Outcomes, within},
};

/// Iterations of the long loop (about 8 instructions each).
const LOOP_ITERATIONS: u32 = 10_000_000;

/// How deep the recursion goes: below wasmi's limit of 1000 frames.
const DEPTH: u32 = 900;

/// How often the recursion is repeated.
const DESCENTS: u32 = 500;

/// Limits that let one fuel slice run as long as allowed, without a timeout
/// that an emulated (QEMU) run could meet.
fn long_slices() -> Limits {
    Limits::default()
        .without_timeout()
        .with_fuel_slice(Limits::MAX_FUEL_SLICE)
}

/// `sum(i ^ 0x5555)` for `i` in `0..n`, wrapping, as the plugin computes it.
fn expected_loop_sum(n: u32) -> u32 {
    (0..n).fold(0u32, |acc, i| acc.wrapping_add(i ^ 0x5555))
}

#[tokio::test]
async fn a_long_loop_runs_to_its_end_in_long_slices() {
    let expected = expected_loop_sum(LOOP_ITERATIONS);
    let extra = r#"(func $count (param $n i32) (result i32) (local $i i32) (local $acc i32)
        (loop $l
          (local.set $acc (i32.add (local.get $acc) (i32.xor (local.get $i) (i32.const 0x5555))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
        (local.get $acc))"#;
    // The plugin answers only if its sum is right; a wrong one is a trap.
    let body = format!(
        "(if (i32.ne (call $count (i32.const {LOOP_ITERATIONS})) (i32.const {})) (then unreachable))",
        expected.cast_signed()
    );
    let plugin = load(&hostile(&body, extra), long_slices());
    let outcome = within(plugin.call_with::<serde_json::Value>(
        "run",
        serde_json::Value::Null,
        Default::default(),
    ))
    .await
    .outcome();
    assert_eq!(outcome.result.unwrap(), "ok");
    // It really ran: the loop alone is tens of millions of instructions,
    // more than one slice holds.
    assert!(
        outcome.report.fuel_consumed > 2 * Limits::MAX_FUEL_SLICE,
        "fuel {}",
        outcome.report.fuel_consumed
    );
}

#[tokio::test]
async fn deep_recursion_returns_many_times_over() {
    let extra = format!(
        r#"(func $down (param $n i32) (result i64)
        (if (result i64) (i32.eqz (local.get $n))
          (then (i64.const 0))
          (else (i64.add (i64.extend_i32_u (local.get $n))
                         (call $down (i32.sub (local.get $n) (i32.const 1)))))))
      (func $descents (result i64) (local $k i32) (local $acc i64)
        (loop $l
          (local.set $acc (i64.add (local.get $acc) (call $down (i32.const {DEPTH}))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $k) (i32.const {DESCENTS}))))
        (local.get $acc))"#
    );
    let expected = u64::from(DESCENTS) * u64::from(DEPTH) * u64::from(DEPTH + 1) / 2;
    let body = format!("(if (i64.ne (call $descents) (i64.const {expected})) (then unreachable))");
    let plugin = load(&hostile(&body, &extra), long_slices());
    assert_eq!(
        within(plugin.call_raw("run", serde_json::Value::Null))
            .await
            .unwrap(),
        "ok"
    );
}

#[tokio::test]
async fn recursion_past_the_limit_in_a_long_slice_is_a_trap() {
    // Unbounded recursion inside one long slice: wasmi's own stack limit
    // stops it with a trap, the native stack is never at risk.
    let extra = r#"(func $deep (param i32) (result i32)
        (i32.add (call $deep (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))"#;
    let plugin = load(
        &hostile("(drop (call $deep (i32.const 0)))", extra),
        long_slices(),
    );
    match within(plugin.call_raw("run", serde_json::Value::Null)).await {
        Err(Error::Trap { code, .. }) => assert_eq!(code, Some(TrapCode::StackOverflow)),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_rust_test_plugin_computes_in_long_slices() {
    let plugin = crate::util::builder()
        .with_limits(long_slices())
        .build(test_plugin_artifacts::TEST_PLUGIN)
        .unwrap();
    let primes = within(plugin.call_raw("sieve", serde_json::json!([1_000_000])))
        .await
        .unwrap();
    assert_eq!(primes, 78_498);
}
