//! Every module the snapshot must refuse, refused with the right reason.

use super::{instantiate, snapshot, wasm};
use crate::snapshot::{EmitOptions, SnapshotError, capture, emit, instrument};

/// The error `instrument` gives for the module `wat`.
fn refusal(wat: &str) -> SnapshotError {
    instrument(&wasm(wat)).expect_err("the module is refused")
}

/// A `wizer.initialize` that does nothing, to append to test modules.
const INIT: &str = r#"(func (export "wizer.initialize"))"#;

#[test]
fn imported_memory() {
    let error = refusal(&format!(
        r#"(module (import "env" "mem" (memory 1)) {INIT})"#
    ));
    assert!(
        matches!(&error, SnapshotError::ImportedState { module, name, kind: "memory" } if module == "env" && name == "mem"),
        "{error}"
    );
}

#[test]
fn imported_global() {
    let error = refusal(&format!(
        r#"(module (import "env" "g" (global (mut i32))) {INIT})"#
    ));
    assert!(
        matches!(&error, SnapshotError::ImportedState { name, kind: "global", .. } if name == "g"),
        "{error}"
    );
}

#[test]
fn two_memories() {
    let error = refusal(&format!("(module (memory 1) (memory 1) {INIT})"));
    assert!(
        matches!(error, SnapshotError::MultipleMemories { count: 2 }),
        "{error}"
    );
}

#[test]
fn memory64() {
    let error = refusal(&format!("(module (memory i64 1) {INIT})"));
    assert!(
        matches!(error, SnapshotError::UnsupportedMemory { what: "64-bit" }),
        "{error}"
    );
}

#[test]
fn shared_memory() {
    let error = refusal(&format!("(module (memory 1 1 shared) {INIT})"));
    assert!(
        matches!(error, SnapshotError::UnsupportedMemory { what: "shared" }),
        "{error}"
    );
}

#[test]
fn mutable_reference_global() {
    let error = refusal(&format!(
        "(module (global i32 (i32.const 0)) (global (mut funcref) (ref.null func)) {INIT})"
    ));
    assert!(
        matches!(&error, SnapshotError::UnsupportedGlobal { index: 1, ty } if ty == "funcref"),
        "{error}"
    );
}

#[test]
fn mutable_vector_global() {
    let error = refusal(&format!(
        "(module (global (mut v128) (v128.const i64x2 0 0)) {INIT})"
    ));
    // wasmparser built as wasmi uses it (without `simd`) cannot even decode
    // `v128.const`; with `simd` the global itself is refused.
    assert!(
        matches!(&error, SnapshotError::UnsupportedGlobal { index: 0, ty } if ty == "v128")
            || matches!(&error, SnapshotError::Parse(parse) if parse.message().contains("SIMD")),
        "{error}"
    );
}

#[test]
fn immutable_reference_global_is_allowed() {
    let original = wasm(&format!(
        r#"(module (global funcref (ref.func $f)) (func $f) (elem declare func $f) {INIT})"#
    ));
    snapshot(&original, &EmitOptions::default());
}

