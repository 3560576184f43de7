//! The example plugins in other languages (`plugins/<language>/`), driven
//! through wasmi-hdk: every language must give the same answers.
//!
//! The plugins need toolchains that `cargo test` does not install, so they are
//! built by `plugins/build-all.sh` and found through `LANGUAGE_PLUGINS_DIR`.
//! The tests are ignored by a plain `cargo test`; `plugins/test.sh` builds the
//! plugins and runs them with `--ignored`. Run that way, every language's
//! `<language>.wasm` must be there: a missing variable or plugin fails them.
//! A language whose plugin reads files (Python) has `<language>.zip` beside
//! it, preopened at `/lib` as its manifest `<language>.toml` says.

use std::{
    path::PathBuf,
    time::{Duration, Instant},
};

use futures::future::join_all;
use serde_json::{Value, json};
use wasmi_hdk::{CallOptions, Error, LogLevel, Plugin, PluginBuilder};

use crate::util::{capturing, echo_host, untimed, within};

/// Every language in `plugins/`, by the file stem of its module
/// (`typescript` is `plugins/javascript/examples/plugin.ts`, built by
/// `plugins/javascript/build.sh`).
const LANGUAGES: &[&str] = &[
    "c",
    "wat",
    "zig",
    "go",
    "assemblyscript",
    "javascript",
    "python",
    "typescript",
];

/// What a call gave, reduced to what must agree across languages.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Answer {
    Result(Value),
    /// A JSON-RPC error code.
    Error(i32),
}

/// The contract of plugins/README.md: (method, params, answer).
pub(crate) fn contract() -> Vec<(&'static str, Value, Answer)> {
    use Answer::{Error, Result};
    let nested = json!({
        "list": [1, -2, 2.5, true, false, null, "x"],
        "text": "tab\t quote\" backslash\\ newline\n é ☃ 😀",
        "deep": {"a": [{"b": [[], {}]}]},
        "empty": {}
    });
    vec![
        ("ping", Value::Null, Result(json!("pong"))),
        ("ping", json!([]), Result(json!("pong"))),
        ("echo", nested.clone(), Result(nested)),
        (
            "echo",
            json!([1, "two", [3]]),
            Result(json!([1, "two", [3]])),
        ),
        ("add", json!({"a": 2, "b": 3}), Result(json!(5))),
        ("add", json!([40, 2]), Result(json!(42))),
        ("add", json!([-7, 3]), Result(json!(-4))),
        (
            "add",
            json!({"b": 1, "a": 1_000_000_000_000i64}),
            Result(json!(1_000_000_000_001i64)),
        ),
        ("add", json!(["x", 1]), Error(-32602)),
        ("add", json!({"a": 1}), Error(-32602)),
        ("add", json!([1.5, 1]), Error(-32602)),
        ("sieve", json!([0]), Result(json!(0))),
        ("sieve", json!([2]), Result(json!(1))),
        ("sieve", json!([1000]), Result(json!(168))),
        ("sieve", json!([100_000]), Result(json!(9592))),
        ("sieve", json!({"limit": 10}), Result(json!(4))),
        ("sieve", json!([-1]), Error(-32602)),
        ("sieve", json!(["many"]), Error(-32602)),
        ("echo_host", json!([5]), Result(json!([5]))),
        (
            "echo_host",
            json!([{"nested": [1, "two"]}]),
            Result(json!([{"nested": [1, "two"]}])),
        ),
        ("echo_host", json!([1, 2]), Error(-32602)),
        ("no_such_method", Value::Null, Error(-32601)),
    ]
}

/// Where `plugins/build-all.sh` put the plugins; fails the test when
/// `LANGUAGE_PLUGINS_DIR` is unset.
pub(crate) fn plugins_dir() -> PathBuf {
    let dir = std::env::var_os("LANGUAGE_PLUGINS_DIR").unwrap_or_else(|| {
        panic!(
            "LANGUAGE_PLUGINS_DIR is not set: plugins/test.sh builds the plugins in other \
             languages and runs these tests"
        )
    });
    PathBuf::from(dir)
}

