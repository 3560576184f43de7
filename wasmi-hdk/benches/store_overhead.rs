//! The plugin store's overhead, measured next to the same operations done
//! directly on redb from Rust, in one run: get and set latency, from inside
//! a plugin (host round trip included) and per plugin call (a fresh
//! instance each); compare-and-swap throughput with 1 and 64 writers; the
//! file size after 100 000 keys. Prints a markdown table (BENCHMARKS.md,
//! "Storage").
//!
//! `cargo bench -p wasmi-hdk --bench store_overhead`
//!
//! Every commit waits for `fsync` (redb's `Durability::Immediate`, which
//! `RedbStore` uses), so the write figures are the disk's as much as the
//! code's. Set `STORE_BENCH_DIR` to put the files on another file system
//! (default: the system's temporary directory).

#![expect(
    unused_crate_dependencies,
    reason = "a bench links all of the crate's dependencies"
)]

use std::{
    path::{Path, PathBuf},
    sync::Arc,
    time::{Duration, Instant},
};

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use serde_json::{Value, json};
use wasmi_hdk::{
    Plugin,
    store::{KvStore, Namespace, Op, Quota, Quotas, RedbStore},
};

/// The raw table, laid out as `RedbStore`'s: `(namespace, key)` → JSON text.
const RAW: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("entries");

const NS: &str = "plugin:bench";
/// Writers of the concurrent compare-and-swap run.
const WRITERS: usize = 64;
/// Keys of the file-size run.
const KEYS: usize = 100_000;
/// Keys per transaction (or batch) of the file-size run: `MAX_BATCH_OPS`.
const PER_BATCH: usize = 128;

fn value() -> Value {
    json!({"name": "ann", "score": 42, "tags": ["a", "b", "c"]})
}

/// Quotas with room for the file-size run's keys (the default allows
/// 10 000 keys and 8 MiB per namespace).
fn room_for_all() -> Quotas {
    Quotas::new(
        Quota::default()
            .with_max_keys(2 * KEYS as u64)
            .with_max_bytes(1 << 30),
    )
}

fn bench_dir() -> tempfile::TempDir {
    match std::env::var_os("STORE_BENCH_DIR") {
        Some(dir) => tempfile::tempdir_in(dir),
        None => tempfile::tempdir(),
    }
    .expect("a temporary directory")
}

/// The median of `runs` timings of `op` done `each` times, per operation.
fn median_per_op(runs: usize, each: usize, mut op: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..each {
                op();
            }
            start.elapsed() / each as u32
        })
        .collect();
    times.sort_unstable();
    times[times.len() / 2]
}

fn micros(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

fn per_second(ops: usize, elapsed: Duration) -> String {
    format!("{:.0}/s", ops as f64 / elapsed.as_secs_f64())
}

fn ratio(a: Duration, b: Duration) -> String {
    format!("{:.1}×", a.as_secs_f64() / b.as_secs_f64())
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).expect("the file exists").len()
}

struct Raw {
    db: Arc<Database>,
}

impl Raw {
    fn open(path: &Path) -> Self {
        let db = Database::create(path).expect("redb opens");
        let tx = db.begin_write().unwrap();
        tx.open_table(RAW).unwrap();
        tx.commit().unwrap();
        Self { db: Arc::new(db) }
    }

    fn get(&self, key: &str) -> Option<Vec<u8>> {
        let tx = self.db.begin_read().unwrap();
        let table = tx.open_table(RAW).unwrap();
        table.get((NS, key)).unwrap().map(|v| v.value().to_vec())
    }

    fn set(&self, key: &str, bytes: &[u8]) {
        let tx = self.db.begin_write().unwrap();
        tx.open_table(RAW)
            .unwrap()
            .insert((NS, key), bytes)
            .unwrap();
        tx.commit().unwrap();
    }

    /// Adds 1 to the integer under `key` in one write transaction: a
    /// compare-and-swap that never misses (writers are serialised).
    fn cas_increment(&self, key: &str) {
        let tx = self.db.begin_write().unwrap();
        {
            let mut table = tx.open_table(RAW).unwrap();
            let current: i64 = table
                .get((NS, key))
                .unwrap()
                .map_or(0, |v| serde_json::from_slice(v.value()).unwrap());
            let next = serde_json::to_vec(&(current + 1)).unwrap();
            table.insert((NS, key), next.as_slice()).unwrap();
        }
        tx.commit().unwrap();
    }
}

fn store_plugin(store: RedbStore) -> Plugin {
    Plugin::builder()
        .with_name("bench")
        .with_store(store)
        .build(test_plugin_artifacts::STORE_PLUGIN)
        .expect("the store plugin loads")
}

