//! The plugin key-value store (`wasmi_hdk::store`) from a plugin's side,
//! and the crash safety of its redb file.

use std::{
    collections::hash_map::RandomState,
    hash::{BuildHasher, Hasher},
    io::{BufRead, BufReader},
    path::Path,
    process::{Command, Stdio},
    sync::mpsc,
    time::Duration,
};

use serde_json::{Value, json};
use wasmi_hdk::{
    Error, Plugin,
    set::{Manifest, PluginSet},
    store::{
        KvStore, ListQuery, MemoryStore, Namespace, Quota, Quotas, RedbStore, StoreHost, Usage,
    },
};

use crate::util::within;

/// The test plugin, named `name`, with the store's host methods.
fn plugin(name: &str, host: StoreHost) -> Plugin {
    Plugin::builder()
        .with_name(name)
        .with_host(host)
        .build(test_plugin_artifacts::TEST_PLUGIN)
        .unwrap()
}

/// Has `plugin` call host method `method` (through its `call_host`).
async fn host_call(plugin: &Plugin, method: &str, params: Value) -> Result<Value, Error> {
    within(plugin.call_raw("call_host", json!({"method": method, "params": params}))).await
}

#[tokio::test]
async fn state_outlives_the_instance_that_wrote_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    {
        let counter = plugin("counter", StoreHost::new(RedbStore::open(&path).unwrap()));
        for expected in 1..=3 {
            // Every call is a fresh instance: the count lives in the host.
            assert_eq!(
                host_call(&counter, "store.increment", json!(["visits"]))
                    .await
                    .unwrap(),
                expected
            );
        }
        host_call(
            &counter,
            "store.set",
            json!({"key": "profile", "value": {"name": "ann"}}),
        )
        .await
        .unwrap();
    }
    // And the file outlives the process's store.
    let counter = plugin("counter", StoreHost::new(RedbStore::open(&path).unwrap()));
    assert_eq!(
        host_call(&counter, "store.get", json!(["visits"]))
            .await
            .unwrap(),
        3
    );
    assert_eq!(
        host_call(&counter, "store.get_many", json!(["profile", "nothing"]))
            .await
            .unwrap(),
        json!([{"name": "ann"}, null])
    );
    assert_eq!(
        host_call(&counter, "store.list", json!({})).await.unwrap(),
        json!({"keys": ["profile", "visits"], "cursor": null})
    );
}

#[tokio::test]
async fn plugins_cannot_reach_each_others_state() {
    let store = MemoryStore::new();
    let alice = plugin("alice", StoreHost::new(store.clone()));
    let mallory = plugin("mallory", StoreHost::new(store.clone()));
    host_call(&alice, "store.set", json!(["secret", "alice's"]))
        .await
        .unwrap();
    for key in [
        "secret",
        "../alice/secret",
        "plugin:alice\u{0}secret",
        "alice/secret",
        "/secret",
    ] {
        assert_eq!(
            host_call(&mallory, "store.get", json!([key]))
                .await
                .unwrap(),
            Value::Null,
            "{key:?}"
        );
        host_call(&mallory, "store.set", json!([key, "mallory's"]))
            .await
            .unwrap();
    }
    assert_eq!(
        host_call(&alice, "store.get", json!(["secret"]))
            .await
            .unwrap(),
        "alice's"
    );
    let listed = host_call(&alice, "store.list", json!([])).await.unwrap();
    assert_eq!(listed["keys"], json!(["secret"]));
    let alice_ns = Namespace::plugin("alice").unwrap();
    assert_eq!(store.usage(&alice_ns).await.unwrap().keys, 1);
}