/// `builder` with the language's files: `<language>.zip` beside its module,
/// if there is one, preopened at `/lib` (what `<language>.toml` says).
pub(crate) fn with_files(builder: PluginBuilder, language: &str) -> PluginBuilder {
    let archive = plugins_dir().join(format!("{language}.zip"));
    match std::fs::read(&archive) {
        Ok(bytes) => builder.with_archive("/lib", bytes),
        Err(_) => builder,
    }
}

/// The built plugins of every language; fails the test when
/// `LANGUAGE_PLUGINS_DIR` is unset or a plugin is missing.
pub(crate) fn language_plugins() -> Vec<(&'static str, Vec<u8>)> {
    let dir = plugins_dir();
    LANGUAGES
        .iter()
        .map(|&language| {
            let path = dir.join(format!("{language}.wasm"));
            let wasm = std::fs::read(&path).unwrap_or_else(|e| {
                panic!(
                    "the {language} plugin is missing: {}: {e} (build it with plugins/build-all.sh)",
                    path.display()
                )
            });
            (language, wasm)
        })
        .collect()
}

fn plugin(language: &str, wasm: &[u8]) -> Plugin {
    // `sieve(100000)` is slow in the interpreted languages; the hang
    // timeout, not the call timeout, bounds it on a busy machine.
    with_files(Plugin::builder(), language)
        .with_name(language)
        .with_host(echo_host())
        .with_limits(untimed())
        .build(wasm)
        .unwrap_or_else(|e| panic!("the {language} plugin does not load: {e}"))
}

pub(crate) async fn answer(plugin: &Plugin, method: &str, params: Value) -> Answer {
    match plugin.call_raw(method, params).await {
        Ok(value) => Answer::Result(value),
        Err(Error::Rpc(e)) => {
            if e.code == -32601 {
                assert!(
                    e.message.contains(method),
                    "{}: the -32601 message should name the method: {:?}",
                    plugin.name(),
                    e.message
                );
            }
            Answer::Error(e.code)
        }
        Err(other) => panic!("{}: {method} failed: {other}", plugin.name()),
    }
}

#[tokio::test]
#[ignore = "needs the plugins of plugins/build-all.sh: run by plugins/test.sh"]
async fn every_language_gives_the_same_answers() {
    let plugins = language_plugins();
    let contract = contract();
    let per_language = within(join_all(plugins.iter().map(|(language, wasm)| {
        let plugin = plugin(language, wasm);
        let calls = contract.clone();
        async move {
            let mut answers = Vec::new();
            for (method, params, _) in calls {
                answers.push(answer(&plugin, method, params).await);
            }
            answers
        }
    })))
    .await;

    let mut mismatches = Vec::new();
    for ((language, _), answers) in plugins.iter().zip(&per_language) {
        for ((method, params, expected), got) in contract.iter().zip(answers) {
            if got != expected {
                mismatches.push(format!(
                    "{language}: {method} {params} gave {got:?}, expected {expected:?}"
                ));
            }
        }
    }
    assert!(mismatches.is_empty(), "\n{}", mismatches.join("\n"));
}

#[tokio::test]
#[ignore = "needs the plugins of plugins/build-all.sh: run by plugins/test.sh"]
async fn every_language_logs_its_ping_on_stderr() {
    let plugins = language_plugins();
    for (language, wasm) in &plugins {
        let builder = with_files(Plugin::builder(), language)
            .with_name(*language)
            .with_host(echo_host());
        let (builder, lines) = capturing(builder);
        let plugin = builder.build(wasm).unwrap();
        assert_eq!(
            within(plugin.call_raw("ping", Value::Null)).await.unwrap(),
            "pong"
        );
        let lines = lines.lock().unwrap().clone();
        let target = format!("{language}_plugin");
        assert_eq!(
            lines,
            [(LogLevel::Info, Some(target), "ping".to_owned())],
            "{language}: one `INFO {language}_plugin: ping` line"
        );
    }
}

