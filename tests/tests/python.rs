//! The Python plugin kit (`plugins/python/wasmi_plugin.py`), through its
//! test plugin `plugins/python/tests/kit_test.py`: typed params, errors,
//! host calls and notifications, logging, `rpc.discover`, and what must
//! differ between instances started from one snapshot.
//!
//! Like the language tests, these need what `plugins/build-all.sh` builds
//! (`LANGUAGE_PLUGINS_DIR/python-tests/`: `kit.wasm` pre-initialised,
//! `kit.zip`, and `reactor.wasm` before pre-initialisation) and are ignored
//! by a plain `cargo test`; `plugins/test.sh` runs them.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use serde_json::{Value, json};
use wasmi_hdk::{CallOptions, Error, HostRouter, LogLevel, Plugin, PluginBuilder, RpcError};

use crate::{
    languages::plugins_dir,
    util::{Captured, capturing, untimed, within},
};

fn read(file: &str) -> Vec<u8> {
    let path = plugins_dir().join(file);
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (build it with plugins/python/build.sh)",
            path.display()
        )
    })
}

/// Notifications the host received: (method, params).
type Notes = Arc<Mutex<Vec<Value>>>;

/// The kit's test plugin's builder: its archive at `/lib`, host methods
/// `host.echo`, `host.fail` (error 42 with data) and the notification
/// `host.note` (recorded), log lines captured.
fn kit_builder() -> (PluginBuilder, Captured, Notes) {
    let notes = Notes::default();
    let seen = notes.clone();
    let host = HostRouter::new()
        .with_method("host.echo", |_caller, params: Value| async move {
            Ok::<_, RpcError>(params)
        })
        .with_method("host.fail", |_caller, _params: Value| async move {
            Err::<Value, _>(RpcError::new(42, "the host says no").with_data(json!({"why": 1})))
        })
        .with_method("host.note", move |caller, params: Value| {
            assert!(
                caller.is_notification(),
                "host.note is sent as a notification"
            );
            seen.lock().unwrap().push(params);
            async move { Ok::<_, RpcError>(Value::Null) }
        });
    let builder = Plugin::builder()
        .with_name("kit")
        .with_limits(untimed())
        .with_host(host)
        .with_archive("/lib", read("python-tests/kit.zip"));
    let (builder, lines) = capturing(builder);
    (builder, lines, notes)
}

fn kit() -> (Plugin, Captured, Notes) {
    let (builder, lines, notes) = kit_builder();
    let plugin = builder.build(&read("python-tests/kit.wasm")).unwrap();
    (plugin, lines, notes)
}

async fn call(plugin: &Plugin, method: &str, params: Value) -> Result<Value, Error> {
    within(plugin.call_raw(method, params)).await
}

/// The JSON-RPC error a call answered with; anything else fails the test.
async fn rpc_error(plugin: &Plugin, method: &str, params: Value) -> RpcError {
    match call(plugin, method, params.clone()).await {
        Err(Error::Rpc(e)) => e,
        other => panic!("{method} {params}: expected a JSON-RPC error, got {other:?}"),
    }
}

#[tokio::test]
#[ignore = "needs the plugins of plugins/build-all.sh: run by plugins/test.sh"]
async fn params_map_onto_the_signature() {
    let (plugin, _, _) = kit();
    let expected = json!({"i": 1, "f": 2.0, "f_type": "float", "s": "s", "b": true,
                          "xs": [1, 2], "d": {"a": 1}, "o": null});
    let by_position = json!([1, 2, "s", true, [1, 2], {"a": 1}]);
    assert_eq!(call(&plugin, "typed", by_position).await.unwrap(), expected);
    let by_name = json!({"i": 1, "f": 2, "s": "s", "b": true, "xs": [1, 2], "d": {"a": 1}});
    assert_eq!(call(&plugin, "typed", by_name).await.unwrap(), expected);
    let with_optional = json!([1, 2.5, "s", false, [], {}, 7]);
    assert_eq!(call(&plugin, "typed", with_optional).await.unwrap()["o"], 7);

    // One list parameter: the whole array, its one element, or by name.
    for params in [
        json!([1, 2, 3]),
        json!([[1, 2, 3]]),
        json!({"xs": [1, 2, 3]}),
    ] {
        assert_eq!(call(&plugin, "total", params).await.unwrap(), 6);
    }
    assert_eq!(
        call(&plugin, "keywords", json!({"a": 1, "b": 5}))
            .await
            .unwrap(),
        json!([1, 5])
    );
    assert_eq!(
        call(&plugin, "keywords", json!([1])).await.unwrap(),
        json!([1, 2])
    );
    for (params, name) in [
        (json!([null]), "NoneType"),
        (json!(["x"]), "str"),
        (json!([3]), "int"),
    ] {
        assert_eq!(call(&plugin, "union", params).await.unwrap(), name);
    }
}

