//! The JavaScript runner's plugin kit (`plugins/javascript/src/kit.js`),
//! through its test script `plugins/javascript/tests/kit.js` (built as
//! `javascript-kit.wasm`) and the example plugins in JavaScript and
//! TypeScript: registered methods, host calls in flight at once,
//! notifications, levelled logs, errors with codes, `rpc.discover`, async
//! handlers, named params, and the serve loop's answers to bad lines.
//!
//! Like `languages`, these need the plugins `plugins/test.sh` builds in
//! `LANGUAGE_PLUGINS_DIR`; they are ignored by a plain `cargo test`. The
//! two `measure_` tests are measurements (run them in release mode with
//! `--nocapture`), not checks.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use futures::future::join_all;
use serde_json::{Value, json};
use wasmi_hdk::{CommandIo, Error, HostRouter, LogLevel, Plugin, PluginBuilder, RpcError};

use crate::{
    files::SharedBuffer,
    languages_preinit::built,
    util::{Captured, capturing, untimed, within},
};

/// The kit's test script.
const KIT: &str = "javascript-kit";

/// Notifications the host received: (params, whether it was one).
type Notes = Arc<Mutex<Vec<(Value, bool)>>>;

/// `host.echo`; `host.gate`, which answers its params once three calls
/// wait in it (a barrier: calls made one after the other never pass);
/// `host.note`, which records what it is sent.
fn kit_host(notes: Notes) -> HostRouter {
    let gate = Arc::new(tokio::sync::Barrier::new(3));
    HostRouter::new()
        .with_method("host.echo", |_caller, params: Value| async move {
            Ok::<_, RpcError>(params)
        })
        .with_method("host.gate", move |_caller, params: Value| {
            let gate = gate.clone();
            async move {
                gate.wait().await;
                Ok::<_, RpcError>(params)
            }
        })
        .with_method("host.note", move |caller, params: Value| {
            let notes = notes.clone();
            async move {
                notes
                    .lock()
                    .unwrap()
                    .push((params, caller.is_notification()));
                Ok::<_, RpcError>(Value::Null)
            }
        })
}

fn builder(name: &str) -> (PluginBuilder, Notes) {
    let notes = Notes::default();
    let builder = Plugin::builder()
        .with_name(name)
        .with_host(kit_host(notes.clone()))
        .with_limits(untimed());
    (builder, notes)
}

fn kit() -> Plugin {
    builder(KIT).0.build(&built(KIT)).unwrap()
}

async fn call(plugin: &Plugin, method: &str, params: Value) -> Result<Value, RpcError> {
    match within(plugin.call_raw(method, params)).await {
        Ok(value) => Ok(value),
        Err(Error::Rpc(e)) => Err(e),
        Err(other) => panic!("{method}: not an answer: {other}"),
    }
}

async fn error(plugin: &Plugin, method: &str, params: Value) -> RpcError {
    match call(plugin, method, params.clone()).await {
        Ok(value) => panic!("{method} {params}: expected an error, got {value}"),
        Err(e) => e,
    }
}

