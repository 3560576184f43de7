//! `--store PATH` (`call`, `serve`, `serve --plugins`, `emit`) and
//! `wasmi-host store ls|get|put|rm`: plugins keep state in a redb file,
//! a namespace per plugin name, and the CLI looks into it.

use serde_json::{Value, json};
use test_plugin_artifacts::STORE_PLUGIN;

use super::util::{Server, TempDir, wasmi_host, wasmi_host_with_stdin};

/// A directory with the store plugin as `counter.wasm`, and where the
/// store file goes.
struct Fixture {
    dir: TempDir,
}

impl Fixture {
    fn new() -> Self {
        let dir = TempDir::new("store");
        dir.write("counter.wasm", STORE_PLUGIN);
        Self { dir }
    }

    fn plugin(&self) -> String {
        format!("{}/counter.wasm", self.dir.path())
    }

    fn store(&self) -> String {
        format!("{}/state.redb", self.dir.path())
    }

    /// `wasmi-host call --plugin counter.wasm METHOD PARAMS --store state.redb`.
    fn call(&self, method: &str, params: Value) -> Value {
        let (plugin, store, params) = (self.plugin(), self.store(), params.to_string());
        wasmi_host(&[
            "-q", "call", "--plugin", &plugin, method, &params, "--store", &store,
        ])
        .expect_code(0)
        .json()
    }

    /// `wasmi-host store ARGS --store state.redb`.
    fn store_cmd(&self, args: &[&str]) -> super::util::Run {
        self.store_cmd_with_stdin(args, "")
    }

    fn store_cmd_with_stdin(&self, args: &[&str], stdin: &str) -> super::util::Run {
        let store = self.store();
        let mut all = vec!["store"];
        all.extend_from_slice(args);
        all.extend(["--store", &store]);
        wasmi_host_with_stdin(&all, stdin)
    }
}