#[test]
fn table_grow_reachable_by_direct_calls() {
    let error = refusal(
        r#"(module
          (table 1 funcref)
          (func $grow (drop (table.grow (ref.null func) (i32.const 1))))
          (func $middle (call $grow))
          (func (export "wizer.initialize") (call $middle)))"#,
    );
    assert!(
        matches!(
            error,
            SnapshotError::TableMutation {
                instruction: "table.grow",
                function: 0,
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn table_set_reachable_through_the_table() {
    let error = refusal(
        r#"(module
          (table 2 funcref)
          (elem (i32.const 0) $set)
          (func $set (table.set (i32.const 1) (ref.null func)))
          (func (export "wizer.initialize") (call_indirect (i32.const 0))))"#,
    );
    assert!(
        matches!(
            error,
            SnapshotError::TableMutation {
                instruction: "table.set",
                function: 0,
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn table_fill_reachable_through_ref_func() {
    let error = refusal(
        r#"(module
          (type $v (func))
          (table 2 funcref)
          (elem declare func $fill)
          (func $fill (table.fill (i32.const 0) (ref.null func) (i32.const 1)))
          (func (export "wizer.initialize") (call_ref $v (ref.func $fill))))"#,
    );
    assert!(
        matches!(
            error,
            SnapshotError::TableMutation {
                instruction: "table.fill",
                function: 0,
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn elem_drop_in_the_start_function() {
    let error = refusal(&format!(
        r#"(module
          (table 1 funcref)
          (elem $e func $f)
          (func $f)
          (func $start (elem.drop $e))
          (start $start)
          {INIT})"#
    ));
    assert!(
        matches!(
            error,
            SnapshotError::TableMutation {
                instruction: "elem.drop",
                function: 1,
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn table_copy_and_init_are_refused() {
    for (body, instruction) in [
        (
            "(table.copy (i32.const 0) (i32.const 1) (i32.const 1))",
            "table.copy",
        ),
        (
            "(table.init $e (i32.const 0) (i32.const 0) (i32.const 1))",
            "table.init",
        ),
    ] {
        let error = refusal(&format!(
            r#"(module
              (table 2 funcref)
              (elem $e func $f)
              (func $f)
              (func (export "wizer.initialize") {body}))"#
        ));
        assert!(
            matches!(error, SnapshotError::TableMutation { instruction: found, .. } if found == instruction),
            "{error}"
        );
    }
}

#[test]
fn table_mutation_outside_initialisation_is_allowed() {
    let original = wasm(
        r#"(module
          (table 1 funcref)
          (func (export "grow") (result i32) (table.grow (ref.null func) (i32.const 1)))
          (func (export "wizer.initialize")))"#,
    );
    let snap = snapshot(&original, &EmitOptions::default());
    let (mut store, instance) = instantiate(&snap.engine, &snap.wasm);
    assert_eq!(super::call_i32(&mut store, &instance, "grow", &[]), 1);
}

#[test]
fn table_mutation_in_a_function_no_table_holds_is_allowed() {
    // An indirect call runs during initialisation, but `$grow` is in no
    // element segment and no `ref.func` names it, so no table can reach it.
    let original = wasm(
        r#"(module
          (table 2 funcref)
          (elem (i32.const 0) $noop)
          (func $noop)
          (func $grow (export "grow") (result i32) (table.grow (ref.null func) (i32.const 1)))
          (func (export "wizer.initialize") (call_indirect (i32.const 0))))"#,
    );
    let snap = snapshot(&original, &EmitOptions::default());
    let (mut store, instance) = instantiate(&snap.engine, &snap.wasm);
    assert_eq!(super::call_i32(&mut store, &instance, "grow", &[]), 2);
}

#[test]
fn reserved_export_name() {
    let error = refusal(&format!(
        r#"(module (memory (export "__wasmi_snapshot_memory") 1) {INIT})"#
    ));
    assert!(
        matches!(&error, SnapshotError::ReservedExport { name } if name == "__wasmi_snapshot_memory"),
        "{error}"
    );
}

#[test]
fn initialiser_with_parameters() {
    let error = refusal(r#"(module (func (export "wizer.initialize") (param i32)))"#);
    assert!(
        matches!(
            error,
            SnapshotError::InitializerSignature {
                export: "wizer.initialize"
            }
        ),
        "{error}"
    );
}

#[test]
fn initialiser_that_is_not_a_function() {
    let error = refusal(r#"(module (global (export "_initialize") i32 (i32.const 0)))"#);
    assert!(
        matches!(
            error,
            SnapshotError::InitializerSignature {
                export: "_initialize"
            }
        ),
        "{error}"
    );
}

#[test]
fn no_initialiser() {
    let error = refusal(r#"(module (func (export "_start")))"#);
    assert!(matches!(error, SnapshotError::NoInitializer), "{error}");
}

#[test]
fn already_preinitialised() {
    let original = wasm(&format!("(module (memory 1) {INIT})"));
    for options in [
        EmitOptions::default(),
        EmitOptions::default().with_keep_initializer(true),
    ] {
        let snap = snapshot(&original, &options);
        let error = instrument(&snap.wasm).expect_err("refused");
        assert!(
            matches!(&error, SnapshotError::AlreadyPreinitialized { initializer } if initializer == "wizer.initialize"),
            "{error}"
        );
    }
}

#[test]
fn malformed_module_and_component() {
    let error = instrument(b"\0asm\x01\0\0\0\x01").expect_err("refused");
    assert!(matches!(error, SnapshotError::Parse(_)), "{error}");
    let error = instrument(&wasm("(component)")).expect_err("refused");
    assert!(matches!(error, SnapshotError::NotAModule), "{error}");
}

#[test]
fn capture_from_another_instance() {
    let original = wasm(&format!(
        "(module (memory 1) (global (mut i32) (i32.const 0)) {INIT})"
    ));
    let instrumented = instrument(&original).unwrap();
    // The original module does not export its state.
    let (mut store, instance) = instantiate(&wasmi::Engine::default(), &original);
    let error = capture(&mut store, &instance, &instrumented).expect_err("refused");
    assert!(
        matches!(&error, SnapshotError::MissingExport { name } if name == "__wasmi_snapshot_global_0"),
        "{error}"
    );
}

#[test]
fn emit_with_a_state_of_another_module() {
    let with_memory = snapshot(
        &wasm(&format!("(module (memory 1) {INIT})")),
        &EmitOptions::default(),
    );
    let other = wasm(&format!("(module (global (mut i32) (i32.const 0)) {INIT})"));
    let error = emit(
        &other,
        &with_memory.instrumented,
        &with_memory.state,
        &EmitOptions::default(),
    )
    .expect_err("refused");
    assert!(
        matches!(error, SnapshotError::StateMismatch { .. }),
        "{error}"
    );

    let other_instrumented = instrument(&other).unwrap();
    let error = emit(
        &other,
        &other_instrumented,
        &with_memory.state,
        &EmitOptions::default(),
    )
    .expect_err("refused");
    assert!(
        matches!(error, SnapshotError::StateMismatch { .. }),
        "{error}"
    );
}
