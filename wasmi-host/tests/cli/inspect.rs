//! `wasmi-host inspect`.

use super::util::{TempFile, UNKNOWN_IMPORT_MODULE, misbehaving, wasmi_host};

#[test]
fn shows_start_memory_imports_and_exports() {
    let run = wasmi_host(&["inspect", misbehaving()]).expect_code(0);
    for needle in [
        "module   `",
        "_start   yes",
        "memory   memory: ",
        "pages initial",
        "wasi_snapshot_preview1::fd_write",
        "(i32, i32, i32, i32) -> i32  ok",
        "exports",
        "_start",
        "verdict  runnable",
    ] {
        assert!(run.stdout.contains(needle), "{needle:?}: {run:#?}");
    }
}

#[test]
fn the_embedded_plugin_by_default_and_as_json() {
    let run = wasmi_host(&["inspect", "--json"]).expect_code(0);
    let info = run.json();
    assert_eq!(info["name"], "test-plugin");
    assert_eq!(info["has_start"], true);
    assert_eq!(info["runnable"], true);
    assert!(info["size"].as_u64().is_some_and(|n| n > 1000));
    assert!(
        info["memories"][0]["initial_pages"]
            .as_u64()
            .is_some_and(|n| n > 0)
    );
    assert!(
        info["imports"]
            .as_array()
            .is_some_and(|i| i.iter().all(|i| i["support"] == "implemented"))
    );
}

#[test]
fn flags_imports_this_runtime_does_not_provide() {
    let module = TempFile::wat("importer.wasm", UNKNOWN_IMPORT_MODULE);
    let run = wasmi_host(&["inspect", module.path()]).expect_code(0);
    assert!(run.stdout.contains("env::host_fn"), "{run:#?}");
    assert!(
        run.stdout
            .contains("UNSUPPORTED: only wasi_snapshot_preview1"),
        "{run:#?}"
    );
    assert!(
        run.stdout
            .contains("1 pages initial (64.0 KiB), max 4 pages"),
        "{run:#?}"
    );
    assert!(
        run.stdout.contains("NOT runnable: 1 unsupported import"),
        "{run:#?}"
    );

    let stubs = TempFile::wat(
        "stubs.wasm",
        r#"(module
            (import "wasi_snapshot_preview1" "path_open"
                (func (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
            (memory (export "memory") 1)
            (func (export "_start")))"#,
    );
    let run = wasmi_host(&["inspect", stubs.path()]).expect_code(0);
    assert!(run.stdout.contains("errno: EBADF"), "{run:#?}");
    assert!(run.stdout.contains("verdict  runnable"), "{run:#?}");
}

#[test]
fn a_missing_or_invalid_file_cannot_load() {
    wasmi_host(&["inspect", "/no/such/file.wasm"])
        .expect_code(4)
        .expect_one_line_error("cannot read plugin");
    let text = TempFile::new("text.wasm", b"hello");
    wasmi_host(&["inspect", text.path()])
        .expect_code(4)
        .expect_one_line_error("not a WebAssembly module");
}