#[test]
fn call_keeps_state_in_the_store_file_under_the_plugins_name() {
    let f = Fixture::new();
    assert_eq!(f.call("increment", json!({"key": "visits"})), json!([1]));
    assert_eq!(f.call("increment", json!({"key": "visits"})), json!([2]));
    f.call("set", json!({"key": "profile/ada", "value": {"level": 3}}));
    // The file holds the namespace of plugin `counter` (the file's stem).
    let ls = f.store_cmd(&["ls"]).expect_code(0);
    let lines: Vec<&str> = ls.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{ls:#?}");
    assert!(lines[0].starts_with("namespace"), "{ls:#?}");
    let row: Vec<&str> = lines[1].split_whitespace().collect();
    assert_eq!(row, ["plugin:counter", "2", "29"], "{ls:#?}");
    let get = f
        .store_cmd(&["get", "--plugin", "counter", "visits"])
        .expect_code(0);
    assert_eq!(get.json(), json!(2));
    let get = f
        .store_cmd(&[
            "get",
            "--namespace",
            "plugin:counter",
            "profile/ada",
            "--compact",
        ])
        .expect_code(0);
    assert_eq!(get.stdout, "{\"level\":3}\n");
}

#[test]
fn without_a_store_file_state_lasts_one_command() {
    let f = Fixture::new();
    let plugin = f.plugin();
    for _ in 0..2 {
        let run = wasmi_host(&[
            "-q",
            "call",
            "--plugin",
            &plugin,
            "increment",
            r#"{"key": "n"}"#,
        ])
        .expect_code(0);
        assert_eq!(run.json(), json!([1]));
    }
    assert!(!std::path::Path::new(&f.store()).exists());
}

#[test]
fn store_put_get_ls_rm_round_trip_with_the_plugin() {
    let f = Fixture::new();
    f.call("set", json!({"key": "user/ann", "value": 1}));
    f.store_cmd(&["put", "--plugin", "counter", "visits", "41"])
        .expect_code(0);
    f.store_cmd_with_stdin(
        &["put", "--plugin", "counter", "user/bob"],
        "{\"name\": \"Bob\", \"tags\": [\"a\"]}\n",
    )
    .expect_code(0);
    // The plugin sees what the CLI wrote.
    assert_eq!(f.call("increment", json!({"key": "visits"})), json!([42]));
    assert_eq!(
        f.call("get", json!({"key": "user/bob"})),
        json!({"name": "Bob", "tags": ["a"]})
    );
    let ls = f
        .store_cmd(&["ls", "--plugin", "counter", "user/"])
        .expect_code(0);
    assert_eq!(ls.stdout, "user/ann\nuser/bob\n");
    let ls = f.store_cmd(&["ls", "--plugin", "counter"]).expect_code(0);
    assert_eq!(ls.stdout, "user/ann\nuser/bob\nvisits\n");
    f.store_cmd(&["rm", "--plugin", "counter", "user/ann"])
        .expect_code(0);
    f.store_cmd(&["rm", "--plugin", "counter", "user/ann"])
        .expect_code(1)
        .expect_one_line_error("no key \"user/ann\" in namespace plugin:counter");
    f.store_cmd(&["get", "--plugin", "counter", "user/ann"])
        .expect_code(1)
        .expect_one_line_error("no key \"user/ann\"");
    assert_eq!(f.call("get", json!({"key": "user/ann"})), Value::Null);
    // Another namespace of the same file is apart.
    f.store_cmd(&["put", "--namespace", "room/1", "visits", "7"])
        .expect_code(0);
    assert_eq!(f.call("get", json!({"key": "visits"})), json!(42));
    let ls = f.store_cmd(&["ls"]).expect_code(0);
    let names: Vec<&str> = ls
        .stdout
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(names, ["plugin:counter", "room/1"]);
}

#[test]
fn store_errors_have_their_exit_codes() {
    let f = Fixture::new();
    // No file yet: `store` does not create one.
    f.store_cmd(&["ls"])
        .expect_code(4)
        .expect_one_line_error("there is no such file");
    f.call("set", json!({"key": "k", "value": 1}));
    f.store_cmd(&["put", "--plugin", "counter", "k", "not json"])
        .expect_code(2)
        .expect_one_line_error("VALUE_JSON is not valid JSON");
    f.store_cmd(&["put", "--plugin", "counter", "k", "null"])
        .expect_code(2)
        .expect_one_line_error("use `store rm`");
    f.store_cmd(&["get", "k"])
        .expect_code(2)
        .expect_one_line_error("give --plugin NAME or --namespace NS");
    f.store_cmd(&["ls", "prefix"])
        .expect_code(2)
        .expect_one_line_error("give --plugin NAME or --namespace NS");
    let big = format!("\"{}\"", "x".repeat(70_000));
    f.store_cmd(&["put", "--plugin", "counter", "big", &big])
        .expect_code(3)
        .expect_one_line_error("value too large");
    f.store_cmd(&["put", "--plugin", "counter", "", "1"])
        .expect_code(3)
        .expect_one_line_error("invalid key: empty");
    // Nothing of the refused writes landed.
    let ls = f.store_cmd(&["ls", "--plugin", "counter"]).expect_code(0);
    assert_eq!(ls.stdout, "k\n");
    // A file that is not a store.
    f.dir.write("not.redb", "just text");
    let not = format!("{}/not.redb", f.dir.path());
    wasmi_host(&["store", "ls", "--store", &not])
        .expect_code(4)
        .expect_one_line_error("cannot open store");
    let plugin = f.plugin();
    wasmi_host(&[
        "-q",
        "call",
        "--plugin",
        &plugin,
        "get",
        r#"{"key": "k"}"#,
        "--store",
        &not,
    ])
    .expect_code(4)
    .expect_one_line_error("cannot open store");
}

#[test]
fn a_store_file_in_use_by_a_server_cannot_be_opened_twice() {
    let f = Fixture::new();
    let (plugin, store) = (f.plugin(), f.store());
    let mut server = Server::start(&["--plugin", &plugin, "--store", &store]);
    let request = json!({"jsonrpc": "2.0", "id": 1, "method": "increment", "params": {"key": "n"}});
    server.send(&request.to_string());
    let answer: Value = serde_json::from_str(&server.next_line()).unwrap();
    assert_eq!(answer["result"], json!([1]), "{answer}");
    f.store_cmd(&["ls"])
        .expect_code(4)
        .expect_one_line_error("cannot open store");
    drop(server);
    let get = f
        .store_cmd(&["get", "--plugin", "counter", "n"])
        .expect_code(0);
    assert_eq!(get.json(), json!(1));
}

#[test]
fn serve_plugins_grants_the_store_by_manifest() {
    let f = Fixture::new();
    f.dir
        .write("keeper.wasm", STORE_PLUGIN)
        .write("keeper.toml", "permissions = [\"storage\"]\n");
    let store = f.store();
    let input = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "keeper.increment", "params": {"key": "n", "times": 2}}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "counter.increment", "params": {"key": "n"}}),
    ]
    .map(|r| r.to_string())
    .join("\n");
    let run = wasmi_host_with_stdin(
        &["-q", "serve", "--plugins", f.dir.path(), "--store", &store],
        &input,
    )
    .expect_code(0);
    let mut answers: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    answers.sort_by_key(|a| a["id"].as_u64());
    assert_eq!(answers[0]["result"], json!([1, 2]), "{run:#?}");
    // `counter` has no manifest granting `storage`.
    assert_eq!(answers[1]["error"]["code"], -32002, "{run:#?}");
    assert_eq!(
        answers[1]["error"]["message"],
        "permission denied: store.increment needs storage"
    );
    let ls = f.store_cmd(&["ls"]).expect_code(0);
    let names: Vec<&str> = ls
        .stdout
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(names, ["plugin:keeper"]);
}

#[test]
fn emit_handlers_keep_state_in_the_store_file() {
    let f = Fixture::new();
    f.dir.write(
        "counter.toml",
        "permissions = [\"storage\"]\n[[events]]\nevent = \"join\"\n",
    );
    let store = f.store();
    for _ in 0..2 {
        let run = wasmi_host(&[
            "-q",
            "emit",
            "join",
            "--plugins",
            f.dir.path(),
            "--store",
            &store,
        ])
        .expect_code(0);
        assert!(run.stdout.contains("counter  continued"), "{run:#?}");
    }
    let get = f
        .store_cmd(&["get", "--plugin", "counter", "events/join"])
        .expect_code(0);
    assert_eq!(get.json(), json!(2));
}