/// Size, load time, ping latency (median of 200 calls, a fresh instance
/// each) and an instance's memory after a ping of every language's plugin.
/// Run it in release mode:
/// `LANGUAGE_PLUGINS_DIR=target/plugins/lang cargo test --release -p integration-tests --test integration languages::ping_latency -- --ignored --nocapture`
#[tokio::test(flavor = "multi_thread")]
#[ignore = "a measurement: run it in release mode with --ignored --nocapture"]
async fn ping_latency() {
    let plugins = language_plugins();
    const CALLS: usize = 200;
    let mut rows = vec![(
        "rust (test-plugin)",
        test_plugin_artifacts::TEST_PLUGIN.to_vec(),
    )];
    rows.extend(plugins);
    println!(
        "| plugin | .wasm size | load | ping median | ping p90 | instance alone | memory after ping | sieve(100000) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (language, wasm) in &rows {
        // Load: compile, link, read the archive if any (median of 5).
        let mut loads: Vec<Duration> = (0..5)
            .map(|_| {
                let started = Instant::now();
                plugin(language, wasm);
                started.elapsed()
            })
            .collect();
        loads.sort();
        let plugin = plugin(language, wasm);
        let _ = plugin.call_raw("ping", Value::Null).await.unwrap(); // warm up
        let mut times: Vec<Duration> = Vec::with_capacity(CALLS);
        for _ in 0..CALLS {
            let started = Instant::now();
            plugin.call_raw("ping", Value::Null).await.unwrap();
            times.push(started.elapsed());
        }
        times.sort();
        let floor = instantiation_floor(language, wasm, CALLS);
        let memory = plugin
            .call_with::<Value>("ping", Value::Null, CallOptions::new())
            .await
            .unwrap()
            .report
            .peak_memory;
        let started = Instant::now();
        assert_eq!(
            plugin.call_raw("sieve", json!([100_000])).await.unwrap(),
            9592
        );
        let sieve = started.elapsed();
        println!(
            "| {language} | {} B | {:.1} ms | {:.3} ms | {:.3} ms | {:.3} ms | {:.1} MiB | {:.1} ms |",
            wasm.len(),
            ms(loads[2]),
            ms(times[CALLS / 2]),
            ms(times[CALLS * 9 / 10]),
            ms(floor),
            memory as f64 / f64::from(1 << 20),
            ms(sieve)
        );
    }
}

/// The median time wasmi alone takes to start and drop a fresh instance of
/// the module a request runs (the plugin's snapshot if it has an
/// initialiser): `Store::new`, `Linker::instantiate_and_start` (zeroing the
/// initial memory, copying the data segments, a function entity per
/// function) and the drop, with wasmi-hdk's engine settings and every
/// import a trap. No host code and no guest code runs: it is the
/// floor under a ping of that plugin.
fn instantiation_floor(language: &str, wasm: &[u8], runs: usize) -> Duration {
    use wasmi::{Engine, ExternType, Linker, Module, Store};
    let snapshot = with_files(Plugin::builder(), language)
        .preinitialize(wasm)
        .unwrap_or_else(|e| panic!("the {language} plugin does not pre-initialise: {e}"));
    // The engine settings every `Plugin` runs with.
    let engine = Engine::new(&wasmi_hdk::__engine_config());
    let module = Module::new(&engine, &snapshot[..]).unwrap();
    let mut linker = Linker::<()>::new(&engine);
    linker.allow_shadowing(true); // Go imports fd_write twice
    for import in module.imports() {
        if let ExternType::Func(ty) = import.ty() {
            linker
                .func_new(import.module(), import.name(), ty.clone(), |_, _, _| {
                    Err(wasmi::Error::new("never called"))
                })
                .unwrap();
        }
    }
    let mut times: Vec<Duration> = (0..=runs)
        .map(|_| {
            let started = Instant::now();
            let mut store = Store::new(&engine, ());
            let instance = linker.instantiate_and_start(&mut store, &module).unwrap();
            drop(std::hint::black_box((instance, store)));
            started.elapsed()
        })
        .skip(1)
        .collect();
    times.sort();
    times[runs / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
