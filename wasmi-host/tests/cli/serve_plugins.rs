//! `wasmi-host serve --plugins DIR`: every plugin of a directory as
//! `PLUGIN.METHOD`.

use std::collections::HashMap;

use serde_json::{Value, json};
use test_plugin_artifacts::{EVENT_PLUGIN, TEST_PLUGIN};

use super::util::{TempDir, wasmi_host, wasmi_host_with_stdin};

/// Every stdout line, parsed, by id (as its JSON text).
fn answers(stdout: &str) -> HashMap<String, Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap_or_else(|e| panic!("{e}: {l:?}")))
        .map(|r| {
            assert_eq!(r["jsonrpc"], "2.0", "{r}");
            (r["id"].to_string(), r)
        })
        .collect()
}

/// One request line.
fn request(id: u32, method: &str, params: Value) -> String {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string()
}

/// `a` (the event plugin, with a manifest) and `b` (the test plugin).
fn two_plugins() -> TempDir {
    let dir = TempDir::new("two-plugins");
    dir.write("a.wasm", EVENT_PLUGIN)
        .write("a.toml", "version = \"1.0\"\n[config]\ngreeting = \"hi\"\n")
        .write("b.wasm", TEST_PLUGIN)
        .write("notes.txt", "not a plugin");
    dir
}

#[test]
fn routes_plugin_dot_method_to_each_plugin() {
    let dir = two_plugins();
    let input = [
        request(1, "a.describe", Value::Null),
        request(2, "b.ping", Value::Null),
        request(3, "b.many_echo", json!([3])),
        request(4, "a.add", json!({"a": 2, "b": 3})),
        request(5, "a.config", Value::Null),
        // The method's own dots stay with the method.
        request(6, "a.rpc.discover", Value::Null),
        request(7, "nobody.ping", Value::Null),
        request(8, "ping", Value::Null),
        request(9, "b.call_host", json!({"method": "host.answer"})),
        format!(
            "[{},{}]",
            request(10, "a.describe", Value::Null),
            request(11, "b.add", json!([1, 2]))
        ),
    ]
    .join("\n");
    let run = wasmi_host_with_stdin(
        &["serve", "--plugins", dir.path(), "--mock", "host.answer=42"],
        &format!("{input}\n"),
    )
    .expect_code(0)
    .expect_no_panic();
    let (batches, singles): (Vec<&str>, Vec<&str>) =
        run.stdout.lines().partition(|l| l.starts_with('['));
    let out = answers(&singles.join("\n"));
    assert_eq!(out["1"]["result"], "a", "{run:#?}");
    assert_eq!(out["2"]["result"], "pong", "{run:#?}");
    // `many_echo` calls the built-in host.echo, the set's baseline.
    assert_eq!(out["3"]["result"], 3, "{run:#?}");
    assert_eq!(out["4"]["result"], 5, "{run:#?}");
    assert_eq!(out["5"]["result"], json!({"greeting": "hi"}), "{run:#?}");
    assert_eq!(out["6"]["result"]["methods"][0]["name"], "add", "{run:#?}");
    for id in ["7", "8"] {
        assert_eq!(out[id]["error"]["code"], -32601, "{run:#?}");
    }
    let unknown = out["7"]["error"]["message"].as_str().unwrap_or_default();
    assert!(
        unknown.starts_with("method not found: nobody.ping (no plugin named `nobody`"),
        "{unknown}"
    );
    assert!(unknown.contains("plugins: a, b"), "{unknown}");
    // Mocks are in the baseline too.
    assert_eq!(out["9"]["result"], 42, "{run:#?}");
    assert_eq!(batches.len(), 1, "{run:#?}");
    let batch: Vec<Value> = serde_json::from_str(batches[0]).expect("a batch answer");
    let batch = answers(
        &batch
            .iter()
            .map(Value::to_string)
            .collect::<Vec<_>>()
            .join("\n"),
    );
    assert_eq!(batch["10"]["result"], "a");
    assert_eq!(batch["11"]["result"], 3);
}

