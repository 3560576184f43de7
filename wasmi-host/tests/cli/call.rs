//! `wasmi-host call`: results, output styles, and every failure's exit code.

use super::util::{
    SILENT_MODULE, TempFile, UNKNOWN_IMPORT_MODULE, misbehaving, test_plugin, wasmi_host,
    wasmi_host_default,
};

/// The README's first command: the embedded example plugin, no file.
#[test]
fn prints_the_result_of_the_embedded_plugin() {
    let run = wasmi_host_default(&["call", "sieve", "1000000"]).expect_code(0);
    assert_eq!(run.stdout, "78498\n");
    let run = wasmi_host_default(&["call", "add", "[2, 40]"]).expect_code(0);
    assert_eq!(run.stdout, "42\n");
    let run = wasmi_host_default(&["call", "echo_host", "[5]"]).expect_code(0);
    assert_eq!(run.stdout, "[5]\n");
}

#[test]
fn runs_a_plugin_file_named_after_its_stem() {
    let run = wasmi_host(&["call", "--plugin", test_plugin(), "env"]).expect_code(0);
    assert_eq!(run.json()["args"][0], "test-plugin");
    let run = wasmi_host(&["call", "--plugin", misbehaving(), "read_stdin_forever"]).expect_code(0);
    assert_eq!(run.stdout, "0\n");
}

#[test]
fn output_is_compact_when_piped_and_pretty_on_request() {
    let params = r#"{"list": [1, 2], "nested": {"k": "v"}}"#;
    let compact = wasmi_host(&["call", "echo", params]).expect_code(0);
    assert_eq!(
        compact.stdout,
        "{\"list\":[1,2],\"nested\":{\"k\":\"v\"}}\n"
    );
    let pretty = wasmi_host(&["call", "echo", params, "--pretty"]).expect_code(0);
    assert!(pretty.stdout.lines().count() > 3, "{pretty:?}");
    assert_eq!(pretty.json(), compact.json());
}