fn lines(captured: &Captured) -> Vec<(LogLevel, Option<String>, String)> {
    std::mem::take(&mut *captured.lock().unwrap())
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the plugins of plugins/test.sh"]
async fn three_host_calls_are_in_flight_at_once() {
    let plugin = kit();
    for _ in 0..2 {
        assert_eq!(
            call(&plugin, "fan_out", Value::Null).await.unwrap(),
            json!([[1], [2], [3]])
        );
    }
    // Calls that depend on each other, one at a time.
    assert_eq!(call(&plugin, "chain", json!([5])).await.unwrap(), 5);
    // Concurrent requests, each with its own instance and host calls.
    let answers = within(join_all(
        (0..4).map(|_| plugin.call_raw("chain", json!({"n": 3}))),
    ))
    .await;
    for answer in answers {
        assert_eq!(answer.unwrap(), 3);
    }
}

#[tokio::test]
#[ignore = "needs the plugins of plugins/test.sh"]
async fn notifications_reach_the_host_before_the_answer() {
    let (builder, notes) = builder(KIT);
    let plugin = builder.build(&built(KIT)).unwrap();
    assert_eq!(
        call(&plugin, "notify", json!(["hi"])).await.unwrap(),
        "sent"
    );
    assert_eq!(
        *notes.lock().unwrap(),
        [(json!({"text": "hi"}), true), (json!(["scalar"]), true)]
    );
}

#[tokio::test]
#[ignore = "needs the plugins of plugins/test.sh"]
async fn console_writes_levelled_lines() {
    use LogLevel::{Debug, Error, Info, Trace, Warn};
    let line =
        |level, target: &str, message: &str| (level, Some(target.to_owned()), message.to_owned());
    let every = vec![
        line(Info, "kit_test", "via log"),
        line(Info, "kit_test", "via info"),
        line(Warn, "kit_test", "via warn"),
        line(Error, "kit_test", "via error"),
        line(Debug, "kit_test", "via debug"),
        line(Trace, "kit_test", "via trace"),
        line(Info, "kit_test", r#"two parts 3 {"k":[1]} null undefined"#),
        line(Warn, "kit_test", "first line"),
        line(Warn, "kit_test", "second line"),
        line(Info, "other::target", "elsewhere: with a colon"),
    ];
    // PLUGIN_LOG is read at load; with and without pre-initialisation.
    for preinitialization in [true, false] {
        for (filter, most) in [(None, Info), (Some("trace"), Trace), (Some("warn"), Warn)] {
            let (mut builder, _) = builder(KIT);
            builder = builder.with_preinitialization(preinitialization);
            if let Some(filter) = filter {
                builder = builder.with_env("PLUGIN_LOG", filter);
            }
            let (builder, captured) = capturing(builder);
            let plugin = builder.build(&built(KIT)).unwrap();
            lines(&captured);
            assert_eq!(
                call(&plugin, "log_levels", Value::Null).await.unwrap(),
                "logged"
            );
            let expected: Vec<_> = every
                .iter()
                .filter(|(level, ..)| *level <= most)
                .cloned()
                .collect();
            assert_eq!(
                lines(&captured),
                expected,
                "PLUGIN_LOG={filter:?}, pre-initialised: {preinitialization}"
            );
        }
    }
    let (builder, _) = builder(KIT);
    let (builder, captured) = capturing(builder.with_env("PLUGIN_LOG", "off"));
    let plugin = builder.build(&built(KIT)).unwrap();
    assert_eq!(
        call(&plugin, "log_levels", Value::Null).await.unwrap(),
        "logged"
    );
    assert_eq!(lines(&captured), []);
}

#[tokio::test]
#[ignore = "needs the plugins of plugins/test.sh"]
async fn errors_carry_their_codes_and_data() {
    let (builder, _) = builder(KIT);
    let (builder, captured) = capturing(builder);
    let plugin = builder.build(&built(KIT)).unwrap();

    let e = error(&plugin, "fail_with_data", Value::Null).await;
    assert_eq!(
        (e.code, e.message.as_str(), e.data),
        (
            1234,
            "custom failure",
            Some(json!({"why": "a test", "list": [1, 2]}))
        )
    );
    let e = error(&plugin, "fail_async", Value::Null).await;
    assert_eq!(
        (e.code, e.message.as_str()),
        (4321, "failed after a host call")
    );
    assert_eq!(
        lines(&captured),
        [],
        "an RpcError is an answer, not a failure to log"
    );

    // Anything else is -32603 with its message, and logged.
    let e = error(&plugin, "fail_untyped", Value::Null).await;
    assert_eq!((e.code, e.message.as_str(), e.data), (-32603, "boom", None));
    // With its stack, one log line per frame, naming the script's file.
    let logged = lines(&captured);
    assert!(logged.len() > 1, "{logged:?}");
    assert_eq!(logged[0].2, "fail_untyped failed: Error: boom");
    for (level, target, message) in &logged {
        assert_eq!(
            (*level, target.as_deref()),
            (LogLevel::Error, Some("javascript"))
        );
        assert!(
            message == &logged[0].2 || message.starts_with("    at "),
            "{logged:?}"
        );
    }
    assert!(logged[1].2.contains("(kit.js:"), "{logged:?}");
    let e = error(&plugin, "fail_untyped", json!(["type"])).await;
    assert_eq!(e.code, -32603);
    assert!(e.message.contains("no"), "{}", e.message);
    let e = error(&plugin, "fail_untyped", json!(["string"])).await;
    assert_eq!((e.code, e.message.as_str()), (-32603, "a thrown string"));
    // An RpcError needs an integer code: a TypeError otherwise.
    let e = error(&plugin, "fail_bad_code", Value::Null).await;
    assert_eq!(e.code, -32603);
    assert!(e.message.contains("integer"), "{}", e.message);

    // A host error passes through, and is an RpcError when caught.
    let e = error(&plugin, "host_error", Value::Null).await;
    assert_eq!(e.code, -32601);
    assert!(e.message.contains("host.nope"), "{}", e.message);
    let caught = call(&plugin, "host_error", json!(["catch"])).await.unwrap();
    assert_eq!(
        (&caught["code"], &caught["isRpcError"]),
        (&json!(-32601), &json!(true))
    );

    let e = error(&plugin, "no_such_method", json!([1])).await;
    assert_eq!(
        (e.code, e.message.as_str()),
        (-32601, "method not found: no_such_method")
    );
    let e = error(&plugin, "unencodable", Value::Null).await;
    assert_eq!(e.code, -32603);
    assert!(
        e.message.starts_with("cannot encode the result as JSON"),
        "{}",
        e.message
    );
}

#[tokio::test]
#[ignore = "needs the plugins of plugins/test.sh"]
async fn async_handlers_are_awaited() {
    let plugin = kit();
    assert_eq!(
        call(&plugin, "async_value", json!([21])).await.unwrap(),
        json!({"doubled": 42, "later": 43})
    );
    // A promise nothing can settle: an error, not a hang.
    let e = error(&plugin, "stuck", Value::Null).await;
    assert_eq!(e.code, -32603);
    assert!(
        e.message
            .contains("waiting on something other than a host call"),
        "{}",
        e.message
    );
    assert_eq!(
        call(&plugin, "nothing", Value::Null).await.unwrap(),
        Value::Null
    );
}

#[tokio::test]
#[ignore = "needs the plugins of plugins/test.sh"]
async fn params_are_given_as_sent_or_by_name() {
    let plugin = kit();
    // Without a spec: as given.
    assert_eq!(
        call(&plugin, "raw", json!([1, "x"])).await.unwrap(),
        json!({"params": [1, "x"], "isArray": true, "absent": false})
    );
    assert_eq!(
        call(&plugin, "raw", json!({"k": 1})).await.unwrap(),
        json!({"params": {"k": 1}, "isArray": false, "absent": false})
    );
    assert_eq!(
        call(&plugin, "raw", Value::Null).await.unwrap(),
        json!({"params": null, "isArray": false, "absent": true})
    );

    // With named params: positions become names, objects stay.
    let answer = call(&plugin, "named", json!([3, null, "z"])).await.unwrap();
    assert_eq!(answer["params"], json!({"n": 3, "label": null, "any": "z"}));
    assert_eq!(answer["call"]["method"], "named");
    assert!(
        answer["call"]["id"].is_number() || answer["call"]["id"].is_string(),
        "{answer}"
    );
    let answer = call(&plugin, "named", json!({"n": 1, "any": [true]}))
        .await
        .unwrap();
    assert_eq!(answer["params"], json!({"n": 1, "any": [true]}));

    for (params, says) in [
        (json!([]), "missing param n"),
        (Value::Null, "missing param n"),
        (json!([3]), "missing param any"),
        (json!([1.5, null, 0]), "param n must be integer"),
        (json!({"n": "3", "any": 0}), "param n must be integer"),
        (json!([1, 2, 0]), "param label must be string or null"),
        (json!([1, "x", 0, "extra"]), "named takes at most 3 params"),
    ] {
        let e = error(&plugin, "named", params.clone()).await;
        assert_eq!(e.code, -32602, "{params}");
        assert!(e.message.contains(says), "{params}: {}", e.message);
    }
}

#[tokio::test]
#[ignore = "needs the plugins of plugins/test.sh"]
async fn rpc_discover_lists_the_registered_methods() {
    let discovered = call(&kit(), "rpc.discover", Value::Null).await.unwrap();
    assert_eq!(discovered["openrpc"], "1.2.6");
    let methods = discovered["methods"].as_array().unwrap();
    let names: Vec<&str> = methods
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "async_value",
            "chain",
            "fail_async",
            "fail_bad_code",
            "fail_untyped",
            "fail_with_data",
            "fan_out",
            "host_error",
            "log_levels",
            "named",
            "nothing",
            "notify",
            "raw",
            "stuck",
            "unencodable",
        ]
    );
    let named = methods.iter().find(|m| m["name"] == "named").unwrap();
    assert_eq!(
        *named,
        json!({
            "name": "named",
            "description": "echoes its named params",
            "params": [
                {"name": "n", "description": "a count", "required": true, "schema": {"type": "integer"}},
                {"name": "label", "required": false, "schema": {"type": ["string", "null"]}},
                {"name": "any", "required": true, "schema": {}}
            ],
            "paramStructure": "either",
            "result": {"name": "echoed", "schema": {"type": "object"}}
        })
    );
    let raw = methods.iter().find(|m| m["name"] == "raw").unwrap();
    assert_eq!(*raw, json!({"name": "raw", "params": []}));

    // The examples, in JavaScript and TypeScript.
    for language in ["javascript", "typescript"] {
        let plugin = builder(language).0.build(&built(language)).unwrap();
        let discovered = call(&plugin, "rpc.discover", Value::Null).await.unwrap();
        let names: Vec<&str> = discovered["methods"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            ["add", "echo", "echo_host", "ping", "sieve"],
            "{language}"
        );
    }
}

