//! `wasmi-host emit EVENT PAYLOAD --plugins DIR`: the handlers' table.

use serde_json::json;
use test_plugin_artifacts::{EVENT_PLUGIN, TEST_PLUGIN};

use super::util::{TempDir, wasmi_host};

/// A manifest subscribing to `join`.
fn subscriber(priority: u8, mode: &str, config: &str) -> String {
    format!(
        "[[events]]\nevent = \"join\"\npriority = {priority}\nmode = \"{mode}\"\n[config]\n{config}\n"
    )
}

/// Five subscribers of `join` and one plugin that is not subscribed:
///
/// | priority | plugin  | what it does                                  |
/// |----------|---------|-----------------------------------------------|
/// | 10       | early   | adds "early" to the trail                     |
/// | 20       | broken  | the test plugin: no `on_event`, so it fails   |
/// | 50       | watcher | an observer asking to stop: ignored           |
/// | 100      | stopper | adds "stopper" and stops                      |
/// | 200      | late    | skipped                                       |
fn subscribers() -> TempDir {
    let dir = TempDir::new("events");
    dir.write("early.wasm", EVENT_PLUGIN)
        .write("early.toml", subscriber(10, "modify", "tag = \"early\""))
        .write("broken.wasm", TEST_PLUGIN)
        .write("broken.toml", subscriber(20, "modify", ""))
        .write("watcher.wasm", EVENT_PLUGIN)
        .write(
            "watcher.toml",
            subscriber(50, "observe", "reply = { stop = true }"),
        )
        .write("stopper.wasm", EVENT_PLUGIN)
        .write(
            "stopper.toml",
            subscriber(100, "modify", "tag = \"stopper\"\nreply = { stop = true }"),
        )
        .write("late.wasm", EVENT_PLUGIN)
        .write("late.toml", subscriber(200, "modify", "tag = \"late\""))
        .write("deaf.wasm", EVENT_PLUGIN);
    dir
}

#[test]
fn prints_each_handler_in_order_then_the_payload() {
    let dir = subscribers();
    let run = wasmi_host(&[
        "-q",
        "emit",
        "join",
        r#"{"who": "ada"}"#,
        "--plugins",
        dir.path(),
    ])
    .expect_code(0)
    .expect_no_panic();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "event       join: 5 handlers",
            "  priority  plugin   decision",
            "        10  early    modified",
            "        20  broken   failed: plugin error -32601: method not found: on_event",
            "        50  watcher  ignored change",
            "       100  stopper  stopped",
            "       200  late     skipped",
            r#"payload     {"trail":["early","stopper"],"who":"ada"}"#,
            "stopped by  stopper",
        ],
        "{run:#?}"
    );
}

#[test]
fn json_prints_the_whole_outcome() {
    let dir = subscribers();
    let run = wasmi_host(&[
        "-q",
        "emit",
        "join",
        r#"{"who": "ada"}"#,
        "--plugins",
        dir.path(),
        "--json",
    ])
    .expect_code(0);
    let outcome = run.json();
    assert_eq!(outcome["event"], "join");
    assert_eq!(
        outcome["payload"],
        json!({"who": "ada", "trail": ["early", "stopper"]})
    );
    assert_eq!(outcome["stopped_by"], "stopper");
    let handlers = outcome["handlers"].as_array().expect("a list of handlers");
    let rows: Vec<(&str, u64, &str)> = handlers
        .iter()
        .map(|h| {
            (
                h["plugin"].as_str().unwrap_or_default(),
                h["priority"].as_u64().unwrap_or_default(),
                h["decision"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("early", 10, "modified"),
            ("broken", 20, "failed"),
            ("watcher", 50, "ignored_change"),
            ("stopper", 100, "stopped"),
            ("late", 200, "skipped"),
        ]
    );
    assert_eq!(handlers[1]["error"]["code"], -32601, "{run:#?}");
    assert!(handlers[0].get("error").is_none());
}

#[test]
fn an_event_nobody_handles_comes_back_unchanged() {
    let dir = subscribers();
    let run =
        wasmi_host(&["-q", "emit", "leave", "[1, 2]", "--plugins", dir.path()]).expect_code(0);
    assert_eq!(
        run.stdout,
        "event       leave: no plugin subscribes to it\n\
         payload     [1,2]\n\
         stopped by  nobody\n"
    );
    // Without a payload, the payload is null.
    let run = wasmi_host(&["emit", "leave", "--plugins", dir.path(), "--json"]).expect_code(0);
    assert_eq!(
        run.json(),
        json!({"event": "leave", "payload": null, "stopped_by": null, "handlers": []})
    );
}

#[test]
fn a_bad_payload_or_directory_is_an_error() {
    let dir = subscribers();
    wasmi_host(&["emit", "join", "{nope", "--plugins", dir.path()])
        .expect_code(2)
        .expect_one_line_error("PAYLOAD_JSON");
    wasmi_host(&["emit", "join"]).expect_code(2);
    let empty = TempDir::new("no-plugins");
    wasmi_host(&["emit", "join", "--plugins", empty.path()])
        .expect_code(4)
        .expect_one_line_error("no plugin of");
}