#[tokio::test]
#[ignore = "needs the plugins of plugins/build-all.sh: run by plugins/test.sh"]
async fn params_that_do_not_fit_answer_invalid_params() {
    let (plugin, _, _) = kit();
    let typed = |i: Value, f: Value, xs: Value, d: Value, o: Value| json!({"i": i, "f": f, "s": "s", "b": true, "xs": xs, "d": d, "o": o});
    let cases = [
        (
            "typed",
            typed(json!("1"), json!(1), json!([]), json!({}), Value::Null),
            "i: expected int, got str",
        ),
        (
            "typed",
            typed(json!(true), json!(1), json!([]), json!({}), Value::Null),
            "i: expected int, got bool",
        ),
        (
            "typed",
            typed(json!(1.5), json!(1), json!([]), json!({}), Value::Null),
            "i: expected int, got float",
        ),
        (
            "typed",
            typed(json!(1), json!("x"), json!([]), json!({}), Value::Null),
            "f: expected float, got str",
        ),
        (
            "typed",
            typed(json!(1), json!(1), json!([1, "x"]), json!({}), Value::Null),
            "xs[1]: expected int, got str",
        ),
        (
            "typed",
            typed(json!(1), json!(1), json!({}), json!({}), Value::Null),
            "xs: expected list[int], got dict",
        ),
        (
            "typed",
            typed(
                json!(1),
                json!(1),
                json!([]),
                json!({"k": "v"}),
                Value::Null,
            ),
            "d.k: expected int, got str",
        ),
        (
            "typed",
            typed(json!(1), json!(1), json!([]), json!({}), json!("x")),
            "o: expected Optional[int], got str",
        ),
        ("typed", json!({"i": 1}), "missing 'f', 's', 'b', 'xs', 'd'"),
        (
            "typed",
            json!([1, 2, "s", true, [], {}, 3, 4]),
            "takes at most 7 params, got 8",
        ),
        ("keywords", json!({"a": 1, "z": 2}), "unknown param 'z'"),
        ("keywords", json!([1, 2]), "takes at most 1 param, got 2"),
        (
            "union",
            json!([1.5]),
            "x: expected int | str | None, got float",
        ),
        ("total", json!([[1, "a"]]), "xs[1]: expected int, got str"),
    ];
    for (method, params, message) in cases {
        let error = rpc_error(&plugin, method, params.clone()).await;
        assert_eq!(error.code, -32602, "{method} {params}: {error:?}");
        assert_eq!(
            error.message,
            format!("invalid params for {method}: {message}"),
            "{method} {params}"
        );
    }
}

#[tokio::test]
#[ignore = "needs the plugins of plugins/build-all.sh: run by plugins/test.sh"]
async fn exceptions_answer_internal_error_with_the_traceback_in_the_log() {
    let (plugin, lines, _) = kit();
    let error = rpc_error(&plugin, "fail", json!(["boom"])).await;
    assert_eq!(
        (error.code, error.message.as_str()),
        (-32603, "ValueError: boom")
    );
    let lines = lines.lock().unwrap().clone();
    let errors: Vec<&str> = lines
        .iter()
        .filter(|(level, target, _)| {
            *level == LogLevel::Error && target.as_deref() == Some("wasmi_plugin")
        })
        .map(|(_, _, message)| message.as_str())
        .collect();
    assert_eq!(errors.first(), Some(&"fail failed"), "{lines:?}");
    // The plugin's own frame, with its source line read from the archive
    // during the request; the kit's frames are left out.
    assert!(
        errors
            .iter()
            .any(|l| l.contains("/lib/plugin/plugin.py") && l.contains("in fail")),
        "{errors:?}"
    );
    assert!(
        errors.contains(&"    raise ValueError(message)"),
        "{errors:?}"
    );
    assert!(
        !errors.iter().any(|l| l.contains("wasmi_plugin.py")),
        "{errors:?}"
    );
    assert_eq!(errors.last(), Some(&"ValueError: boom"));

    let error = rpc_error(&plugin, "not_json", Value::Null).await;
    assert_eq!(error.code, -32603);
    assert!(error.message.contains("is not JSON"), "{error:?}");
}

