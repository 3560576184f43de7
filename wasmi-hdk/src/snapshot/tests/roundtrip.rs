//! Snapshots that must reproduce the post-initialisation state exactly.

use wasmi::Val;

use super::{call, call_i32, global, instantiate, observable, snapshot, validate, wasm};
use crate::snapshot::{
    EmitOptions, GlobalValue, InitStatus, Initializer, MARKER_SECTION, emit, initializer,
    instrument,
};

/// A plugin-like module exercising everything the snapshot must keep.
const PLUGIN: &str = r#"
(module
  (type $ii (func (param i32) (result i32)))
  (memory (export "memory") 1 100)
  (global $requests (export "requests") (mut i32) (i32.const 0))
  (global $heap (export "heap") (mut i32) (i32.const 1024))
  (global $wide (export "wide") (mut i64) (i64.const 0))
  (global $single (export "single") (mut f32) (f32.const 0))
  (global $double (export "double") (mut f64) (f64.const 0))
  (global $nan (export "nan") (mut f32) (f32.const 0))
  (global $answer (export "answer") i32 (i32.const 42))
  (global $started (export "started") (mut i32) (i32.const 0))
  (table 2 funcref)
  (elem (i32.const 0) $twice $thrice)
  (data $hello (i32.const 16) "hello")
  (data $template "template!")

  (func $twice (type $ii) (i32.mul (local.get 0) (i32.const 2)))
  (func $thrice (type $ii) (i32.mul (local.get 0) (i32.const 3)))
  (func $start (global.set $started (i32.add (global.get $started) (i32.const 1))))
  (start $start)

  (func (export "wizer.initialize")
    ;; 1 page -> 3 pages; mark the last word of the new memory.
    (drop (memory.grow (i32.const 2)))
    (i32.store (i32.const 196604) (i32.const 0xdeadbeef))
    ;; The passive segment's bytes, copied to 100.
    (memory.init $template (i32.const 100) (i32.const 0) (i32.const 9))
    ;; heap = thrice(twice(7)) = 42, through the table.
    (global.set $heap
      (call_indirect (type $ii)
        (call_indirect (type $ii) (i32.const 7) (i32.const 0))
        (i32.const 1)))
    ;; The request counter in memory starts at 1000.
    (i32.store (i32.const 200) (i32.const 1000))
    (global.set $wide (i64.const 0x123456789a))
    (global.set $single (f32.const 1.5))
    (global.set $double (f64.const -2.25))
    (global.set $nan (f32.const nan:0x200001))
    ;; "hello" -> "Hello": the active segment's bytes changed.
    (i32.store8 (i32.const 16) (i32.const 72)))

  (func (export "request") (result i32)
    (global.set $requests (i32.add (global.get $requests) (i32.const 1)))
    (i32.store (i32.const 200) (i32.add (i32.load (i32.const 200)) (i32.const 1)))
    (i32.load (i32.const 200)))
  (func (export "call_table") (param i32 i32) (result i32)
    (call_indirect (type $ii) (local.get 0) (local.get 1)))
  (func (export "copy_template") (param i32)
    (memory.init $template (local.get 0) (i32.const 0) (i32.const 9)))
  (func (export "copy_active")
    (memory.init $hello (i32.const 0) (i32.const 0) (i32.const 1)))
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
)
"#;

