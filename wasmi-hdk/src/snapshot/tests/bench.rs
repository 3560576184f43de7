//! A measurement, not a test bound: how long each step takes for a 16 MiB
//! memory of which 1 MiB is non-zero. Run it in release mode:
//!
//! ```text
//! cargo test --release -p wasmi-hdk --lib snapshot::tests::bench -- --ignored --nocapture
//! ```

use std::time::{Duration, Instant};

use super::{instantiate, observable, validate, wasm};
use crate::snapshot::{EmitOptions, capture, emit, instrument};

/// 256 pages (16 MiB); the initialiser writes 4 KiB of non-zero bytes at
/// the start of every 64 KiB page: 1 MiB in 256 runs.
const LARGE: &str = r#"
(module
  (memory (export "memory") 256)
  (global $heap (export "heap") (mut i32) (i32.const 0))
  (func (export "wizer.initialize") (local $page i32) (local $i i32)
    (loop $pages
      (local.set $i (i32.const 0))
      (loop $bytes
        (i32.store
          (i32.add (i32.mul (local.get $page) (i32.const 65536)) (local.get $i))
          (i32.or (i32.add (local.get $i) (local.get $page)) (i32.const 0x01010101)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br_if $bytes (i32.lt_u (local.get $i) (i32.const 4096))))
      (local.set $page (i32.add (local.get $page) (i32.const 1)))
      (br_if $pages (i32.lt_u (local.get $page) (i32.const 256))))
    (global.set $heap (i32.const 16777216)))
)
"#;

/// The best of `rounds` timings of `f`, and its last result.
fn best<T>(rounds: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..rounds {
        let start = Instant::now();
        let value = f();
        best = best.min(start.elapsed());
        last = Some(value);
    }
    (best, last.expect("at least one round"))
}

#[test]
#[ignore = "a measurement: run in release mode with --ignored --nocapture"]
fn measure_a_16_mib_snapshot() {
    let original = wasm(LARGE);
    let engine = wasmi::Engine::default();
    let (instrument_time, instrumented) = best(10, || instrument(&original).unwrap());
    let (mut store, instance) = instantiate(&engine, instrumented.wasm());
    let init = instance
        .get_typed_func::<(), ()>(&store, "wizer.initialize")
        .unwrap();
    let start = Instant::now();
    init.call(&mut store, ()).unwrap();
    let init_time = start.elapsed();
    let (capture_time, state) = best(10, || {
        capture(&mut store, &instance, &instrumented).unwrap()
    });
    let options = EmitOptions::default();
    let (emit_time, out) = best(10, || {
        emit(&original, &instrumented, &state, &options).unwrap()
    });
    validate(&out);
    let (fresh_store, fresh) = instantiate(&engine, &out);
    assert_eq!(
        observable(&fresh_store, &fresh),
        observable(&store, &instance)
    );
    let (instantiate_time, _) = best(10, || instantiate(&engine, &out));

    println!("16 MiB memory, 1 MiB non-zero in 256 runs (best of 10 unless noted):");
    println!("  instrument            {instrument_time:?}");
    println!("  initialiser (1 run)   {init_time:?}");
    println!("  capture (copy 16 MiB) {capture_time:?}");
    println!("  emit                  {emit_time:?}");
    println!("  output                {} bytes", out.len());
    println!("  compile + instantiate {instantiate_time:?}");
}