#[tokio::test]
async fn store_errors_reach_the_plugin_with_their_codes() {
    let quotas = Quotas::new(Quota::default().with_max_keys(1));
    let p = plugin("p", StoreHost::new(MemoryStore::new().with_quotas(quotas)));
    host_call(&p, "store.set", json!(["a", "text"]))
        .await
        .unwrap();
    let rpc = |result: Result<Value, Error>| match result {
        Err(Error::Rpc(e)) => e,
        other => panic!("expected an RPC error, got {other:?}"),
    };
    let e = rpc(host_call(&p, "store.set", json!(["b", 1])).await);
    assert_eq!(e.code, -32004);
    assert_eq!(
        e.data,
        Some(json!({"quota": "keys", "limit": 1, "requested": 2}))
    );
    let e = rpc(host_call(&p, "store.increment", json!(["a"])).await);
    assert_eq!(e.code, -32005);
    let e = rpc(host_call(&p, "store.get", json!([""])).await);
    assert_eq!(e.code, -32602);
    assert_eq!(
        host_call(
            &p,
            "store.batch",
            json!([{"op": "cas", "key": "a", "expected": "other", "new": 1}])
        )
        .await
        .unwrap(),
        json!({"committed": false, "index": 0, "current": "text"})
    );
}

#[tokio::test]
async fn in_a_plugin_set_the_store_is_a_capability() {
    let store = MemoryStore::new();
    let set = PluginSet::builder()
        .with_store(store.clone())
        .build()
        .unwrap();
    let manifest = |text: &str| Manifest::from_toml(text, "test.toml").unwrap();
    set.load(
        manifest("name = \"keeper\"\npermissions = [\"storage\"]"),
        test_plugin_artifacts::TEST_PLUGIN,
    )
    .unwrap();
    set.load(
        manifest("name = \"plain\""),
        test_plugin_artifacts::TEST_PLUGIN,
    )
    .unwrap();
    let increment = json!({"method": "store.increment", "params": ["n"]});
    assert_eq!(
        within(set.call_raw("keeper", "call_host", increment.clone()))
            .await
            .unwrap(),
        1
    );
    match within(set.call_raw("plain", "call_host", increment)).await {
        Err(Error::Rpc(e)) => assert_eq!(e.code, -32002, "{e:?}"),
        other => panic!("expected permission denied, got {other:?}"),
    }
    let keeper = Namespace::plugin("keeper").unwrap();
    assert_eq!(store.get(&keeper, "n").await.unwrap(), Some(json!(1)));
}

/// How long one step of the crash test may wait (a hang bound, not a
/// performance bound).
const STEP: Duration = Duration::from_secs(60);

/// Kills the writer this many times.
const KILLS: usize = 50;

/// A small xorshift generator; the seed is printed so a failure can be
/// replayed with `STORE_CRASH_SEED`.
struct Rng(u64);

