//! Host methods under `call`: built-ins, `--mock`, `--mock-file`, and the
//! answer to a host method nobody provides.

use serde_json::json;

use super::util::{TempFile, wasmi_host};

/// Params of the test-plugin's `call_host`: call host `method` with `[1]`.
fn call_host(method: &str) -> String {
    json!({"method": method, "params": [1]}).to_string()
}

#[test]
fn host_echo_is_built_in() {
    assert_eq!(
        wasmi_host(&["call", "many_echo", "3"])
            .expect_code(0)
            .stdout,
        "3\n"
    );
    let run = wasmi_host(&["call", "concurrent", "3"]).expect_code(0);
    assert_eq!(run.json(), json!([[0], [1], [2]]));
}

#[test]
fn host_time_is_unix_milliseconds() {
    let run = wasmi_host(&["call", "call_host", &call_host("host.time")]).expect_code(0);
    assert!(
        run.json().as_u64().is_some_and(|ms| ms > 1_600_000_000_000),
        "{run:#?}"
    );
}

#[test]
fn host_log_prints_among_the_plugin_logs() {
    let params = json!({"method": "host.log", "params": ["warn", "from the plugin"]}).to_string();
    let run = wasmi_host(&["call", "call_host", &params]).expect_code(0);
    assert_eq!(run.stdout, "null\n");
    assert!(
        run.stderr
            .contains("[test-plugin WARN host.log] from the plugin"),
        "{run:#?}"
    );
    let params = json!({"method": "host.log", "params": ["shout", "x"]}).to_string();
    wasmi_host(&["call", "call_host", &params])
        .expect_code(1)
        .expect_one_line_error("-32602");
}

#[test]
fn a_mock_answers_a_host_method() {
    let run = wasmi_host(&[
        "call",
        "call_host",
        &call_host("x.y"),
        "--mock",
        r#"x.y={"ok":true}"#,
    ]);
    assert_eq!(run.expect_code(0).json(), json!({"ok": true}));
}

#[test]
fn a_mock_overrides_a_built_in() {
    // `many_echo` checks that `host.echo` answers `[0]` for its first call.
    let run = wasmi_host(&["call", "many_echo", "1", "--mock", "host.echo=[0]"]);
    assert_eq!(run.expect_code(0).stdout, "1\n");
    wasmi_host(&["call", "many_echo", "1", "--mock", "host.echo=5"])
        .expect_code(1)
        .expect_one_line_error("host.echo returned 5");
}

#[test]
fn a_mock_file_answers_many_methods() {
    let file = TempFile::new("mocks.json", br#"{"x.y": [1, 2], "a.b": "bee"}"#);
    for (method, expected) in [("x.y", json!([1, 2])), ("a.b", json!("bee"))] {
        let run = wasmi_host(&[
            "call",
            "call_host",
            &call_host(method),
            "--mock-file",
            file.path(),
        ]);
        assert_eq!(run.expect_code(0).json(), expected);
    }
    // A --mock given on the command line wins over the file.
    let run = wasmi_host(&[
        "call",
        "call_host",
        &call_host("x.y"),
        "--mock-file",
        file.path(),
        "--mock",
        "x.y=3",
    ]);
    assert_eq!(run.expect_code(0).json(), json!(3));
}

#[test]
fn a_bad_mock_file_is_a_usage_error() {
    wasmi_host(&["call", "ping", "--mock-file", "/no/such/mocks.json"])
        .expect_code(2)
        .expect_one_line_error("mock file /no/such/mocks.json");
    let not_object = TempFile::new("list.json", b"[1, 2]");
    wasmi_host(&["call", "ping", "--mock-file", not_object.path()])
        .expect_code(2)
        .expect_one_line_error("must be a JSON object");
    let not_json = TempFile::new("broken.json", b"{oops");
    wasmi_host(&["call", "ping", "--mock-file", not_json.path()])
        .expect_code(2)
        .expect_one_line_error("is not valid JSON");
}

#[test]
fn an_unmocked_host_method_answers_method_not_found_naming_it() {
    let run = wasmi_host(&["call", "call_host", &call_host("x.y")]).expect_code(1);
    run.expect_one_line_error("plugin error -32601: host method not found: x.y");
}