#[test]
fn snapshot_reproduces_the_initialised_state() {
    let original = wasm(PLUGIN);
    let mut snap = snapshot(&original, &EmitOptions::default());
    let (store, instance) = &mut snap.initialised;
    let expected = observable(store, instance);
    // The initialiser did run: the state is not the module's default.
    assert!(expected.contains(&("heap".into(), "i32 42".into())));
    assert!(expected.contains(&("started".into(), "i32 1".into())));

    let (mut store, instance) = instantiate(&snap.engine, &snap.wasm);
    assert_eq!(observable(&store, &instance), expected);
    // Byte for byte, not only by digest.
    let initialised_memory = snap
        .initialised
        .1
        .get_memory(&snap.initialised.0, "memory")
        .unwrap()
        .data(&snap.initialised.0)
        .to_vec();
    let memory = instance.get_memory(&store, "memory").unwrap();
    assert_eq!(memory.data(&store), &initialised_memory[..]);
    assert_eq!(memory.size(&store), 3);
    assert_eq!(
        call_i32(&mut store, &instance, "load8", &[Val::I32(16)]),
        i32::from(b'H')
    );
    assert_eq!(
        call_i32(&mut store, &instance, "load8", &[Val::I32(100)]),
        i32::from(b't')
    );
}

#[test]
fn every_fresh_instance_starts_from_the_initialised_state() {
    let snap = snapshot(&wasm(PLUGIN), &EmitOptions::default());
    for _ in 0..3 {
        let (mut store, instance) = instantiate(&snap.engine, &snap.wasm);
        assert_eq!(call_i32(&mut store, &instance, "request", &[]), 1001);
        assert_eq!(call_i32(&mut store, &instance, "request", &[]), 1002);
        assert_eq!(global(&store, &instance, "requests"), "i32 2");
    }
}

#[test]
fn start_does_not_run_again_and_initialiser_is_removed() {
    let snap = snapshot(&wasm(PLUGIN), &EmitOptions::default());
    let (store, instance) = instantiate(&snap.engine, &snap.wasm);
    assert_eq!(global(&store, &instance, "started"), "i32 1");
    assert!(instance.get_func(&store, "wizer.initialize").is_none());
    assert_eq!(
        initializer(&snap.wasm).unwrap(),
        InitStatus::Preinitialized {
            initializer: "wizer.initialize".into()
        }
    );
    let has_start = wasmparser::Parser::new(0)
        .parse_all(&snap.wasm)
        .any(|payload| matches!(payload, Ok(wasmparser::Payload::StartSection { .. })));
    assert!(!has_start);
}

#[test]
fn tables_and_segments_keep_their_semantics() {
    let snap = snapshot(&wasm(PLUGIN), &EmitOptions::default());
    let (mut store, instance) = instantiate(&snap.engine, &snap.wasm);
    let table = |store: &mut _, index| {
        call_i32(
            store,
            &instance,
            "call_table",
            &[Val::I32(5), Val::I32(index)],
        )
    };
    assert_eq!(table(&mut store, 0), 10);
    assert_eq!(table(&mut store, 1), 15);
    // The passive segment is still there for requests.
    call(&mut store, &instance, "copy_template", &[Val::I32(300)]).unwrap();
    assert_eq!(
        call_i32(&mut store, &instance, "load8", &[Val::I32(308)]),
        i32::from(b'!')
    );
    // An active segment is dropped after instantiation, in the original and
    // in the snapshot alike.
    let (mut original_store, original) = instantiate(&snap.engine, &wasm(PLUGIN));
    let original_error = call(&mut original_store, &original, "copy_active", &[]).unwrap_err();
    let snapshot_error = call(&mut store, &instance, "copy_active", &[]).unwrap_err();
    assert_eq!(original_error.as_trap_code(), snapshot_error.as_trap_code());
    assert!(snapshot_error.as_trap_code().is_some());
}

#[test]
fn captured_globals_keep_their_exact_values() {
    let snap = snapshot(&wasm(PLUGIN), &EmitOptions::default());
    let values: Vec<GlobalValue> = snap.state.globals.iter().map(|&(_, value)| value).collect();
    assert_eq!(
        values,
        [
            GlobalValue::I32(0),
            GlobalValue::I32(42),
            GlobalValue::I64(0x12_3456_789a),
            GlobalValue::F32(1.5f32.to_bits()),
            GlobalValue::F64((-2.25f64).to_bits()),
            GlobalValue::F32(0x7fa0_0001),
            GlobalValue::I32(1),
        ]
    );
    // The immutable global is not captured but kept.
    let (store, instance) = instantiate(&snap.engine, &snap.wasm);
    assert_eq!(global(&store, &instance, "answer"), "i32 42");
}