#[test]
fn limit_flags_are_defaults_that_manifests_override() {
    let dir = TempDir::new("limits");
    dir.write("quick.wasm", TEST_PLUGIN)
        .write("patient.wasm", TEST_PLUGIN)
        .write("patient.toml", "[limits]\ntimeout = \"10s\"\n");
    let input = [
        request(1, "quick.sleep", json!([1000])),
        request(2, "patient.sleep", json!([1000])),
    ]
    .join("\n");
    let run = wasmi_host_with_stdin(
        &["serve", "--plugins", dir.path(), "--timeout", "200ms"],
        &format!("{input}\n"),
    )
    .expect_code(0);
    let out = answers(&run.stdout);
    assert_eq!(out["1"]["error"]["code"], -32000, "{run:#?}");
    assert_eq!(out["1"]["error"]["data"]["kind"], "timeout", "{run:#?}");
    assert!(
        out["2"]["result"].as_u64().is_some_and(|ms| ms >= 1000),
        "{run:#?}"
    );
}

#[test]
fn plugin_logs_show_under_the_plugin_name() {
    let dir = two_plugins();
    let run = wasmi_host_with_stdin(
        &["serve", "--plugins", dir.path()],
        &request(1, "b.log", Value::Null),
    )
    .expect_code(0);
    assert!(
        run.stderr.contains("[b INFO test_plugin] info line"),
        "{run:#?}"
    );
    let run = wasmi_host_with_stdin(
        &["-q", "serve", "--plugins", dir.path()],
        &request(1, "b.log", Value::Null),
    )
    .expect_code(0);
    assert_eq!(run.stderr, "", "{run:#?}");
}

#[test]
fn a_bad_manifest_is_reported_and_the_others_serve() {
    let dir = two_plugins();
    dir.write("broken.wasm", EVENT_PLUGIN)
        .write("broken.toml", "permisions = [\"plugins\"]\n")
        .write("garbage.wasm", "not wasm");
    let run = wasmi_host_with_stdin(
        &["serve", "--plugins", dir.path()],
        &request(1, "b.ping", Value::Null),
    )
    .expect_code(0)
    .expect_no_panic();
    assert_eq!(answers(&run.stdout)["1"]["result"], "pong", "{run:#?}");
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning: cannot load plugin "))
        .collect();
    assert_eq!(warnings.len(), 2, "{run:#?}");
    assert!(
        warnings[0].contains("broken.wasm") && warnings[0].contains("broken.toml"),
        "{run:#?}"
    );
    assert!(warnings[0].contains("field `permisions`"), "{run:#?}");
    assert!(warnings[1].contains("garbage.wasm"), "{run:#?}");

    // The failed plugin is not served.
    let run = wasmi_host_with_stdin(
        &["-q", "serve", "--plugins", dir.path()],
        &request(1, "broken.describe", Value::Null),
    )
    .expect_code(0);
    assert_eq!(answers(&run.stdout)["1"]["error"]["code"], -32601);
    assert_eq!(run.stderr, "", "-q hides the warnings: {run:#?}");
}

#[test]
fn a_directory_where_nothing_loads_cannot_be_served() {
    let dir = TempDir::new("nothing-loads");
    dir.write("broken.wasm", TEST_PLUGIN)
        .write("broken.toml", "permissions = [\"rocket\"]\n");
    wasmi_host(&["serve", "--plugins", dir.path()])
        .expect_code(4)
        .expect_one_line_error("no plugin of ")
        .expect_one_line_error("unknown permission `rocket`");
    let empty = TempDir::new("empty");
    wasmi_host(&["serve", "--plugins", empty.path()])
        .expect_code(4)
        .expect_one_line_error("there is no NAME.wasm in it");
    wasmi_host(&["serve", "--plugins", "/no/such/dir"])
        .expect_code(4)
        .expect_one_line_error("cannot read plugin directory /no/such/dir");
}

#[test]
fn plugins_excludes_plugin_env_and_arg() {
    let dir = two_plugins();
    for extra in [
        &["--plugin", "x.wasm"][..],
        &["--env", "K=V"],
        &["--arg", "x"],
    ] {
        let mut args = vec!["serve", "--plugins", dir.path()];
        args.extend_from_slice(extra);
        let run = wasmi_host(&args).expect_code(2);
        assert!(run.stderr.contains("cannot be used with"), "{run:#?}");
    }
}
