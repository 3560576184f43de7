//! Criterion benchmarks of one plugin call, each against its in-process
//! baseline (see BENCHMARKS.md): ping, host round trips, compute (plugin vs
//! native vs raw wasmi) and plugin construction.
//!
//! `cargo bench -p wasmi-hdk --bench calls`

#![expect(
    unused_crate_dependencies,
    reason = "a bench links all of the crate's dependencies"
)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use futures::executor::block_on;
use serde_json::{Value, json};
use test_plugin_artifacts::TEST_PLUGIN;
use wasmi::{Engine, Linker, Module, Store};
use wasmi_hdk::{HostRouter, Plugin, RpcError};

fn plugin() -> Plugin {
    let host = HostRouter::new().with_method("host.echo", |_caller, params: Value| async move {
        Ok::<_, RpcError>(params)
    });
    Plugin::builder()
        .with_name("bench")
        .with_host(host)
        .build(TEST_PLUGIN)
        .expect("the test plugin loads")
}

/// One call end to end: fresh instance, request, response, teardown.
fn ping(c: &mut Criterion) {
    let plugin = plugin();
    c.bench_function("ping", |b| {
        b.iter(|| block_on(plugin.call_raw("ping", Value::Null)).unwrap())
    });
}

/// `many_echo(n)`: n host round trips in one call; per round trip = (t(1000) - t(100)) / 900.
fn host_round_trips(c: &mut Criterion) {
    let plugin = plugin();
    let mut group = c.benchmark_group("many_echo");
    for n in [100u64, 1000] {
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            b.iter(|| block_on(plugin.call_raw("many_echo", json!([n]))).unwrap())
        });
    }
    group.finish();
}

/// `sieve(1_000_000)`: through the plugin, natively, and through raw wasmi.
fn sieve(c: &mut Criterion) {
    const LIMIT: u64 = 1_000_000;
    let plugin = plugin();
    let raw = RawSieve::new();
    assert_eq!(raw.run(LIMIT), 78_498);
    let mut group = c.benchmark_group("sieve_1M");
    group.sample_size(20);
    group.bench_function("plugin", |b| {
        b.iter(|| block_on(plugin.call_raw("sieve", json!([LIMIT]))).unwrap())
    });
    group.bench_function("raw_wasmi", |b| b.iter(|| raw.run(black_box(LIMIT))));
    group.bench_function("native", |b| {
        b.iter(|| test_plugin::count_primes(black_box(LIMIT)))
    });
    group.finish();
}

/// The test plugin's own exported `count_primes`, called straight through
/// wasmi: a fresh instance, no fuel metering, no JSON, no WASI.
struct RawSieve {
    engine: Engine,
    module: Module,
    linker: Linker<()>,
}

impl RawSieve {
    fn new() -> Self {
        let engine = Engine::default();
        let module = Module::new(&engine, TEST_PLUGIN).unwrap();
        let mut linker = Linker::new(&engine);
        // The sieve uses no WASI: every import is a trap that never fires.
        for import in module.imports() {
            let wasmi::ExternType::Func(ty) = import.ty() else {
                continue;
            };
            linker
                .func_new(import.module(), import.name(), ty.clone(), |_, _, _| {
                    Err(wasmi::Error::new("not available in the raw benchmark"))
                })
                .unwrap();
        }
        Self {
            engine,
            module,
            linker,
        }
    }

    fn run(&self, limit: u64) -> u64 {
        let mut store = Store::new(&self.engine, ());
        let instance = self
            .linker
            .instantiate_and_start(&mut store, &self.module)
            .unwrap();
        let sieve = instance
            .get_typed_func::<i64, i64>(&store, "count_primes")
            .unwrap();
        sieve.call(&mut store, limit as i64).unwrap() as u64
    }
}

/// Compiling and linking the test plugin once (what `Plugin::build` does).
fn construction(c: &mut Criterion) {
    c.bench_function("plugin_build", |b| {
        b.iter(|| Plugin::new(black_box(TEST_PLUGIN)).unwrap())
    });
}

criterion_group!(benches, ping, host_round_trips, sieve, construction);
criterion_main!(benches);
