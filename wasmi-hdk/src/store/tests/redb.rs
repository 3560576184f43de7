//! What is particular to the redb file: reopening, and its failures.

use std::io::Write as _;

use serde_json::json;

use super::{ns, within};
use crate::store::{KvStore, ListQuery, Op, Quota, Quotas, RedbStore, StoreError, Usage};

#[tokio::test]
async fn data_and_usage_survive_reopening() {
    within(async {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.redb");
        let n = ns("n");
        let usage = {
            let store = RedbStore::open(&path).unwrap();
            store.set(&n, "a", json!({"x": [1, 2]})).await.unwrap();
            store.increment(&n, "c", 7).await.unwrap();
            store.set(&n, "gone", json!(1)).await.unwrap();
            store.delete(&n, "gone").await.unwrap();
            store.usage(&n).await.unwrap()
        };
        let store = RedbStore::open(&path).unwrap();
        assert_eq!(
            store.get(&n, "a").await.unwrap(),
            Some(json!({"x": [1, 2]}))
        );
        assert_eq!(store.increment(&n, "c", 1).await.unwrap(), 8);
        assert_eq!(store.get(&n, "gone").await.unwrap(), None);
        assert_eq!(usage.keys, 2);
        assert_eq!(store.usage(&n).await.unwrap().bytes, usage.bytes);
    })
    .await;
}

#[test]
fn a_file_that_is_not_a_database_is_a_backend_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("junk");
    std::fs::File::create(&path)
        .unwrap()
        .write_all(&[0x42; 8192])
        .unwrap();
    let error = RedbStore::open(&path).unwrap_err();
    assert!(
        matches!(
            error,
            StoreError::Backend {
                context: "opening the database",
                ..
            }
        ),
        "{error:?}"
    );
    assert!(std::error::Error::source(&error).is_some());
}

#[tokio::test]
async fn a_second_open_fails_and_the_first_keeps_working() {
    within(async {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.redb");
        let first = RedbStore::open(&path).unwrap();
        assert!(matches!(
            RedbStore::open(&path),
            Err(StoreError::Backend { .. })
        ));
        first.set(&ns("n"), "k", json!(1)).await.unwrap();
        assert_eq!(first.get(&ns("n"), "k").await.unwrap(), Some(json!(1)));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_batches_in_a_commit_group_leave_the_others_alone() {
    within(async {
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(dir.path().join("s.redb"))
            .unwrap()
            .with_quotas(Quotas::new(Quota::default().with_max_keys(20)));
        let n = ns("n");
        // 64 batches of two new keys each, all at once: 10 fit.
        let writes: Vec<_> = (0..64)
            .map(|i| {
                let (store, n) = (store.clone(), n.clone());
                tokio::spawn(async move {
                    let ops = vec![
                        Op::Set {
                            key: format!("{i:02}a"),
                            value: json!(i),
                        },
                        Op::Set {
                            key: format!("{i:02}b"),
                            value: json!(i),
                        },
                    ];
                    store.apply(&n, ops).await
                })
            })
            .collect();
        let mut committed = 0;
        for write in writes {
            match write.await.unwrap() {
                Ok(_) => committed += 1,
                Err(StoreError::QuotaExceeded { .. }) => {}
                Err(other) => panic!("{other:?}"),
            }
        }
        assert_eq!(committed, 10);
        let page = store
            .list(&n, ListQuery::new().with_limit(1000))
            .await
            .unwrap();
        assert_eq!(page.keys.len(), 20);
        // Both keys of each committed batch, never one alone.
        for pair in page.keys.chunks(2) {
            assert_eq!(pair[0][..2], pair[1][..2], "{pair:?}");
        }
        let values = store.get_many(&n, page.keys.clone()).await.unwrap();
        let bytes: u64 = page
            .keys
            .iter()
            .zip(&values)
            .map(|(k, v)| (k.len() + v.as_ref().unwrap().to_string().len()) as u64)
            .sum();
        assert_eq!(store.usage(&n).await.unwrap(), Usage { keys: 20, bytes });
    })
    .await;
}

#[tokio::test]
async fn dropping_the_store_closes_the_file() {
    within(async {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.redb");
        for i in 0..5 {
            let store = RedbStore::open(&path).unwrap();
            assert_eq!(store.increment(&ns("n"), "opens", 1).await.unwrap(), i + 1);
        }
    })
    .await;
}