#[tokio::test]
#[ignore = "needs the plugins of plugins/build-all.sh: run by plugins/test.sh"]
async fn rpc_errors_pass_through_both_ways() {
    let (plugin, _, _) = kit();
    let error = rpc_error(&plugin, "fail_rpc", json!([7, "mine", {"x": [1]}])).await;
    assert_eq!(error, RpcError::new(7, "mine").with_data(json!({"x": [1]})));
    let error = rpc_error(
        &plugin,
        "fail_rpc",
        json!({"code": 8, "message": "no data"}),
    )
    .await;
    assert_eq!(error, RpcError::new(8, "no data"));

    // The host's error raised in the plugin: passed on uncaught, or caught.
    let error = rpc_error(&plugin, "call_host", json!(["host.fail"])).await;
    assert_eq!(
        error,
        RpcError::new(42, "the host says no").with_data(json!({"why": 1}))
    );
    assert_eq!(
        call(&plugin, "catch_host_error", json!(["host.fail"]))
            .await
            .unwrap(),
        json!({"code": 42, "message": "the host says no", "data": {"why": 1}})
    );
    let error = rpc_error(&plugin, "call_host", json!(["host.missing"])).await;
    assert_eq!(error.code, -32601, "{error:?}");
    // A scalar goes as [x] (PROTOCOL.md §3), a list or dict as it is.
    for (params, echoed) in [
        (json!(5), json!([5])),
        (json!([1, 2]), json!([1, 2])),
        (json!({"k": 1}), json!({"k": 1})),
    ] {
        assert_eq!(
            call(
                &plugin,
                "call_host",
                json!({"name": "host.echo", "params": params})
            )
            .await
            .unwrap(),
            echoed
        );
    }
}

#[tokio::test]
#[ignore = "needs the plugins of plugins/build-all.sh: run by plugins/test.sh"]
async fn megabyte_messages_cross_both_ways() {
    let (plugin, _, _) = kit();
    // 2 MiB in the request, through host.echo and back: stdin is read in
    // 64 KiB pieces, and a line is joined once.
    let big = "é".repeat(1 << 20);
    let params = json!({"name": "host.echo", "params": [big]});
    assert_eq!(
        call(&plugin, "call_host", params).await.unwrap(),
        json!([big])
    );
}

#[tokio::test]
#[ignore = "needs the plugins of plugins/build-all.sh: run by plugins/test.sh"]
async fn notifications_reach_the_host() {
    let (plugin, _, notes) = kit();
    let reported = within(plugin.call_with::<Value>("notify", json!([3]), CallOptions::new()))
        .await
        .unwrap();
    assert_eq!(reported.value, 3);
    assert_eq!(reported.report.notifications, 3);
    assert_eq!(reported.report.host_calls, 0);
    assert_eq!(*notes.lock().unwrap(), [json!([0]), json!([1]), json!([2])]);
}

#[tokio::test]
#[ignore = "needs the plugins of plugins/build-all.sh: run by plugins/test.sh"]
async fn logging_levels_follow_plugin_log_of_the_instance() {
    // The snapshot was made without PLUGIN_LOG: the level is the
    // instance's environment, read per request.
    let all = [
        (LogLevel::Trace, "trace line"),
        (LogLevel::Debug, "debug line"),
        (LogLevel::Info, "info line"),
        (LogLevel::Warn, "warn line"),
        (LogLevel::Error, "error line"),
        (LogLevel::Error, "second line"),
    ];
    for (setting, from) in [
        (None, 2),
        (Some("trace"), 0),
        (Some("warn"), 3),
        (Some("off"), 6),
    ] {
        let (builder, lines, _) = kit_builder();
        let builder = match setting {
            Some(level) => builder.with_env("PLUGIN_LOG", level),
            None => builder,
        };
        let plugin = builder.build(&read("python-tests/kit.wasm")).unwrap();
        assert_eq!(
            call(&plugin, "log_levels", Value::Null).await.unwrap(),
            Value::Null
        );
        let expected: Vec<_> = all[from..]
            .iter()
            .map(|&(level, message)| (level, Some("kit_test".to_owned()), message.to_owned()))
            .collect();
        assert_eq!(*lines.lock().unwrap(), expected, "PLUGIN_LOG={setting:?}");
    }

    // print() is a log line, not a protocol message.
    let (plugin, lines, _) = kit();
    assert_eq!(
        call(&plugin, "say", json!(["hello"])).await.unwrap(),
        "hello"
    );
    assert_eq!(
        *lines.lock().unwrap(),
        [(LogLevel::Info, None, "hello".to_owned())]
    );
}

