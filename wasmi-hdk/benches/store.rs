//! Criterion benchmarks of the plugin key-value store: get, set,
//! compare-and-swap, increment and a 10-write batch on each backend, 16
//! concurrent sets (group commit on redb), and `store.increment` from a
//! plugin end to end.
//!
//! `cargo bench -p wasmi-hdk --bench store`
//!
//! redb commits with `Durability::Immediate`: each write waits for fsync,
//! so its figures are the disk's as much as redb's.

#![expect(
    unused_crate_dependencies,
    reason = "a bench links all of the crate's dependencies"
)]

use std::sync::Arc;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use futures::{executor::block_on, future::join_all};
use serde_json::json;
use wasmi_hdk::{
    Plugin,
    store::{KvStore, MemoryStore, Namespace, Op, RedbStore, StoreHost},
};

fn backends() -> Vec<(&'static str, Arc<dyn KvStore>, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let redb = RedbStore::open(dir.path().join("bench.redb")).expect("the store opens");
    vec![
        ("memory", Arc::new(MemoryStore::new()), None),
        ("redb", Arc::new(redb), Some(dir)),
    ]
}

fn operations(c: &mut Criterion) {
    let ns = Namespace::plugin("bench").unwrap();
    let value = json!({"name": "ann", "score": 42, "tags": ["a", "b", "c"]});
    for (name, store, _dir) in backends() {
        block_on(store.set(&ns, "present", value.clone())).unwrap();
        let mut group = c.benchmark_group("store");
        group.bench_function(BenchmarkId::new("get", name), |b| {
            b.iter(|| block_on(store.get(&ns, "present")).unwrap())
        });
        group.bench_function(BenchmarkId::new("set", name), |b| {
            b.iter(|| block_on(store.set(&ns, "k", value.clone())).unwrap())
        });
        let mut n = 0_i64;
        block_on(store.set(&ns, "cas", json!(n))).unwrap();
        group.bench_function(BenchmarkId::new("cas", name), |b| {
            b.iter(|| {
                let swap = block_on(store.compare_and_swap(
                    &ns,
                    "cas",
                    Some(json!(n)),
                    Some(json!(n + 1)),
                ));
                assert!(swap.unwrap().swapped);
                n += 1;
            })
        });
        group.bench_function(BenchmarkId::new("increment", name), |b| {
            b.iter(|| block_on(store.increment(&ns, "counter", 1)).unwrap())
        });
        let batch: Vec<Op> = (0..10)
            .map(|i| Op::Set {
                key: format!("batch/{i}"),
                value: value.clone(),
            })
            .collect();
        group.bench_function(BenchmarkId::new("batch_10_sets", name), |b| {
            b.iter(|| block_on(store.apply(&ns, batch.clone())).unwrap())
        });
        group.bench_function(BenchmarkId::new("16_concurrent_sets", name), |b| {
            b.iter(|| {
                let sets = (0..16).map(|i| store.set(&ns, &format!("c/{i}"), value.clone()));
                for result in block_on(join_all(sets)) {
                    result.unwrap();
                }
            })
        });
        group.finish();
    }
}

/// A plugin call that increments a counter through `store.increment`.
fn from_a_plugin(c: &mut Criterion) {
    for (name, store, _dir) in backends() {
        let plugin = Plugin::builder()
            .with_name("bench")
            .with_host(StoreHost::from_shared(store))
            .build(test_plugin_artifacts::TEST_PLUGIN)
            .expect("the test plugin loads");
        let call = json!({"method": "store.increment", "params": ["visits"]});
        c.bench_function(&format!("plugin_store_increment/{name}"), |b| {
            b.iter(|| block_on(plugin.call_raw("call_host", call.clone())).unwrap())
        });
    }
}

criterion_group!(benches, operations, from_a_plugin);
criterion_main!(benches);