#[test]
fn scalars_arrays_objects_and_no_params() {
    assert_eq!(
        wasmi_host(&["call", "add", "[2, 40]"])
            .expect_code(0)
            .stdout,
        "42\n"
    );
    let run = wasmi_host(&["call", "add", r#"{"a": -2, "b": 1}"#]).expect_code(0);
    assert_eq!(run.stdout, "-1\n");
    assert_eq!(
        wasmi_host(&["call", "echo", "-5"]).expect_code(0).stdout,
        "[-5]\n"
    );
    assert_eq!(
        wasmi_host(&["call", "ping"]).expect_code(0).stdout,
        "\"pong\"\n"
    );
}

#[test]
fn params_that_are_not_json_are_a_usage_error() {
    wasmi_host(&["call", "echo", "hello"])
        .expect_code(2)
        .expect_one_line_error("PARAMS_JSON is not valid JSON");
    wasmi_host(&["call", "echo", "{broken"])
        .expect_code(2)
        .expect_one_line_error("PARAMS_JSON");
}

#[test]
fn bad_flags_are_usage_errors() {
    for args in [
        &["call", "ping", "--timeout", "fast"][..],
        &["call", "ping", "--max-memory", "lots"],
        &["call", "ping", "--fuel", "-3"],
        &["call", "ping", "--env", "NOVALUE"],
        &["call", "ping", "--mock", "host.x=not json"],
        &["call"],
        &["frobnicate"],
    ] {
        wasmi_host(args).expect_code(2).expect_no_panic();
    }
}

#[test]
fn a_missing_file_cannot_load() {
    let run = wasmi_host(&["call", "--plugin", "/no/such/plugin.wasm", "ping"]).expect_code(4);
    run.expect_one_line_error("cannot read plugin /no/such/plugin.wasm");
}

#[test]
fn a_file_that_is_not_wasm_cannot_load() {
    let file = TempFile::new("notes.wasm", b"these are not the bytes you are looking for");
    wasmi_host(&["call", "--plugin", file.path(), "ping"])
        .expect_code(4)
        .expect_one_line_error("is not a WebAssembly module");
    // A valid empty module, then the id of a type section and the first
    // byte of its size, cut off.
    let mut bytes = wat::parse_str("(module)").expect("valid WAT");
    bytes.extend([0x01, 0xff]);
    let truncated = TempFile::new("truncated.wasm", &bytes);
    wasmi_host(&["call", "--plugin", truncated.path(), "ping"])
        .expect_code(4)
        .expect_one_line_error("invalid wasm module");
}

#[test]
fn a_module_without_start_or_with_an_unknown_import_cannot_load() {
    let reactor = TempFile::wat("reactor.wasm", r#"(module (memory (export "memory") 1))"#);
    wasmi_host(&["call", "--plugin", reactor.path(), "ping"])
        .expect_code(4)
        .expect_one_line_error("_start");
    let importer = TempFile::wat("importer.wasm", UNKNOWN_IMPORT_MODULE);
    wasmi_host(&["call", "--plugin", importer.path(), "ping"])
        .expect_code(4)
        .expect_one_line_error("unsupported import env::host_fn");
}

#[test]
fn a_plugin_error_exits_1() {
    wasmi_host(&["call", "no_such_method"])
        .expect_code(1)
        .expect_one_line_error("plugin error -32601: method not found: no_such_method");
    let params = r#"{"code": 7, "message": "nope", "data": {"why": "because"}}"#;
    wasmi_host(&["call", "fail", params])
        .expect_code(1)
        .expect_one_line_error(r#"plugin error 7: nope (data: {"why":"because"})"#);
}

#[test]
fn a_panic_is_a_trap_with_the_panic_message() {
    let run = wasmi_host(&["call", "--plugin", misbehaving(), "panic"]).expect_code(3);
    assert!(run.stderr.contains("deliberate panic"), "{run:#?}");
    run.expect_one_line_error("plugin trapped");
    // Even with the logs hidden, the error line carries the message.
    wasmi_host(&["-q", "call", "--plugin", misbehaving(), "panic"])
        .expect_code(3)
        .expect_one_line_error("deliberate panic");
}

#[test]
fn a_timeout_exits_3() {
    wasmi_host(&[
        "call",
        "--plugin",
        misbehaving(),
        "loop",
        "--timeout",
        "200ms",
    ])
    .expect_code(3)
    .expect_one_line_error("timed out after 200ms");
}

#[test]
fn the_fuel_budget_exits_3() {
    wasmi_host(&[
        "call",
        "--plugin",
        misbehaving(),
        "loop",
        "--fuel",
        "1000000",
    ])
    .expect_code(3)
    .expect_one_line_error("ran out of fuel (budget 1000000)");
}

#[test]
fn the_memory_cap_exits_3() {
    wasmi_host(&[
        "call",
        "--plugin",
        misbehaving(),
        "alloc",
        "64",
        "--max-memory",
        "16M",
    ])
    .expect_code(3)
    .expect_one_line_error("memory limit of 16.0 MiB");
    let run = wasmi_host(&[
        "call",
        "--plugin",
        misbehaving(),
        "alloc",
        "4",
        "--max-memory",
        "16M",
    ]);
    assert_eq!(run.expect_code(0).stdout, format!("{}\n", 4 << 20));
}

#[test]
fn protocol_violations_and_exits_exit_3() {
    for (method, needle) in [
        ("garbage", "stdout line is not JSON"),
        ("wrong_id", "does not match request id"),
        ("exit_without_answer", "without answering"),
    ] {
        wasmi_host(&["call", "--plugin", misbehaving(), method])
            .expect_code(3)
            .expect_one_line_error(needle);
    }
    wasmi_host(&["call", "--plugin", misbehaving(), "exit", "5"])
        .expect_code(3)
        .expect_one_line_error("exited with code 5");
    let silent = TempFile::wat("silent.wasm", SILENT_MODULE);
    wasmi_host(&["call", "--plugin", silent.path(), "ping"])
        .expect_code(3)
        .expect_one_line_error("returned from _start without answering");
}

#[test]
fn the_report_shows_every_counter() {
    let run = wasmi_host(&["call", "many_echo", "2", "--report"]).expect_code(0);
    assert_eq!(run.stdout, "2\n", "the report stays off stdout");
    for needle in [
        "report:",
        "fuel",
        "time",
        "memory",
        "2 requests",
        "to stdin",
        "from stdout",
    ] {
        assert!(run.stderr.contains(needle), "{needle:?}: {run:#?}");
    }
    // A failed call still reports what it cost.
    let run = wasmi_host(&[
        "call",
        "--plugin",
        misbehaving(),
        "loop",
        "--fuel",
        "1000000",
        "--report",
    ]);
    assert!(run.expect_code(3).stderr.contains("report:"));
}

#[test]
fn env_and_args_reach_the_plugin() {
    let run = wasmi_host(&[
        "call",
        "env",
        "--env",
        "GREETING=hi",
        "--env",
        "EMPTY=",
        "--arg",
        "--flag",
        "--arg",
        "two words",
    ])
    .expect_code(0);
    let value = run.json();
    assert_eq!(
        value["args"],
        serde_json::json!(["test-plugin", "--flag", "two words"])
    );
    assert_eq!(
        value["env"],
        serde_json::json!({"GREETING": "hi", "EMPTY": ""})
    );
}
