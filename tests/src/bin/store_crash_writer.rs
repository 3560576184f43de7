//! Helper of the store's crash-safety test (`tests/store.rs`): opens a
//! `RedbStore` and commits batches in a loop until it is killed, printing
//! `ack N` after batch N is committed (durably).
//!
//! Usage: `store-crash-writer PATH FIRST`. Batch N sets `k{N}` to N and
//! `last` to N, increments `count` and rewrites a 4 KiB `pad`, so a torn
//! batch would show as `count != last + 1` or a missing `k{N}`.

use std::io::Write as _;

use serde_json::json;
use wasmi_hdk::store::{KvStore, Namespace, Op, RedbStore};

// The binary shares the package of the integration tests.
use integration_tests as _;
#[cfg(test)]
use {
    libc as _, redb as _, serde as _, tar as _, tempfile as _, test_plugin_artifacts as _,
    tokio as _, tracing as _, wasmi as _, wasmi_pdk as _, wat as _, zip as _,
};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: store-crash-writer PATH FIRST");
    let first: u64 = args
        .next()
        .and_then(|n| n.parse().ok())
        .expect("usage: store-crash-writer PATH FIRST");
    let store = RedbStore::open(&path).expect("open the store");
    let ns = Namespace::new("crash").expect("namespace");
    let pad = "x".repeat(4096);
    let mut out = std::io::stdout().lock();
    futures::executor::block_on(async {
        for n in first.. {
            let ops = vec![
                Op::Set {
                    key: format!("k{n}"),
                    value: json!(n),
                },
                Op::Set {
                    key: "last".into(),
                    value: json!(n),
                },
                Op::Increment {
                    key: "count".into(),
                    delta: 1,
                },
                Op::Set {
                    key: "pad".into(),
                    value: json!(format!("{n}{pad}")),
                },
            ];
            store.apply(&ns, ops).await.expect("commit");
            writeln!(out, "ack {n}").expect("stdout");
            out.flush().expect("stdout");
        }
    });
}
