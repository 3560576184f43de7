//! The language plugins that pre-initialise (`plugins/go`, a WASI reactor
//! whose `_initialize` starts the Go runtime, and `plugins/javascript`,
//! whose `wizer.initialize` evaluates the script): they work from their
//! snapshot request after request, the same without pre-initialisation,
//! and draw their randomness per request.
//!
//! Like `languages`, these need the plugins of `plugins/build-all.sh`
//! (and the JavaScript test variants `plugins/test.sh` builds) in
//! `LANGUAGE_PLUGINS_DIR`; they are ignored by a plain `cargo test`.

use std::path::PathBuf;

use futures::future::join_all;
use serde_json::{Value, json};
use wasmi_hdk::{
    CallOptions, LogLevel, Plugin, PluginBuilder,
    inspect::{EntryPoint, Initialization, ModuleInfo},
};

use crate::{
    languages::{answer, contract, language_plugins},
    util::{capturing, echo_host, untimed, within},
};

/// `<name>.wasm` from `LANGUAGE_PLUGINS_DIR`; fails the test when missing.
fn built(name: &str) -> Vec<u8> {
    let dir = std::env::var_os("LANGUAGE_PLUGINS_DIR")
        .unwrap_or_else(|| panic!("LANGUAGE_PLUGINS_DIR is not set: plugins/test.sh runs these"));
    let path = PathBuf::from(dir).join(format!("{name}.wasm"));
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (plugins/test.sh builds it)", path.display()))
}

fn builder(name: &str) -> PluginBuilder {
    Plugin::builder()
        .with_name(name)
        .with_host(echo_host())
        .with_limits(untimed())
}

async fn call(plugin: &Plugin, method: &str, params: Value) -> Value {
    within(plugin.call_raw(method, params))
        .await
        .unwrap_or_else(|e| panic!("{}: {method}: {e}", plugin.name()))
}

#[test]
#[ignore = "needs the plugins of plugins/test.sh"]
fn go_is_a_reactor_and_javascript_has_a_wizer_initialiser() {
    let go = ModuleInfo::parse(&built("go")).unwrap();
    assert_eq!(go.entry_point, Some(EntryPoint::Reactor));
    assert_eq!(
        go.initialization,
        Initialization::Initializer {
            exports: vec!["_initialize".to_owned()]
        }
    );
    let js = ModuleInfo::parse(&built("javascript")).unwrap();
    assert_eq!(js.entry_point, Some(EntryPoint::Command));
    assert_eq!(
        js.initialization,
        Initialization::Initializer {
            exports: vec!["wizer.initialize".to_owned()]
        }
    );
}

#[tokio::test]
#[ignore = "needs the plugins of plugins/test.sh"]
async fn every_language_gives_the_same_answers_without_pre_initialisation() {
    let contract = contract();
    let mut mismatches = Vec::new();
    for (language, wasm) in language_plugins() {
        let plugin = builder(language)
            .with_preinitialization(false)
            .build(&wasm)
            .unwrap();
        for (method, params, expected) in &contract {
            let got = within(answer(&plugin, method, params.clone())).await;
            if &got != expected {
                mismatches.push(format!("{language}: {method} {params} gave {got:?}"));
            }
        }
    }
    assert!(mismatches.is_empty(), "\n{}", mismatches.join("\n"));
}

