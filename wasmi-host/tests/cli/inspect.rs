//! `wasmi-host inspect`.

use test_plugin_artifacts::EVENT_PLUGIN;

use super::util::{
    METHOD_NOT_FOUND_MODULE, TempFile, UNKNOWN_IMPORT_MODULE, misbehaving, test_plugin, wasmi_host,
    wasmi_host_default,
};

#[test]
fn shows_start_memory_imports_and_exports() {
    let run = wasmi_host(&["inspect", misbehaving()]).expect_code(0);
    for needle in [
        "module   `",
        "entry    _start (a WASI command)",
        "init     none",
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
fn the_embedded_plugin_by_default() {
    let run = wasmi_host_default(&["inspect", "--json"]).expect_code(0);
    let info = run.json();
    assert_eq!(info["name"], "example-plugin");
    assert_eq!(info["runnable"], true);
    assert_eq!(info["problems"], serde_json::json!([]));
    let run = wasmi_host_default(&["check"]).expect_code(0);
    assert!(run.stdout.contains("0 fail"), "{run:#?}");
}

#[test]
fn a_file_as_json() {
    let run = wasmi_host(&["inspect", "--json"]).expect_code(0);
    let info = run.json();
    assert_eq!(info["name"], "test-plugin");
    assert_eq!(info["entry_point"], "_start");
    assert_eq!(
        info["initialization"],
        serde_json::json!({"initializer": ["wizer.initialize"]})
    );
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
        run.stdout
            .contains("NOT runnable: unsupported import env::host_fn"),
        "{run:#?}"
    );
    assert!(
        run.stdout
            .contains("methods  (not asked: the module cannot run here)"),
        "{run:#?}"
    );

    let stubs = TempFile::wat(
        "stubs.wasm",
        r#"(module
            (import "wasi_snapshot_preview1" "path_open"
                (func (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
            (import "wasi_snapshot_preview1" "sock_accept"
                (func (param i32 i32 i32) (result i32)))
            (memory (export "memory") 1)
            (func (export "_start")))"#,
    );
    let run = wasmi_host(&["inspect", stubs.path()]).expect_code(0);
    // File calls are served (by the preopened directories, if any);
    // sockets only answer an errno.
    let path_open = run
        .stdout
        .lines()
        .find(|l| l.contains("::path_open"))
        .unwrap();
    assert!(path_open.ends_with(" ok"), "{run:#?}");
    assert!(
        run.stdout
            .contains("errno: ENOTSUP on stdio, EBADF on other fds: there are no sockets"),
        "{run:#?}"
    );
    assert!(run.stdout.contains("verdict  runnable"), "{run:#?}");
    // It runs, but returns without answering.
    assert!(
        run.stdout
            .contains("methods  (the plugin does not answer rpc.discover: protocol violation"),
        "{run:#?}"
    );
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

/// The `methods` section: the lines after `methods  ...`.
fn method_lines(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .skip_while(|l| !l.starts_with("methods  "))
        .skip(1)
        .collect()
}

#[test]
fn lists_the_methods_rpc_discover_describes_with_their_schemas() {
    let module = TempFile::new("event-plugin.wasm", EVENT_PLUGIN);
    let run = wasmi_host(&["inspect", module.path()]).expect_code(0);
    assert!(
        run.stdout.contains("methods  5 (from rpc.discover)"),
        "{run:#?}"
    );
    let methods = method_lines(&run.stdout);
    assert_eq!(methods.len(), 5, "{run:#?}");
    assert_eq!(
        methods[0], "  add       params: {a: integer, b: integer}  result: integer",
        "{run:#?}"
    );
    for (line, name) in methods[1..]
        .iter()
        .zip(["config", "describe", "on_event", "relay"])
    {
        assert_eq!(line.trim(), name, "{run:#?}");
    }

    let run = wasmi_host(&["inspect", module.path(), "--json"]).expect_code(0);
    let discovery = &run.json()["discovery"];
    assert_eq!(discovery["methods"][0]["name"], "add");
    assert_eq!(
        discovery["methods"][0]["params_schema"]["properties"]["a"]["type"],
        "integer"
    );
    assert_eq!(discovery["methods"][0]["result_schema"]["type"], "integer");
    assert!(discovery["methods"][1]["params_schema"].is_null());
    assert_eq!(discovery["document"]["openrpc"], "1.2.6");
}

#[test]
fn a_plugin_without_schemas_lists_method_names() {
    let run = wasmi_host(&["inspect", test_plugin()]).expect_code(0);
    let methods: Vec<&str> = method_lines(&run.stdout).iter().map(|l| l.trim()).collect();
    for name in ["ping", "sieve", "many_echo", "add"] {
        assert!(methods.contains(&name), "{name}: {run:#?}");
    }
}

#[test]
fn a_plugin_that_does_not_answer_rpc_discover_says_so() {
    let module = TempFile::wat("no-discover.wasm", METHOD_NOT_FOUND_MODULE);
    let run = wasmi_host(&["inspect", module.path()]).expect_code(0);
    assert!(
        run.stdout
            .ends_with("methods  (the plugin does not answer rpc.discover)\n"),
        "{run:#?}"
    );
    let run = wasmi_host(&["inspect", module.path(), "--json"]).expect_code(0);
    let facts = run.json();
    assert!(facts["discovery"].is_null(), "{run:#?}");
    assert!(
        facts["discovery_error"]
            .as_str()
            .is_some_and(|e| e.contains("-32601")),
        "{run:#?}"
    );
    // The module answers any method the same way, through the CLI too.
    wasmi_host(&["call", "--plugin", module.path(), "anything"])
        .expect_code(1)
        .expect_one_line_error("plugin error -32601: method not found");
}
