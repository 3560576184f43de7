//! Modules that cannot be plugins are refused at load, with the reason;
//! hostile module shapes are bounded at instantiation.

use serde_json::Value;
use wasmi_hdk::{Error, Limits, Plugin};

use crate::util::{wat, within};

/// The smallest valid plugin shell: `extra` (imports first), memory and `_start`.
fn module(extra: &str) -> Vec<u8> {
    wat(&format!(
        r#"(module {extra} (memory (export "memory") 1) (func (export "_start")))"#
    ))
}

/// Loads `bytes` (which must load) and returns the error its first call fails with.
async fn first_call_error(bytes: &[u8]) -> Error {
    let plugin = Plugin::new(bytes).unwrap();
    within(plugin.call_raw("anything", Value::Null))
        .await
        .expect_err("the call must fail")
}

#[test]
fn bytes_that_are_not_wasm_are_an_invalid_module() {
    let error = Plugin::new(b"definitely not wasm").unwrap_err();
    assert!(matches!(error, Error::InvalidModule { .. }), "{error:?}");
}

#[test]
fn a_module_without_start_is_refused() {
    let bytes = wat(r#"(module (memory (export "memory") 1) (func (export "main")))"#);
    assert!(matches!(Plugin::new(&bytes), Err(Error::MissingEntryPoint)));
}

#[test]
fn a_module_without_memory_is_refused() {
    let bytes = wat(r#"(module (func (export "_start")))"#);
    let error = Plugin::new(&bytes).unwrap_err();
    assert!(matches!(&error, Error::MissingMemory), "{error:?}");
}

#[test]
fn unknown_imports_are_refused_naming_them() {
    let bytes = module(r#"(import "env" "launch_missiles" (func))"#);
    match Plugin::new(&bytes) {
        Err(Error::UnsupportedImport { module, name, .. }) => {
            assert_eq!((module.as_str(), name.as_str()), ("env", "launch_missiles"));
        }
        other => panic!("{other:?}"),
    }
    let bytes = module(r#"(import "wasi_snapshot_preview1" "fd_teleport" (func))"#);
    assert!(matches!(
        Plugin::new(&bytes),
        Err(Error::UnsupportedImport { .. })
    ));
    let bytes = module(r#"(import "wasi_snapshot_preview1" "fd_write" (func (param i32)))"#);
    match Plugin::new(&bytes) {
        Err(Error::UnsupportedImport { reason, .. }) => {
            assert!(reason.contains("signature"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_start_section_that_loops_forever_is_bounded() {
    let bytes = module(r#"(func $spin (loop $l (br $l))) (start $spin)"#);
    let error = first_call_error(&bytes).await;
    assert!(matches!(error, Error::OutOfFuel { .. }), "{error:?}");
}

#[tokio::test]
async fn a_huge_initial_memory_is_a_memory_limit() {
    let bytes = wat(r#"(module (memory (export "memory") 2048) (func (export "_start")))"#);
    let plugin = Plugin::builder()
        .with_limits(Limits::default().with_max_memory(64 << 20))
        .build(&bytes)
        .unwrap();
    let error = within(plugin.call_raw("anything", Value::Null))
        .await
        .unwrap_err();
    match error {
        Error::MemoryLimit {
            requested, limit, ..
        } => {
            assert_eq!((requested, limit), (2048 << 16, 64 << 20));
        }
        other => panic!("{other:?}"),
    }
}

/// Each of these module shapes is refused when its instance is made, before
/// any of its code runs, with the reason; instantiation costs no more than
/// for any small module.
#[tokio::test]
async fn oversized_tables_and_extra_memories_are_refused_at_instantiation() {
    let cases = [
        // 100 million table elements: about a gigabyte outside the memory cap.
        (
            r#"(table 100000000 funcref)"#,
            "a resource limiter denied to allocate or grow the table",
        ),
        (
            r#"(table 1 funcref) (table 1 funcref) (table 1 funcref) (table 1 funcref) (table 1 funcref)"#,
            "too many tables",
        ),
        (r#"(memory $second 1)"#, "too many linear memories"),
    ];
    for (extra, reason) in cases {
        let plugin = Plugin::new(&module(extra)).unwrap();
        match within(plugin.call_raw("anything", Value::Null)).await {
            Err(Error::Instantiation { source }) => {
                let r = source.to_string();
                assert!(r.contains(reason), "{extra}: {r}");
            }
            other => panic!("{extra}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_table_that_grows_without_end_is_refused_past_its_bound() {
    // `table.grow` answers -1 past 1 048 576 elements; the plugin then traps.
    let bytes = module(
        r#"(table $t 1 funcref)
        (func $grow (result i32)
          (loop $more
            (br_if $more (i32.ne (table.grow $t (ref.null func) (i32.const 100000)) (i32.const -1))))
          (table.size $t))
        (func $check (if (i32.gt_u (call $grow) (i32.const 1048576)) (then unreachable)))
        (start $check)"#,
    );
    let error = first_call_error(&bytes).await;
    // The start section ran to its end: the table stopped growing at its bound.
    assert!(
        matches!(
            &error,
            Error::Protocol {
                violation: wasmi_hdk::ProtocolViolation::NoResponse { exit_code: None },
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_data_segment_outside_memory_is_a_trap_at_instantiation() {
    let bytes = module(r#"(data (i32.const 65530) "0123456789")"#);
    let error = first_call_error(&bytes).await;
    assert!(
        matches!(
            error,
            Error::Trap {
                code: Some(wasmi_hdk::TrapCode::MemoryOutOfBounds),
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn returning_without_answering_is_a_protocol_violation() {
    let error = first_call_error(&module("")).await;
    assert!(
        matches!(
            error,
            Error::Protocol {
                violation: wasmi_hdk::ProtocolViolation::NoResponse { exit_code: None },
                ..
            }
        ),
        "{error:?}"
    );
}

#[test]
fn the_wasi_catalogue_lists_every_preview1_function_once() {
    let names: std::collections::BTreeSet<_> = wasmi_hdk::wasi::WASI_FUNCTIONS
        .iter()
        .map(|f| f.name)
        .collect();
    assert_eq!(names.len(), wasmi_hdk::wasi::WASI_FUNCTIONS.len());
    assert_eq!(names.len(), 46);
    // Every catalogued function links with its catalogued signature.
    let imports: String = wasmi_hdk::wasi::WASI_FUNCTIONS
        .iter()
        .map(|f| {
            let ty = |types: &[wasmi_hdk::wasi::ValueType]| {
                types
                    .iter()
                    .map(|t| format!("{t:?} ").to_lowercase())
                    .collect::<String>()
            };
            format!(
                r#"(import "wasi_snapshot_preview1" "{}" (func (param {}) (result {})))"#,
                f.name,
                ty(f.params),
                ty(f.results)
            )
        })
        .collect();
    Plugin::new(&module(&imports)).expect("all of WASI preview 1 links");
}

/// `_start` calls a function whose body does not type-check.
const INVALID_BODY: &str = r#"(module
  (memory (export "memory") 1)
  (func $bad (result i32) (i64.const 1))
  (func (export "_start") (drop (call $bad))))"#;

#[tokio::test]
async fn an_invalid_function_body_is_an_invalid_module() {
    let bytes = wat(INVALID_BODY);
    // Full validation at load finds it at once ...
    let error = Plugin::builder()
        .with_full_validation(true)
        .build(&bytes)
        .unwrap_err();
    assert!(matches!(error, Error::InvalidModule { .. }), "{error:?}");
    // ... lazy validation (the default) when the function is first called.
    let error = first_call_error(&bytes).await;
    assert!(matches!(error, Error::InvalidModule { .. }), "{error:?}");
}
