//! Many tasks at once: counters end exact, readers never see half a batch.

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use serde_json::{Value, json};

use super::{Fixture, ns, per_backend};
use crate::store::{BatchOutcome, Op, Quotas};

type Make = fn(Quotas) -> Fixture;

const TASKS: usize = 64;
const EACH: usize = 10;

per_backend!(concurrency:
    compare_and_swap_retries_count_exactly,
    increments_count_exactly,
    readers_never_see_half_a_batch,
);

async fn compare_and_swap_retries_count_exactly(make: Make) {
    let fixture = make(Quotas::default());
    let store = fixture.store.clone();
    let n = ns("n");
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            let (store, n) = (store.clone(), n.clone());
            tokio::spawn(async move {
                let mut retries = 0_u64;
                for _ in 0..EACH {
                    let mut current = store.get(&n, "counter").await.unwrap();
                    loop {
                        let next = current.as_ref().map_or(0, |v| v.as_i64().unwrap()) + 1;
                        let outcome = store
                            .compare_and_swap(&n, "counter", current.clone(), Some(json!(next)))
                            .await
                            .unwrap();
                        if outcome.swapped {
                            break;
                        }
                        retries += 1;
                        current = outcome.current;
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
    let total = (TASKS * EACH) as i64;
    assert_eq!(
        store.get(&n, "counter").await.unwrap(),
        Some(json!(total)),
        "after {retries} retries"
    );
}

async fn increments_count_exactly(make: Make) {
    let fixture = make(Quotas::default());
    let store = fixture.store.clone();
    let n = ns("n");
    let tasks: Vec<_> = (0..TASKS)
        .map(|i| {
            let (store, n) = (store.clone(), n.clone());
            tokio::spawn(async move {
                let mut seen = Vec::with_capacity(EACH);
                for _ in 0..EACH {
                    seen.push(store.increment(&n, "counter", 1).await.unwrap());
                    // Half the tasks also move a second counter in a batch.
                    if i % 2 == 0 {
                        store
                            .apply(
                                &n,
                                vec![
                                    Op::Increment {
                                        key: "even".into(),
                                        delta: 2,
                                    },
                                    Op::Increment {
                                        key: "even".into(),
                                        delta: -1,
                                    },
                                ],
                            )
                            .await
                            .unwrap();
                    }
                }
                seen
            })
        })
        .collect();
    let mut seen = Vec::new();
    for task in tasks {
        seen.extend(task.await.unwrap());
    }
    // Every increment answered a distinct value: 1..=total, each once.
    seen.sort_unstable();
    let total = (TASKS * EACH) as i64;
    assert_eq!(seen, (1..=total).collect::<Vec<_>>());
    assert_eq!(store.get(&n, "counter").await.unwrap(), Some(json!(total)));
    assert_eq!(store.get(&n, "even").await.unwrap(), Some(json!(total / 2)));
}

/// Keys a batch writes together.
const KEYS: usize = 8;

async fn readers_never_see_half_a_batch(make: Make) {
    let fixture = make(Quotas::default());
    let store = fixture.store.clone();
    let n = ns("n");
    let keys: Vec<String> = (0..KEYS).map(|i| format!("k{i}")).collect();
    let done = Arc::new(AtomicBool::new(false));

    let writers: Vec<_> = (0..4)
        .map(|w: i64| {
            let (store, n, keys) = (store.clone(), n.clone(), keys.clone());
            tokio::spawn(async move {
                for round in 0..50 {
                    let value = json!({"writer": w, "round": round});
                    let ops = keys
                        .iter()
                        .map(|key| Op::Set {
                            key: key.clone(),
                            value: value.clone(),
                        })
                        .chain([Op::Increment {
                            key: "batches".into(),
                            delta: 1,
                        }])
                        .collect();
                    let outcome = store.apply(&n, ops).await.unwrap();
                    assert!(matches!(outcome, BatchOutcome::Committed(_)));
                    tokio::task::yield_now().await;
                }
            })
        })
        .collect();
    let readers: Vec<_> = (0..8)
        .map(|_| {
            let (store, n, keys, done) = (store.clone(), n.clone(), keys.clone(), done.clone());
            tokio::spawn(async move {
                let mut reads = 0_u64;
                loop {
                    let finished = done.load(Ordering::Acquire);
                    let values = store.get_many(&n, keys.clone()).await.unwrap();
                    check_snapshot(&values);
                    reads += 1;
                    if finished {
                        return reads;
                    }
                    tokio::task::yield_now().await;
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }
    done.store(true, Ordering::Release);
    for reader in readers {
        assert!(reader.await.unwrap() > 0);
    }
    assert_eq!(store.get(&n, "batches").await.unwrap(), Some(json!(200)));
    let last = store.get_many(&n, keys).await.unwrap();
    assert!(last.iter().all(|v| v == &last[0] && v.is_some()));
}

fn check_snapshot(values: &[Option<Value>]) {
    assert!(
        values.iter().all(|v| v == &values[0]),
        "a reader saw half a batch: {values:?}"
    );
}