impl Rng {
    fn new() -> Self {
        let seed = std::env::var("STORE_CRASH_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| RandomState::new().build_hasher().finish() | 1);
        println!("STORE_CRASH_SEED={seed}");
        Self(seed)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// The writer helper: runs until it is killed, printing `ack N` after each
/// committed batch N.
fn start_writer(path: &Path, first: u64) -> (std::process::Child, mpsc::Receiver<u64>) {
    let writer = env!("CARGO_BIN_EXE_store-crash-writer");
    // Under user-mode emulation (scripts/cross.sh) the writer, built for the
    // emulated CPU, must be started through the emulator too:
    // `CROSS_RUNNER="qemu-aarch64 -L /usr/aarch64-linux-gnu"`.
    let runner = std::env::var("CROSS_RUNNER").unwrap_or_default();
    let mut runner = runner.split_whitespace();
    let mut command = match runner.next() {
        Some(program) => {
            let mut command = Command::new(program);
            command.args(runner).arg(writer);
            command
        }
        None => Command::new(writer),
    };
    let mut child = command
        .arg(path)
        .arg(first.to_string())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (acks, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let n = line.strip_prefix("ack ").and_then(|n| n.parse().ok());
            let _ = acks.send(n.unwrap_or_else(|| panic!("unexpected output {line:?}")));
        }
    });
    (child, received)
}

/// Reopens the store and checks it whole; the last batch committed.
fn verify(path: &Path, acknowledged: Option<u64>) -> Option<u64> {
    futures::executor::block_on(async {
        let store = RedbStore::open(path).unwrap();
        let ns = Namespace::new("crash").unwrap();
        let last = store
            .get(&ns, "last")
            .await
            .unwrap()
            .map(|v| v.as_u64().unwrap());
        // Every acknowledged batch is there.
        assert!(
            last >= acknowledged,
            "acknowledged {acknowledged:?}, store has {last:?}"
        );
        let Some(last) = last else {
            assert_eq!(store.usage(&ns).await.unwrap(), Usage::default());
            return None;
        };
        // Every batch is whole: one count per batch, each key present.
        assert_eq!(
            store.get(&ns, "count").await.unwrap(),
            Some(json!(last + 1))
        );
        let pad = store.get(&ns, "pad").await.unwrap().unwrap();
        assert!(
            pad.as_str().unwrap().starts_with(&format!("{last}x")),
            "pad of another batch"
        );
        let mut keys = Vec::new();
        let mut cursor = None;
        loop {
            let query = ListQuery::new().with_limit(1000).with_cursor(cursor.take());
            let page = store.list(&ns, query).await.unwrap();
            keys.extend(page.keys);
            match page.cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let mut expected: Vec<String> = (0..=last).map(|n| format!("k{n}")).collect();
        expected.extend(["count", "last", "pad"].map(String::from));
        expected.sort();
        assert_eq!(keys, expected);
        // The usage record matches the data.
        let mut bytes = 0;
        for chunk in keys.chunks(128) {
            let values = store.get_many(&ns, chunk.to_vec()).await.unwrap();
            for (key, value) in chunk.iter().zip(values) {
                let value = value.unwrap();
                if let Some(n) = key.strip_prefix('k') {
                    assert_eq!(value, json!(n.parse::<u64>().unwrap()));
                }
                bytes += (key.len() + value.to_string().len()) as u64;
            }
        }
        let usage = store.usage(&ns).await.unwrap();
        assert_eq!(
            usage,
            Usage {
                keys: keys.len() as u64,
                bytes
            }
        );
        Some(last)
    })
}

/// redb's own check of the whole file: checksums, tree structure, allocator.
fn check_integrity(path: &Path) {
    let mut db = redb::Database::open(path).unwrap();
    assert!(
        db.check_integrity().unwrap(),
        "the file needed repair after reopening"
    );
}

#[cfg(unix)]
#[test]
fn acknowledged_writes_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.redb");
    let mut rng = Rng::new();
    let (mut last, mut acked_total, mut unacked_commits) = (None, 0, 0);
    for _ in 0..KILLS {
        let first = last.map_or(0, |n: u64| n + 1);
        let (mut child, acks) = start_writer(&path, first);
        // Wait for a random number of acknowledgements (sometimes none, so
        // the kill can land while the file is opened or repaired), then a
        // random moment more.
        let wait_for = rng.below(26);
        let mut acknowledged = first.checked_sub(1);
        for _ in 0..wait_for {
            acknowledged = Some(acks.recv_timeout(STEP).expect("the writer stalled"));
        }
        std::thread::sleep(Duration::from_micros(rng.below(3000)));
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        {
            use std::os::unix::process::ExitStatusExt as _;
            assert_eq!(
                status.signal(),
                Some(libc::SIGKILL),
                "the writer died on its own: {status}"
            );
        }
        // Lines it printed before it died were acknowledgements too.
        while let Ok(n) = acks.recv_timeout(STEP) {
            acknowledged = Some(n);
        }
        acked_total += acknowledged.map_or(0, |n| n + 1) - first;
        let now = verify(&path, acknowledged);
        if now > acknowledged {
            unacked_commits += 1;
        }
        check_integrity(&path);
        last = now;
    }
    println!(
        "{KILLS} kills, {acked_total} acknowledged batches, {} committed, \
         {unacked_commits} kills between a commit and its acknowledgement",
        last.map_or(0, |n| n + 1)
    );
    assert!(acked_total > 0);
}