#[tokio::test]
#[ignore = "needs the plugins of plugins/build-all.sh: run by plugins/test.sh"]
async fn discover_describes_the_methods_from_their_signatures() {
    let (plugin, _, _) = kit();
    let discovery = within(plugin.discover()).await.unwrap();
    assert_eq!(
        discovery.document["info"],
        json!({"title": "kit test", "version": "1.2.3"})
    );
    let names: Vec<&str> = discovery.methods.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(&names[..4], ["typed", "union", "total", "keywords"]);
    let keywords = &discovery.methods[3];
    assert_eq!(
        keywords.params_schema,
        Some(json!({"anyOf": [
            {"type": "array", "prefixItems": [{"type": "integer"}], "minItems": 1, "maxItems": 1},
            {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
             "required": ["a"], "additionalProperties": false},
        ]}))
    );
    assert_eq!(keywords.result_schema, Some(json!({"type": "array"})));
    let typed = &discovery.methods[0];
    let by_name = &typed.params_schema.as_ref().unwrap()["anyOf"][1]["properties"];
    assert_eq!(
        by_name["xs"],
        json!({"type": "array", "items": {"type": "integer"}})
    );
    assert_eq!(
        by_name["d"],
        json!({"type": "object", "additionalProperties": {"type": "integer"}})
    );
    assert_eq!(
        by_name["o"],
        json!({"anyOf": [{"type": "integer"}, {"type": "null"}]})
    );
    assert_eq!(
        discovery.document["methods"][2]["description"],
        "One list parameter: takes [1, 2, 3] as well as [[1, 2, 3]]."
    );
}

#[tokio::test]
#[ignore = "needs the plugins of plugins/build-all.sh: run by plugins/test.sh"]
async fn malformed_lines_answer_parse_error_and_invalid_request() {
    let (plugin, _, _) = kit();
    let lines = [
        "not json",
        "[1, 2]",
        r#"{"jsonrpc": "1.0", "id": 1, "method": "total"}"#,
        r#"{"jsonrpc": "2.0", "id": 1.5, "method": "total"}"#,
        r#"{"jsonrpc": "2.0", "id": 1, "method": 7}"#,
        r#"{"jsonrpc": "2.0", "id": 1, "method": "total", "params": 3}"#,
        r#"{"jsonrpc": "2.0", "id": 1}"#,
        r#"{"jsonrpc": "2.0", "id": 1, "result": 5}"#,
        r#"{"jsonrpc": "2.0", "method": "total", "params": [1]}"#,
        r#"{"jsonrpc": "2.0", "id": "s", "method": "nope"}"#,
    ];
    let answers = call(&plugin, "handle_lines", json!([lines])).await.unwrap();
    let codes: Vec<Value> = answers
        .as_array()
        .unwrap()
        .iter()
        .map(|a| json!([a["id"], a["error"]["code"]]))
        .collect();
    assert_eq!(
        codes,
        [
            json!([null, -32700]),
            json!([null, -32600]),
            json!([null, -32600]),
            json!([null, -32600]),
            json!([null, -32600]),
            json!([null, -32600]),
            json!([null, -32600]),
            json!([null, null]), // a stray response: no answer
            json!([null, null]), // a notification: no answer
            json!(["s", -32601]),
        ]
    );
    assert_eq!(answers[7], Value::Null);
    assert_eq!(answers[9]["error"]["message"], "method not found: nope");
}

#[tokio::test]
#[ignore = "needs the plugins of plugins/build-all.sh: run by plugins/test.sh"]
async fn each_instance_gets_its_own_random_numbers_and_environment() {
    let (builder, _, _) = kit_builder();
    let plugin = builder
        .with_env("GREETING", "hello")
        .build(&read("python-tests/kit.wasm"))
        .unwrap();
    let first = call(&plugin, "random_numbers", Value::Null).await.unwrap();
    let second = call(&plugin, "random_numbers", Value::Null).await.unwrap();
    assert_eq!(first.as_array().unwrap().len(), 4);
    assert_ne!(first, second, "random is re-seeded in every request");
    // The snapshot was made without GREETING.
    assert_eq!(
        call(&plugin, "environ", json!(["GREETING"])).await.unwrap(),
        "hello"
    );
    assert_eq!(
        call(&plugin, "environ", json!(["PYTHON_PLUGIN_PATH"]))
            .await
            .unwrap(),
        Value::Null
    );
}