#[test]
fn output_is_deterministic() {
    let original = wasm(PLUGIN);
    let first = snapshot(&original, &EmitOptions::default());
    let second = snapshot(&original, &EmitOptions::default());
    assert_eq!(first.wasm, second.wasm);
    let again = emit(
        &original,
        &first.instrumented,
        &first.state,
        &EmitOptions::default(),
    )
    .unwrap();
    assert_eq!(again, first.wasm);
}

#[test]
fn imports_exports_and_custom_sections_are_kept() {
    let original = wasm(
        r#"(module
          (import "host" "tick" (func $tick))
          (memory 1)
          (global $g (mut i32) (i32.const 0))
          (func (export "wizer.initialize") (global.set $g (i32.const 7)))
          (func (export "run") (result i32) (call $tick) (global.get $g))
          (@custom "producers-like" "payload")
        )"#,
    );
    let instrumented = instrument(&original).unwrap();
    let engine = wasmi::Engine::default();
    let mut linker = wasmi::Linker::<()>::new(&engine);
    linker.func_wrap("host", "tick", || {}).unwrap();
    let module = wasmi::Module::new(&engine, instrumented.wasm()).unwrap();
    let mut store = wasmi::Store::new(&engine, ());
    let instance = linker.instantiate_and_start(&mut store, &module).unwrap();
    instance
        .get_typed_func::<(), ()>(&store, "wizer.initialize")
        .unwrap()
        .call(&mut store, ())
        .unwrap();
    let state = crate::snapshot::capture(&mut store, &instance, &instrumented).unwrap();
    let out = emit(&original, &instrumented, &state, &EmitOptions::default()).unwrap();
    validate(&out);

    let module = wasmi::Module::new(&engine, &out).unwrap();
    let imports: Vec<_> = module
        .imports()
        .map(|i| (i.module().to_owned(), i.name().to_owned()))
        .collect();
    assert_eq!(imports, [("host".to_owned(), "tick".to_owned())]);
    let exports: Vec<_> = module.exports().map(|e| e.name().to_owned()).collect();
    assert_eq!(exports, ["run"]);
    let customs: Vec<_> = wasmparser::Parser::new(0)
        .parse_all(&out)
        .filter_map(|payload| match payload {
            Ok(wasmparser::Payload::CustomSection(section)) => {
                Some((section.name().to_owned(), section.data().to_vec()))
            }
            _ => None,
        })
        .collect();
    assert!(customs.contains(&("producers-like".into(), b"payload".to_vec())));
    assert!(customs.contains(&(MARKER_SECTION.into(), b"wizer.initialize".to_vec())));

    let mut store = wasmi::Store::new(&engine, ());
    let instance = linker.instantiate_and_start(&mut store, &module).unwrap();
    let run = instance.get_typed_func::<(), i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, ()).unwrap(), 7);
}

#[test]
fn reactor_initialize_runs_before_wizer_initialize_and_both_are_removed() {
    let original = wasm(
        r#"(module
          (global $log (export "log") (mut i32) (i32.const 0))
          (func (export "_initialize")
            (global.set $log (i32.add (i32.mul (global.get $log) (i32.const 10)) (i32.const 1))))
          (func (export "wizer.initialize")
            (global.set $log (i32.add (i32.mul (global.get $log) (i32.const 10)) (i32.const 2))))
        )"#,
    );
    assert_eq!(
        initializer(&original).unwrap(),
        InitStatus::Ready(Initializer::WasiReactorThenWizer)
    );
    let snap = snapshot(&original, &EmitOptions::default());
    let (store, instance) = instantiate(&snap.engine, &snap.wasm);
    assert_eq!(global(&store, &instance, "log"), "i32 12");
    assert!(instance.get_func(&store, "_initialize").is_none());
    assert!(instance.get_func(&store, "wizer.initialize").is_none());
    assert_eq!(
        initializer(&snap.wasm).unwrap(),
        InitStatus::Preinitialized {
            initializer: "_initialize,wizer.initialize".into()
        }
    );
}

