//! The Rust kit's pre-initialisation (`wasmi_pdk::plugin_main!(preinit …)`),
//! through `preinit-plugin`: its expensive setup runs once, at load, in the
//! initialiser, never per request; no state carries from one request to
//! the next; and the plugin works the same without pre-initialisation.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wasmi_hdk::{
    CallOptions, Plugin, PluginBuilder,
    inspect::{Initialization, ModuleInfo},
};

use crate::util::{Captured, builder, capturing, within};

const PLUGIN: &[u8] = test_plugin_artifacts::PREINIT_PLUGIN;

/// The number of primes below 2^19, the length of the plugin's table.
const PRIMES: u64 = 43_390;

fn preinit_builder() -> PluginBuilder {
    builder().with_name("preinit-plugin")
}

/// How many times the setup logged `INFO preinit_plugin: setup`.
fn setups_logged(lines: &Captured) -> usize {
    lines
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, target, message)| {
            target.as_deref() == Some("preinit_plugin") && message == "setup"
        })
        .count()
}

async fn call(plugin: &Plugin, method: &str, params: Value) -> Value {
    within(plugin.call_raw(method, params))
        .await
        .unwrap_or_else(|e| panic!("{method}: {e}"))
}

#[test]
fn the_plugin_has_a_wizer_initialiser() {
    assert_eq!(
        ModuleInfo::parse(PLUGIN).unwrap().initialization,
        Initialization::Initializer {
            exports: vec!["wizer.initialize".to_owned()]
        }
    );
}

#[tokio::test]
async fn the_setup_runs_once_at_load_and_never_per_request() {
    let (builder, lines) = capturing(preinit_builder());
    let plugin = builder.build(PLUGIN).unwrap();
    assert_eq!(setups_logged(&lines), 1, "the initialiser ran the setup");
    for _ in 0..3 {
        assert_eq!(
            call(&plugin, "setup", Value::Null).await,
            json!({"setups": 1, "in_initializer": true, "primes": PRIMES})
        );
    }
    // The table built at load serves the requests.
    assert_eq!(call(&plugin, "nth_prime", json!(0)).await, 2);
    assert_eq!(call(&plugin, "nth_prime", json!(PRIMES - 1)).await, 524_287);
    assert_eq!(call(&plugin, "nth_prime", json!(PRIMES)).await, Value::Null);
    assert_eq!(setups_logged(&lines), 1, "no request ran the setup");
}

#[tokio::test]
async fn no_state_carries_from_one_request_to_the_next() {
    let plugin = preinit_builder().build(PLUGIN).unwrap();
    for _ in 0..3 {
        assert_eq!(call(&plugin, "bump", Value::Null).await, 1);
    }
}

#[tokio::test]
async fn without_pre_initialisation_each_request_sets_up_for_itself() {
    let (builder, lines) = capturing(preinit_builder().with_preinitialization(false));
    let plugin = builder.build(PLUGIN).unwrap();
    assert_eq!(setups_logged(&lines), 0, "nothing ran at load");
    for calls in 1..=2 {
        assert_eq!(
            call(&plugin, "setup", Value::Null).await,
            json!({"setups": 1, "in_initializer": false, "primes": PRIMES})
        );
        assert_eq!(setups_logged(&lines), calls);
    }
    assert_eq!(call(&plugin, "nth_prime", json!(4)).await, 11);
    assert_eq!(call(&plugin, "bump", Value::Null).await, 1);
}

#[tokio::test]
async fn a_snapshot_made_ahead_of_time_runs_no_setup_at_all() {
    let snapshot = preinit_builder()
        .with_deterministic_preinitialization()
        .preinitialize(PLUGIN)
        .unwrap();
    assert_eq!(
        ModuleInfo::parse(&snapshot).unwrap().initialization,
        Initialization::Preinitialized {
            by: "wizer.initialize".to_owned()
        }
    );
    let (builder, lines) = capturing(preinit_builder());
    let plugin = builder.build(&snapshot).unwrap();
    assert_eq!(
        call(&plugin, "setup", Value::Null).await,
        json!({"setups": 1, "in_initializer": true, "primes": PRIMES})
    );
    assert_eq!(setups_logged(&lines), 0);
}

#[tokio::test]
async fn randomness_drawn_by_the_setup_is_shared_and_per_request_randomness_is_not() {
    let plugin = preinit_builder().build(PLUGIN).unwrap();
    let first = call(&plugin, "random", Value::Null).await;
    let second = call(&plugin, "random", Value::Null).await;
    assert!(first["setup"].is_string() && first["request"].is_string());
    assert_eq!(first["setup"], second["setup"]);
    assert_ne!(first["request"], second["request"]);
}

/// Fuel, unlike time, is deterministic: a pre-initialised request does not
/// pay for the setup, which costs far more than a `ping`.
#[tokio::test]
async fn a_pre_initialised_request_does_not_pay_for_the_setup() {
    let fuel = |plugin: Plugin| async move {
        within(plugin.call_with::<Value>("ping", (), CallOptions::new()))
            .await
            .unwrap()
            .report
            .fuel_consumed
    };
    let preinit = fuel(preinit_builder().build(PLUGIN).unwrap()).await;
    let lazy = fuel(
        preinit_builder()
            .with_preinitialization(false)
            .build(PLUGIN)
            .unwrap(),
    )
    .await;
    assert!(preinit * 10 < lazy, "{preinit} vs {lazy} fuel");
}

/// Ping latency of `preinit-plugin` with and without pre-initialisation
/// (median and p90 of 200 calls). Run it in release mode:
/// `cargo test --release -p integration-tests --test integration kits_preinit::ping_latency -- --ignored --nocapture`
#[tokio::test(flavor = "multi_thread")]
#[ignore = "a measurement: run it in release mode with --ignored --nocapture"]
async fn ping_latency() {
    const CALLS: usize = 200;
    println!("| preinit-plugin | ping median | ping p90 | load |");
    println!("|---|---:|---:|---:|");
    for preinitialized in [true, false] {
        let started = Instant::now();
        let plugin = preinit_builder()
            .with_preinitialization(preinitialized)
            .build(PLUGIN)
            .unwrap();
        let load = started.elapsed();
        call(&plugin, "ping", Value::Null).await; // warm up
        let mut times: Vec<Duration> = Vec::with_capacity(CALLS);
        for _ in 0..CALLS {
            let started = Instant::now();
            call(&plugin, "ping", Value::Null).await;
            times.push(started.elapsed());
        }
        times.sort();
        println!(
            "| {} | {:.3} ms | {:.3} ms | {:.1} ms |",
            if preinitialized {
                "pre-initialised"
            } else {
                "not pre-initialised"
            },
            ms(times[CALLS / 2]),
            ms(times[CALLS * 9 / 10]),
            ms(load)
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