/// One row of the table: what, directly on redb, through `RedbStore`, from
/// a plugin, and the plugin's ratio to redb.
struct Row {
    what: &'static str,
    raw: String,
    store: String,
    plugin: String,
    ratio: String,
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is ignored.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let ns = Namespace::new(NS).unwrap();
    let mut rows = Vec::new();

    // ---- latency: get and set ----
    let dir = bench_dir();
    let raw = Raw::open(&dir.path().join("raw.redb"));
    let store = RedbStore::open(dir.path().join("store.redb")).unwrap();
    let plugin = store_plugin(store.clone());
    let bytes = serde_json::to_vec(&value()).unwrap();
    raw.set("present", &bytes);
    runtime
        .block_on(store.set(&ns, "present", value()))
        .unwrap();
    const INSIDE: usize = 200;
    let call = |method: &str, params: Value| {
        runtime
            .block_on(plugin.call_raw(method, params))
            .expect("the plugin call works")
    };

    let raw_get = median_per_op(11, 2000, || assert!(raw.get("present").is_some()));
    let store_get = median_per_op(11, 2000, || {
        assert!(
            runtime
                .block_on(store.get(&ns, "present"))
                .unwrap()
                .is_some()
        )
    });
    let get_inside = median_per_op(11, 1, || {
        let found = call("get_repeat", json!({"key": "present", "times": INSIDE}));
        assert_eq!(found, INSIDE);
    }) / INSIDE as u32;
    let get_call = median_per_op(11, 50, || {
        assert!(!call("get", json!({"key": "present"})).is_null())
    });
    rows.push(Row {
        what: "get, inside a plugin (per host call)",
        raw: micros(raw_get),
        store: micros(store_get),
        plugin: micros(get_inside),
        ratio: ratio(get_inside, raw_get),
    });
    rows.push(Row {
        what: "get, one plugin call (fresh instance + 1 get)",
        raw: micros(raw_get),
        store: micros(store_get),
        plugin: micros(get_call),
        ratio: ratio(get_call, raw_get),
    });

    let raw_set = median_per_op(7, 50, || raw.set("k", &bytes));
    let store_set = median_per_op(7, 50, || {
        runtime.block_on(store.set(&ns, "k", value())).unwrap()
    });
    let set_inside = median_per_op(7, 1, || {
        call(
            "set_repeat",
            json!({"key": "k", "value": value(), "times": 50}),
        );
    }) / 50;
    let set_call = median_per_op(7, 20, || {
        call("set", json!({"key": "k", "value": value()}));
    });
    rows.push(Row {
        what: "set, inside a plugin (per host call)",
        raw: micros(raw_set),
        store: micros(store_set),
        plugin: micros(set_inside),
        ratio: ratio(set_inside, raw_set),
    });
    rows.push(Row {
        what: "set, one plugin call (fresh instance + 1 set)",
        raw: micros(raw_set),
        store: micros(store_set),
        plugin: micros(set_call),
        ratio: ratio(set_call, raw_set),
    });
    drop((plugin, store, raw));

    // ---- compare-and-swap throughput, 1 and 64 writers ----
    for writers in [1, WRITERS] {
        let each = if writers == 1 { 200 } else { 8 };
        let total = writers * each;
        let dir = bench_dir();
        let raw = Raw::open(&dir.path().join("raw.redb"));
        let start = Instant::now();
        std::thread::scope(|scope| {
            for _ in 0..writers {
                scope.spawn(|| {
                    for _ in 0..each {
                        raw.cas_increment("n");
                    }
                });
            }
        });
        let raw_elapsed = start.elapsed();
        let counted: i64 = serde_json::from_slice(&raw.get("n").unwrap()).unwrap();
        assert_eq!(counted, total as i64);

        let store = RedbStore::open(dir.path().join("store.redb")).unwrap();
        let start = Instant::now();
        let store_retries: u64 = runtime.block_on(async {
            let tasks: Vec<_> = (0..writers)
                .map(|_| {
                    let (store, ns) = (store.clone(), ns.clone());
                    tokio::spawn(async move {
                        let mut retries = 0;
                        let mut current = store.get(&ns, "n").await.unwrap();
                        for _ in 0..each {
                            loop {
                                let next = current.as_ref().map_or(0, |v| v.as_i64().unwrap()) + 1;
                                let swap = store
                                    .compare_and_swap(&ns, "n", current.clone(), Some(json!(next)))
                                    .await
                                    .unwrap();
                                current = swap.current;
                                if swap.swapped {
                                    break;
                                }
                                retries += 1;
                            }
                        }
                        retries
                    })
                })
                .collect();
            let mut retries = 0;
            for task in tasks {
                retries += task.await.unwrap();
            }
            retries
        });
        let store_elapsed = start.elapsed();
        assert_eq!(
            runtime.block_on(store.get(&ns, "n")).unwrap(),
            Some(json!(total))
        );
        runtime.block_on(store.delete(&ns, "n")).unwrap();

        let plugin = store_plugin(store.clone());
        let start = Instant::now();
        let plugin_retries: u64 = runtime.block_on(async {
            let calls: Vec<_> = (0..writers)
                .map(|_| {
                    tokio::spawn(plugin.call_raw("cas_count", json!({"key": "n", "times": each})))
                })
                .collect();
            let mut retries = 0;
            for call in calls {
                retries += call.await.unwrap().unwrap()["retries"].as_u64().unwrap();
            }
            retries
        });
        let plugin_elapsed = start.elapsed();
        assert_eq!(
            runtime.block_on(store.get(&ns, "n")).unwrap(),
            Some(json!(total))
        );
        rows.push(Row {
            what: if writers == 1 {
                "compare-and-swap, 1 writer"
            } else {
                "compare-and-swap, 64 writers at once"
            },
            raw: per_second(total, raw_elapsed),
            store: format!(
                "{} ({store_retries} retries)",
                per_second(total, store_elapsed)
            ),
            plugin: format!(
                "{} ({plugin_retries} retries)",
                per_second(total, plugin_elapsed)
            ),
            ratio: ratio(plugin_elapsed, raw_elapsed),
        });
        eprintln!("cas with {writers} writers done");
    }