#[test]
fn keep_initializer_keeps_the_export() {
    let original = wasm(
        r#"(module
          (global $g (export "g") (mut i32) (i32.const 0))
          (func (export "_initialize") (global.set $g (i32.add (global.get $g) (i32.const 1)))))"#,
    );
    assert_eq!(
        initializer(&original).unwrap(),
        InitStatus::Ready(Initializer::WasiReactor)
    );
    let snap = snapshot(
        &original,
        &EmitOptions::default().with_keep_initializer(true),
    );
    let (mut store, instance) = instantiate(&snap.engine, &snap.wasm);
    assert_eq!(global(&store, &instance, "g"), "i32 1");
    call(&mut store, &instance, "_initialize", &[]).unwrap();
    assert_eq!(global(&store, &instance, "g"), "i32 2");
}

#[test]
fn data_dropped_during_initialisation_stays_dropped() {
    let original = wasm(
        r#"(module
          (memory (export "memory") 1)
          (data $dropped "abc")
          (data $kept "xyz")
          (data $later "123")
          (func (export "wizer.initialize")
            (memory.init $dropped (i32.const 0) (i32.const 0) (i32.const 3))
            (data.drop $dropped))
          (func (export "drop_later") (data.drop $later))
          (func (export "copy") (param i32) (param i32)
            (memory.init $dropped (local.get 0) (i32.const 0) (local.get 1)))
          (func (export "copy_kept") (param i32)
            (memory.init $kept (local.get 0) (i32.const 0) (i32.const 3)))
          (func (export "copy_later") (param i32)
            (memory.init $later (local.get 0) (i32.const 0) (i32.const 3)))
          (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
        )"#,
    );
    let snap = snapshot(&original, &EmitOptions::default());
    // Only the segment a reachable `data.drop` names was probed.
    assert_eq!(snap.instrumented.layout.probes, [0]);
    assert_eq!(snap.state.dropped_data, [0]);

    let (mut store, instance) = instantiate(&snap.engine, &snap.wasm);
    assert_eq!(
        call_i32(&mut store, &instance, "load8", &[Val::I32(2)]),
        i32::from(b'c')
    );
    // As after `data.drop`: copying nothing works, copying a byte traps.
    call(&mut store, &instance, "copy", &[Val::I32(10), Val::I32(0)]).unwrap();
    let error = call(&mut store, &instance, "copy", &[Val::I32(10), Val::I32(1)]).unwrap_err();
    assert!(error.as_trap_code().is_some());
    // The other passive segments are intact.
    call(&mut store, &instance, "copy_kept", &[Val::I32(20)]).unwrap();
    call(&mut store, &instance, "copy_later", &[Val::I32(30)]).unwrap();
    assert_eq!(
        call_i32(&mut store, &instance, "load8", &[Val::I32(22)]),
        i32::from(b'z')
    );
    assert_eq!(
        call_i32(&mut store, &instance, "load8", &[Val::I32(32)]),
        i32::from(b'3')
    );
}

#[test]
fn a_probed_segment_that_was_not_dropped_is_kept() {
    let original = wasm(
        r#"(module
          (memory 1)
          (global $flag (mut i32) (i32.const 0))
          (data $maybe "abc")
          (func (export "wizer.initialize")
            (if (global.get $flag) (then (data.drop $maybe))))
          (func (export "copy") (result i32)
            (memory.init $maybe (i32.const 0) (i32.const 0) (i32.const 3))
            (i32.load8_u (i32.const 1)))
        )"#,
    );
    let snap = snapshot(&original, &EmitOptions::default());
    assert_eq!(snap.instrumented.layout.probes, [0]);
    assert!(snap.state.dropped_data.is_empty());
    let (mut store, instance) = instantiate(&snap.engine, &snap.wasm);
    assert_eq!(
        call_i32(&mut store, &instance, "copy", &[]),
        i32::from(b'b')
    );
}