/// The Go runtime resumes from its snapshot in every request: sequential
/// requests of every kind, ones that grow the memory by 10 MB, host calls,
/// and concurrent instances.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the plugins of plugins/test.sh"]
async fn go_serves_request_after_request_from_its_snapshot() {
    let plugin = builder("go").build(&built("go")).unwrap();
    let ping_memory = || async {
        within(plugin.call_with::<Value>("ping", (), CallOptions::new()))
            .await
            .unwrap()
            .report
            .peak_memory
    };
    let fresh = ping_memory().await;
    for round in 0..3i64 {
        assert_eq!(call(&plugin, "ping", Value::Null).await, "pong");
        assert_eq!(call(&plugin, "sieve", json!([10_000_000])).await, 664_579);
        // A fresh instance again: the 10 MB are gone.
        assert_eq!(ping_memory().await, fresh, "round {round}");
        assert_eq!(
            call(&plugin, "echo_host", json!([{"round": round}])).await,
            json!([{"round": round}])
        );
        assert_eq!(call(&plugin, "add", json!([round, 1])).await, round + 1);
        assert_eq!(call(&plugin, "sieve", json!([100_000])).await, 9592);
    }
    let calls = (0..6i64).map(|i| {
        let plugin = plugin.clone();
        async move {
            if i % 2 == 0 {
                plugin.call_raw("sieve", json!([1_000_000])).await
            } else {
                plugin.call_raw("echo_host", json!([i])).await
            }
        }
    });
    let answers = within(join_all(calls)).await;
    for (i, answer) in answers.into_iter().enumerate() {
        let expected = if i % 2 == 0 {
            json!(78_498)
        } else {
            json!([i])
        };
        assert_eq!(answer.unwrap(), expected, "concurrent call {i}");
    }
}

/// `wasmi-host snapshot`'s way, with fixed clocks and randomness: the
/// snapshot runs in a host that did not make it.
#[tokio::test]
#[ignore = "needs the plugins of plugins/test.sh"]
async fn go_and_javascript_run_from_deterministic_snapshots() {
    for language in ["go", "javascript"] {
        let snapshot = builder(language)
            .with_deterministic_preinitialization()
            .preinitialize(&built(language))
            .unwrap();
        assert!(matches!(
            ModuleInfo::parse(&snapshot).unwrap().initialization,
            Initialization::Preinitialized { .. }
        ));
        let plugin = builder(language).build(&snapshot).unwrap();
        for _ in 0..2 {
            assert_eq!(call(&plugin, "ping", Value::Null).await, "pong");
            assert_eq!(call(&plugin, "sieve", json!([1000])).await, 168);
            assert_eq!(call(&plugin, "echo_host", json!([5])).await, json!([5]));
        }
    }
}

/// QuickJS seeds `Math.random` once, when the context is created (in the
/// snapshot); the runner reseeds it per request from the host.
#[tokio::test]
#[ignore = "needs the plugins of plugins/test.sh"]
async fn javascript_draws_math_random_per_request() {
    let plugin = builder("javascript-random")
        .build(&built("javascript-random"))
        .unwrap();
    let first = call(&plugin, "random", Value::Null).await;
    let second = call(&plugin, "random", Value::Null).await;
    let numbers = |v: &Value| -> Vec<f64> {
        let now = v["now"].as_array().unwrap();
        now.iter().map(|n| n.as_f64().unwrap()).collect()
    };
    // What the top level drew is part of the snapshot...
    assert_eq!(first["atLoad"], second["atLoad"]);
    // ... what a request draws is its own.
    assert_ne!(numbers(&first), numbers(&second));
    for n in numbers(&first).into_iter().chain(numbers(&second)) {
        assert!((0.0..1.0).contains(&n), "{n}");
    }
}

/// A script without `main()` reads stdin at its top level: the runner
/// cannot pre-initialise it, says so once at load, and runs it in full for
/// every request.
#[tokio::test]
#[ignore = "needs the plugins of plugins/test.sh"]
async fn a_javascript_script_without_main_still_works() {
    let wasm = built("javascript-legacy");
    for preinitialization in [true, false] {
        let (builder, lines) =
            capturing(builder("javascript-legacy").with_preinitialization(preinitialization));
        let plugin = builder.build(&wasm).unwrap();
        let warnings: Vec<_> = lines
            .lock()
            .unwrap()
            .iter()
            .filter(|(level, _, _)| *level == LogLevel::Warn)
            .map(|(_, _, message)| message.clone())
            .collect();
        if preinitialization {
            assert_eq!(warnings.len(), 1, "{warnings:?}");
            assert!(warnings[0].contains("main()"), "{warnings:?}");
        } else {
            assert!(warnings.is_empty(), "{warnings:?}");
        }
        let first = call(&plugin, "hello", Value::Null).await;
        let second = call(&plugin, "hello", Value::Null).await;
        assert_eq!(first["method"], "hello");
        assert_ne!(first["random"], second["random"]);
    }
}