    // ---- file size after 100 000 keys ----
    let dir = bench_dir();
    let raw_path = dir.path().join("raw.redb");
    let store_path = dir.path().join("store.redb");
    let plugin_path = dir.path().join("plugin.redb");
    let key = |i: usize| format!("user/{i:06}");
    let start = Instant::now();
    {
        let raw = Raw::open(&raw_path);
        for chunk in (0..KEYS).collect::<Vec<_>>().chunks(PER_BATCH) {
            let tx = raw.db.begin_write().unwrap();
            {
                let mut table = tx.open_table(RAW).unwrap();
                for &i in chunk {
                    table
                        .insert((NS, key(i).as_str()), bytes.as_slice())
                        .unwrap();
                }
            }
            tx.commit().unwrap();
        }
    }
    let raw_fill = start.elapsed();
    let start = Instant::now();
    {
        let store = RedbStore::open(&store_path)
            .unwrap()
            .with_quotas(room_for_all());
        for chunk in (0..KEYS).collect::<Vec<_>>().chunks(PER_BATCH) {
            let ops = chunk
                .iter()
                .map(|&i| Op::Set {
                    key: key(i),
                    value: value(),
                })
                .collect();
            runtime.block_on(store.apply(&ns, ops)).unwrap();
        }
    }
    let store_fill = start.elapsed();
    let start = Instant::now();
    {
        let store = RedbStore::open(&plugin_path)
            .unwrap()
            .with_quotas(room_for_all());
        let plugin = store_plugin(store.clone());
        // `batch_write` adds a `batches` counter: one batch of 127 keys + 1.
        for chunk in (0..KEYS).collect::<Vec<_>>().chunks(PER_BATCH - 1) {
            let keys: Vec<String> = chunk.iter().map(|&i| key(i)).collect();
            runtime
                .block_on(plugin.call_raw("batch_write", json!({"keys": keys, "value": value()})))
                .unwrap();
        }
        let usage = runtime
            .block_on(store.usage(&Namespace::plugin("bench").unwrap()))
            .unwrap();
        assert_eq!(usage.keys, KEYS as u64 + 1);
    }
    let plugin_fill = start.elapsed();
    let mib = |path: &PathBuf| format!("{:.1} MiB", file_size(path) as f64 / f64::from(1 << 20));
    rows.push(Row {
        what: "file after 100 000 keys (batches of 128)",
        raw: mib(&raw_path),
        store: mib(&store_path),
        plugin: mib(&plugin_path),
        ratio: format!(
            "{:.2}×",
            file_size(&plugin_path) as f64 / file_size(&raw_path) as f64
        ),
    });
    rows.push(Row {
        what: "time to write them",
        raw: format!("{:.2} s", raw_fill.as_secs_f64()),
        store: format!("{:.2} s", store_fill.as_secs_f64()),
        plugin: format!("{:.2} s", plugin_fill.as_secs_f64()),
        ratio: ratio(plugin_fill, raw_fill),
    });

    println!("| operation | redb directly | `RedbStore` (Rust) | from a plugin | plugin ÷ redb |");
    println!("|---|---|---|---|---|");
    for row in rows {
        println!(
            "| {} | {} | {} | {} | {} |",
            row.what, row.raw, row.store, row.plugin, row.ratio
        );
    }
    println!(
        "\nvalue: {} ({} bytes of JSON); keys `user/NNNNNN`; files in {}",
        value(),
        bytes.len(),
        std::env::var("STORE_BENCH_DIR")
            .unwrap_or_else(|_| std::env::temp_dir().display().to_string())
    );
}
