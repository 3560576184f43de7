//! `wasmi-host check`: the conformance table and its exit codes.

use super::util::{SILENT_MODULE, TempFile, UNKNOWN_IMPORT_MODULE, misbehaving, wasmi_host};

/// The table row for `check`, e.g. `PASS  unknown method -> -32601 ...`.
fn row<'a>(stdout: &'a str, check: &str) -> &'a str {
    stdout
        .lines()
        .find(|l| l.len() > 8 && l[8..].starts_with(check))
        .unwrap_or_else(|| panic!("no row {check:?} in\n{stdout}"))
}

#[test]
fn the_test_plugin_passes() {
    let run = wasmi_host(&[
        "check",
        "--call",
        "ping",
        "--call",
        "sieve=1000",
        "--method",
        "add",
    ])
    .expect_code(0);
    assert!(!run.stdout.contains("FAIL"), "{run:#?}");
    assert!(row(&run.stdout, "entry point and memory").contains("a WASI command"));
    for check in [
        "entry point and memory",
        "imports provided",
        "unknown method -> -32601",
        "rpc.discover",
        "malformed params -> error",
        "call ping",
        "stdout carries only JSON-RPC",
        "response id matches",
        "answers, then ends cleanly",
    ] {
        assert!(
            row(&run.stdout, check).starts_with("  PASS"),
            "{check}: {run:#?}"
        );
    }
    assert!(row(&run.stdout, "call sieve").contains("answered 168"));
    assert!(run.stdout.contains("0 fail"), "{run:#?}");
}

#[test]
fn the_misbehaving_plugin_fails_when_its_methods_misbehave() {
    let run = wasmi_host(&[
        "-q",
        "check",
        misbehaving(),
        "--call",
        "garbage",
        "--call",
        "wrong_id",
        "--call",
        "panic",
    ])
    .expect_code(3);
    assert!(
        row(&run.stdout, "unknown method").starts_with("  PASS"),
        "{run:#?}"
    );
    for check in [
        "call garbage",
        "stdout carries only JSON-RPC",
        "response id matches",
        "call panic",
        "answers, then ends cleanly",
    ] {
        assert!(
            row(&run.stdout, check).starts_with("  FAIL"),
            "{check}: {run:#?}"
        );
    }
    assert!(row(&run.stdout, "stdout carries").contains("not JSON"));
}

#[test]
fn a_reactor_is_named_a_reactor() {
    // `plugin_main` instead of `_start` (PROTOCOL.md §13); it answers
    // nothing, so the protocol rows fail, but its entry point passes.
    let reactor = TempFile::wat(
        "reactor.wasm",
        r#"(module (memory (export "memory") 1) (func (export "plugin_main")))"#,
    );
    let run = wasmi_host(&["check", reactor.path(), "--method", "ping"]).expect_code(3);
    let entry = row(&run.stdout, "entry point and memory");
    assert!(
        entry.starts_with("  PASS") && entry.contains("a WASI reactor"),
        "{entry}"
    );
}

#[test]
fn a_plugin_that_never_answers_fails() {
    let silent = TempFile::wat("silent.wasm", SILENT_MODULE);
    let run = wasmi_host(&["check", silent.path(), "--method", "ping"]).expect_code(3);
    assert!(row(&run.stdout, "entry point and memory").starts_with("  PASS"));
    assert!(row(&run.stdout, "unknown method").starts_with("  FAIL"));
    assert!(row(&run.stdout, "malformed params").starts_with("  FAIL"));
    let ending = row(&run.stdout, "answers, then ends cleanly");
    assert!(
        ending.starts_with("  FAIL") && ending.contains("without answering"),
        "{ending}"
    );
}

#[test]
fn an_unsupported_import_fails_without_calling() {
    let module = TempFile::wat("importer.wasm", UNKNOWN_IMPORT_MODULE);
    let run = wasmi_host(&["check", module.path()]).expect_code(3);
    assert!(
        row(&run.stdout, "imports provided").contains("env::host_fn"),
        "{run:#?}"
    );
    assert!(row(&run.stdout, "loads").starts_with("  FAIL"));
    assert!(row(&run.stdout, "calls").starts_with("  SKIP"));
}

#[test]
fn a_missing_or_invalid_file_cannot_load() {
    wasmi_host(&["check", "/no/such/plugin.wasm"])
        .expect_code(4)
        .expect_one_line_error("cannot read plugin");
    let text = TempFile::new("text.wasm", b"\0asm but not really");
    wasmi_host(&["check", text.path()])
        .expect_code(4)
        .expect_one_line_error("invalid wasm module");
}