#[tokio::test]
#[ignore = "needs the plugins of plugins/build-all.sh: run by plugins/test.sh"]
async fn the_reactor_is_pre_initialised_at_load_or_started_per_request() {
    let reactor = read("python-tests/reactor.wasm");
    // Snapshotted at load, as build.sh did ahead of time.
    let (builder, _, _) = kit_builder();
    let plugin = builder.build(&reactor).unwrap();
    assert_eq!(call(&plugin, "total", json!([1, 2])).await.unwrap(), 3);
    let first = call(&plugin, "random_numbers", Value::Null).await.unwrap();
    assert_ne!(
        first,
        call(&plugin, "random_numbers", Value::Null).await.unwrap()
    );

    // Not pre-initialised: plugin_main starts CPython in every request.
    let (builder, _, _) = kit_builder();
    let plugin = builder
        .with_preinitialization(false)
        .build(&reactor)
        .unwrap();
    assert_eq!(call(&plugin, "total", json!([[4, 5]])).await.unwrap(), 9);
}

/// Load time, ping latency and memory of the Python plugin. Run it in
/// release mode:
/// `LANGUAGE_PLUGINS_DIR=target/plugins/lang cargo test --release -p integration-tests --test integration python::measure -- --ignored --nocapture`
#[tokio::test(flavor = "multi_thread")]
#[ignore = "a measurement: run it in release mode with --ignored --nocapture"]
async fn measure() {
    const LOADS: usize = 5;
    const CALLS: usize = 200;
    let snapshot = read("python.wasm");
    let archive: Arc<[u8]> = read("python.zip").into();
    let reactor = read("python-tests/reactor.wasm");
    let builder = || {
        Plugin::builder()
            .with_name("python")
            .with_limits(untimed())
            .with_archive("/lib", archive.clone())
    };
    let median = |mut times: Vec<Duration>| {
        times.sort();
        times[times.len() / 2]
    };
    let load = |wasm: &[u8]| {
        median(
            (0..LOADS)
                .map(|_| {
                    let started = Instant::now();
                    builder().build(wasm).unwrap();
                    started.elapsed()
                })
                .collect(),
        )
    };
    // Every archive of the directory (build.sh writes python.zip; others,
    // e.g. a stored zip or a tar of the same files, can be put beside it).
    let mut archives: Vec<_> = std::fs::read_dir(plugins_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            let name = path.file_name().unwrap().to_string_lossy();
            name.starts_with("python") && (name.ends_with(".zip") || name.ends_with(".tar"))
        })
        .collect();
    archives.sort();
    for path in archives {
        let bytes = std::fs::read(&path).unwrap();
        let took = median(
            (0..LOADS)
                .map(|_| {
                    let started = Instant::now();
                    wasmi_hdk::files::FileTree::from_archive(&bytes, &Default::default()).unwrap();
                    started.elapsed()
                })
                .collect(),
        );
        println!(
            "| load {} ({} B, FileTree::from_archive) | {:.2} ms |",
            path.file_name().unwrap().to_string_lossy(),
            bytes.len(),
            ms(took)
        );
    }
    let offline = load(&snapshot);
    let at_load = load(&reactor);

    let plugin = builder().build(&snapshot).unwrap();
    let ping = |plugin: Plugin| async move {
        plugin.call_raw("ping", Value::Null).await.unwrap();
        let mut times = Vec::with_capacity(CALLS);
        for _ in 0..CALLS {
            let started = Instant::now();
            plugin.call_raw("ping", Value::Null).await.unwrap();
            times.push(started.elapsed());
        }
        median(times)
    };
    let pinged = ping(plugin.clone()).await;
    let report = plugin
        .call_with::<Value>("ping", Value::Null, CallOptions::new())
        .await
        .unwrap()
        .report;
    println!("| python.wasm | {} B |", snapshot.len());
    println!("| python.zip | {} B |", archive.len());
    println!(
        "| reactor.wasm (not pre-initialised) | {} B |",
        reactor.len()
    );
    println!(
        "| load python.wasm + python.zip (offline snapshot) | {:.1} ms |",
        ms(offline)
    );
    println!(
        "| load reactor.wasm + python.zip (snapshot at load) | {:.1} ms |",
        ms(at_load)
    );
    println!(
        "| ping, fresh instance per call (median of {CALLS}) | {:.2} ms |",
        ms(pinged)
    );
    println!(
        "| memory of an instance after ping (peak_memory) | {:.1} MiB |",
        report.peak_memory as f64 / f64::from(1 << 20)
    );
    println!("| fuel of a ping | {} |", report.fuel_consumed);
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