#[test]
fn without_a_data_count_section_the_original_segments_are_left_out() {
    let original = wasm(
        r#"(module
          (memory (export "memory") 1)
          (data (i32.const 0) "one")
          (data (i32.const 1000) "two")
          (func (export "wizer.initialize") (i32.store8 (i32.const 5000) (i32.const 9)))
        )"#,
    );
    // A small merge gap keeps the three runs apart.
    let snap = snapshot(&original, &EmitOptions::default().with_merge_gap(8));
    let segments: Vec<(bool, Vec<u8>)> = data_segments(&snap.wasm);
    assert_eq!(
        segments,
        [
            (true, b"one".to_vec()),
            (true, b"two".to_vec()),
            (true, vec![9])
        ]
    );
}

#[test]
fn with_a_data_count_section_segment_indices_are_kept() {
    let original = wasm(PLUGIN);
    let snap = snapshot(&original, &EmitOptions::default());
    let segments = data_segments(&snap.wasm);
    // $hello (active) and $template (passive) keep indices 0 and 1.
    assert_eq!(segments[0], (false, Vec::new()));
    assert_eq!(segments[1], (false, b"template!".to_vec()));
    assert!(segments[2..].iter().all(|(active, _)| *active));
}

#[test]
fn a_module_without_memory_is_snapshotted() {
    let original = wasm(
        r#"(module
          (global $g (export "g") (mut i64) (i64.const 1))
          (func (export "wizer.initialize") (global.set $g (i64.const -5))))"#,
    );
    let snap = snapshot(&original, &EmitOptions::default());
    assert!(snap.state.memory.is_none());
    let (store, instance) = instantiate(&snap.engine, &snap.wasm);
    assert_eq!(global(&store, &instance, "g"), "i64 -5");
}

#[test]
fn large_sparse_memory_round_trips_with_capped_segments() {
    // 64 pages; the initialiser writes one byte every 4 KiB.
    let original = wasm(
        r#"(module
          (memory (export "memory") 1)
          (func (export "wizer.initialize") (local $i i32)
            (drop (memory.grow (i32.const 63)))
            (loop $next
              (i32.store8 (local.get $i) (i32.add (local.get $i) (i32.const 1)))
              (local.set $i (i32.add (local.get $i) (i32.const 4096)))
              (br_if $next (i32.lt_u (local.get $i) (i32.const 4194304)))))
        )"#,
    );
    let options = EmitOptions::default().with_max_data_segments(100);
    let snap = snapshot(&original, &options);
    let active = data_segments(&snap.wasm).len();
    assert!(active <= 100, "{active} segments");
    let (store, instance) = instantiate(&snap.engine, &snap.wasm);
    let (initialised_store, initialised) = &snap.initialised;
    assert_eq!(
        observable(&store, &instance),
        observable(initialised_store, initialised)
    );

    // A gap as large as the stride merges everything into one segment.
    let merged = snapshot(&original, &EmitOptions::default().with_merge_gap(4095));
    assert_eq!(data_segments(&merged.wasm).len(), 1);
    let (store, instance) = instantiate(&merged.engine, &merged.wasm);
    assert_eq!(
        observable(&store, &instance),
        observable(initialised_store, initialised)
    );
}

/// Every data segment of `wasm`: whether it is active, and its bytes.
fn data_segments(wasm: &[u8]) -> Vec<(bool, Vec<u8>)> {
    let mut segments = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        if let Ok(wasmparser::Payload::DataSection(reader)) = payload {
            for data in reader {
                let data = data.unwrap();
                let active = matches!(data.kind, wasmparser::DataKind::Active { .. });
                segments.push((active, data.data.to_vec()));
            }
        }
    }
    segments
}