/// The serve loop over a stream of lines, as a command (`run_command`):
/// what the host never sends through `call` (bad lines, notifications,
/// several requests, an answer for a busy plugin, EOF during a host call).
#[tokio::test]
#[ignore = "needs the plugins of plugins/test.sh"]
async fn the_serve_loop_answers_a_stream_of_lines() {
    let input = [
        "not json",
        "",
        "   ",
        r#"{"id":1}"#,
        "[1,2]",
        r#"{"jsonrpc":"2.0","method":"nothing"}"#,
        r#"{"jsonrpc":"2.0","id":"s","method":"raw","params":5}"#,
        r#"{"jsonrpc":"2.0","id":7,"result":1}"#,
        r#"{"jsonrpc":"2.0","id":"a","method":"raw","params":[1]}"#,
        r#"{"jsonrpc":"2.0","id":2,"method":"chain","params":[1]}"#,
        r#"{"jsonrpc":"2.0","id":3,"method":"raw"}"#,
        r#"{"jsonrpc":"2.0","id":99,"result":"stray"}"#,
        r#"{"jsonrpc":"2.0","id":1,"result":[1]}"#,
        r#"{"jsonrpc":"2.0","id":4,"method":"fan_out"}"#,
    ]
    .join("\n")
        + "\n";
    let expected = [
        json!({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error: the line is not JSON"}}),
        json!({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request: missing \"jsonrpc\": \"2.0\""}}),
        json!({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request: batches are not used inside a plugin"}}),
        json!({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request: params must be an array or an object"}}),
        json!({"jsonrpc":"2.0","id":"a","result":{"params":[1],"isArray":true,"absent":false}}),
        json!({"jsonrpc":"2.0","id":1,"method":"host.echo","params":[1]}),
        json!({"jsonrpc":"2.0","id":3,"error":{"code":-32600,"message":"the plugin is busy with another request"}}),
        json!({"jsonrpc":"2.0","id":2,"result":1}),
        json!({"jsonrpc":"2.0","id":2,"method":"host.gate","params":[1]}),
        json!({"jsonrpc":"2.0","id":3,"method":"host.gate","params":[2]}),
        json!({"jsonrpc":"2.0","id":4,"method":"host.gate","params":[3]}),
        json!({"jsonrpc":"2.0","id":4,"error":{"code":-32603,"message":"the host closed stdin before answering host.gate"}}),
    ];
    for preinitialization in [true, false] {
        let plugin = builder(KIT)
            .0
            .with_preinitialization(preinitialization)
            .build(&built(KIT))
            .unwrap();
        let mut stdout = SharedBuffer::default();
        let stdin = futures::io::Cursor::new(input.clone().into_bytes());
        let io = CommandIo::new(stdin, stdout.clone(), std::io::sink());
        let code = within(plugin.run_command(io)).await.unwrap();
        let out = String::from_utf8(stdout.take()).unwrap();
        let got: Vec<Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(
            (code, got),
            (0, expected.to_vec()),
            "pre-initialised: {preinitialization}\n{out}"
        );
    }
}

/// Resident memory per in-flight call of the pre-initialised JavaScript
/// example, and for comparison the Rust test plugin: 256 calls, each
/// parked in a host call that the host answers only once all 256 are
/// waiting; RSS (from `/proc/self/statm`) before and during, growth / 256.
/// A measurement, not a check:
/// `LANGUAGE_PLUGINS_DIR=$PWD/target/plugins/lang cargo test --release -p integration-tests --test integration javascript_kit::measure_ -- --ignored --nocapture --test-threads 1`
#[tokio::test(flavor = "multi_thread")]
#[ignore = "a measurement: run it in release mode with --ignored --nocapture"]
async fn measure_memory_per_call_in_flight() {
    const N: usize = 256;
    let rows: [(&str, Vec<u8>, &str, Value); 3] = [
        ("javascript", built("javascript"), "echo_host", json!([1])),
        ("typescript", built("typescript"), "echo_host", json!([1])),
        (
            "rust (test-plugin)",
            test_plugin_artifacts::TEST_PLUGIN.to_vec(),
            "call_host",
            json!({"method": "host.echo", "params": [1]}),
        ),
    ];
    // The first round warms the process up (its allocator's arenas, the
    // runtime's threads and timers); the second is measured.
    for round in ["warm-up", "measured"] {
        for (name, wasm, method, params) in &rows {
            let (name, method) = (*name, *method);
            let arrived = Arc::new(AtomicUsize::new(0));
            let release = Arc::new(tokio::sync::Notify::new());
            let (a, r) = (arrived.clone(), release.clone());
            let host = HostRouter::new().with_method("host.echo", move |_caller, params: Value| {
                let (arrived, release) = (a.clone(), r.clone());
                async move {
                    let released = release.notified();
                    arrived.fetch_add(1, Ordering::SeqCst);
                    released.await;
                    Ok::<_, RpcError>(params)
                }
            });
            let plugin = Plugin::builder()
                .with_name(name)
                .with_host(host)
                .with_limits(untimed())
                .build(wasm)
                .unwrap();
            // Warm up (lazy compilation, allocator pools) outside the measurement.
            for _ in 0..3 {
                within(plugin.call_raw("ping", Value::Null)).await.unwrap();
            }
            // Hand the previous row's freed memory back to the system first:
            // the allocator keeps it otherwise, and this row would reuse it
            // without growing the RSS.
            trim_heap();
            let before = rss_bytes();
            let calls: Vec<_> = (0..N)
                .map(|_| {
                    let (plugin, params) = (plugin.clone(), params.clone());
                    tokio::spawn(async move { plugin.call_raw(method, params).await })
                })
                .collect();
            within(async {
                while arrived.load(Ordering::SeqCst) < N {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            })
            .await;
            let during = rss_bytes();
            release.notify_waiters();
            for call in calls {
                assert_eq!(within(call).await.unwrap().unwrap(), json!([1]));
            }
            println!(
                "{round}: {name}: {} KiB per in-flight call ({N} in flight; RSS {} -> {} MiB)",
                during.saturating_sub(before) / N as u64 / 1024,
                before >> 20,
                during >> 20
            );
        }
    }
}

/// How long loading the JavaScript example takes with pre-initialisation
/// (the initialiser runs and is snapshotted), without it, and from a
/// snapshot made ahead of time; and the first ping after each (median of 9).
#[tokio::test(flavor = "multi_thread")]
#[ignore = "a measurement: run it in release mode with --ignored --nocapture"]
async fn measure_load_time() {
    const LOADS: usize = 9;
    for language in ["javascript", "typescript"] {
        let wasm = built(language);
        let snapshot = builder(language)
            .0
            .with_deterministic_preinitialization()
            .preinitialize(&wasm)
            .unwrap();
        println!(
            "{language}: {} bytes, snapshot {} bytes",
            wasm.len(),
            snapshot.len()
        );
        for (what, bytes, preinitialization) in [
            ("pre-initialised at load", &wasm, true),
            ("not pre-initialised", &wasm, false),
            ("from its snapshot", &snapshot, true),
        ] {
            let mut loads = Vec::new();
            let mut pings = Vec::new();
            for _ in 0..LOADS {
                let started = Instant::now();
                let plugin = builder(language)
                    .0
                    .with_preinitialization(preinitialization)
                    .build(bytes)
                    .unwrap();
                loads.push(started.elapsed());
                let started = Instant::now();
                within(plugin.call_raw("ping", Value::Null)).await.unwrap();
                pings.push(started.elapsed());
            }
            loads.sort();
            pings.sort();
            println!(
                "{language}, {what}: load {:.2} ms, first ping {:.2} ms (medians of {LOADS})",
                ms(loads[LOADS / 2]),
                ms(pings[LOADS / 2]),
            );
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Returns the allocator's free memory to the system (glibc's
/// `malloc_trim`), so that RSS growth measures what is allocated.
fn trim_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // Safety: `malloc_trim` only releases free memory of the allocator.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Resident set size of this process, from `/proc/self/statm`.
fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    // Safety: `sysconf` only reads a configuration value.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    pages * u64::try_from(page).unwrap_or(4096)
}
