//! Every operation and every error, the same on every backend.

use serde_json::{Value, json};

use super::{Fixture, ns, per_backend};
use crate::store::{
    BatchOutcome, Bounded, CasOutcome, ListQuery, MAX_BATCH_OPS, MAX_GET_KEYS, MAX_KEY_BYTES,
    MAX_PAGE, NameProblem, Op, OpResult, Quota, QuotaKind, Quotas, StoreError, Usage,
};

type Make = fn(Quotas) -> Fixture;

per_backend!(conformance:
    values_round_trip,
    set_overwrites_and_delete_says_whether_it_existed,
    null_is_not_storable,
    keys_are_checked_everywhere,
    get_many_reads_several_keys,
    list_pages_through_a_prefix,
    list_rejects_bad_queries,
    cas_swaps_only_on_a_match,
    increment_counts_from_zero,
    increment_refuses_non_integers_and_overflow,
    batches_commit_everything,
    batches_are_all_or_nothing,
    batches_are_bounded,
    usage_follows_every_write,
    key_quota,
    byte_quota,
    value_quota,
    over_a_lowered_quota_only_shrinking_writes_pass,
    quotas_per_namespace,
);

fn size(key: &str, value: &Value) -> u64 {
    (key.len() + serde_json::to_vec(value).unwrap().len()) as u64
}

async fn values_round_trip(make: Make) {
    let store = make(Quotas::default());
    let n = ns("n");
    let values = [
        json!(true),
        json!(0),
        json!(-9_223_372_036_854_775_808_i64),
        json!(18_446_744_073_709_551_615_u64),
        json!(0.1),
        json!(1e300),
        json!(1.0),
        json!("text with \0, \n, é, 😀"),
        json!([1, "two", [3], {"four": null}]),
        json!({"b": 1, "a": {"nested": [true, false]}}),
        json!(""),
        json!([]),
        json!({}),
    ];
    for (i, value) in values.iter().enumerate() {
        let key = format!("k{i}");
        store.set(&n, &key, value.clone()).await.unwrap();
        assert_eq!(
            store.get(&n, &key).await.unwrap().as_ref(),
            Some(value),
            "{value}"
        );
    }
    assert_eq!(store.get(&n, "absent").await.unwrap(), None);
}

async fn set_overwrites_and_delete_says_whether_it_existed(make: Make) {
    let store = make(Quotas::default());
    let n = ns("n");
    store.set(&n, "k", json!(1)).await.unwrap();
    store.set(&n, "k", json!("two")).await.unwrap();
    assert_eq!(store.get(&n, "k").await.unwrap(), Some(json!("two")));
    assert!(store.delete(&n, "k").await.unwrap());
    assert!(!store.delete(&n, "k").await.unwrap());
    assert_eq!(store.get(&n, "k").await.unwrap(), None);
    assert_eq!(store.usage(&n).await.unwrap(), Usage::default());
}

async fn null_is_not_storable(make: Make) {
    let store = make(Quotas::default());
    let n = ns("n");
    let refused = [
        store.set(&n, "k", Value::Null).await.unwrap_err(),
        store
            .compare_and_swap(&n, "k", None, Some(Value::Null))
            .await
            .unwrap_err(),
        store
            .compare_and_swap(&n, "k", Some(Value::Null), Some(json!(1)))
            .await
            .unwrap_err(),
    ];
    for error in refused {
        assert!(matches!(error, StoreError::NullValue), "{error:?}");
    }
    assert_eq!(store.get(&n, "k").await.unwrap(), None);
}

fn is_bad_key(result: Result<impl core::fmt::Debug, StoreError>) {
    assert!(
        matches!(result, Err(StoreError::InvalidKey { .. })),
        "{result:?}"
    );
}

async fn keys_are_checked_everywhere(make: Make) {
    let store = make(Quotas::default());
    let n = ns("n");
    let longest = "k".repeat(MAX_KEY_BYTES);
    let too_long = "k".repeat(MAX_KEY_BYTES + 1);
    for bad in ["", too_long.as_str()] {
        is_bad_key(store.get(&n, bad).await);
        is_bad_key(store.set(&n, bad, json!(1)).await);
        is_bad_key(store.delete(&n, bad).await);
        is_bad_key(store.increment(&n, bad, 1).await);
        is_bad_key(store.compare_and_swap(&n, bad, None, Some(json!(1))).await);
        is_bad_key(store.get_many(&n, vec!["ok".into(), bad.into()]).await);
        // A bad key anywhere in a batch refuses the whole batch.
        let batch = vec![
            Op::Set {
                key: "ok".into(),
                value: json!(1),
            },
            Op::Delete { key: bad.into() },
        ];
        is_bad_key(store.apply(&n, batch).await);
        is_bad_key(
            store
                .list(&n, ListQuery::new().with_cursor(Some(bad.into())))
                .await,
        );
    }
    is_bad_key(
        store
            .list(&n, ListQuery::new().with_prefix(too_long.as_str()))
            .await,
    );
    assert!(matches!(
        store.get(&n, &too_long).await,
        Err(StoreError::InvalidKey { problem: NameProblem::TooLong { len, max: MAX_KEY_BYTES } })
            if len == MAX_KEY_BYTES + 1
    ));
    assert_eq!(store.get(&n, "ok").await.unwrap(), None);
    store.set(&n, &longest, json!(1)).await.unwrap();
    assert_eq!(store.get(&n, &longest).await.unwrap(), Some(json!(1)));
}

async fn get_many_reads_several_keys(make: Make) {
    let store = make(Quotas::default());
    let n = ns("n");
    store.set(&n, "a", json!(1)).await.unwrap();
    store.set(&n, "c", json!(3)).await.unwrap();
    let keys = vec!["a".into(), "b".into(), "c".into(), "a".into()];
    assert_eq!(
        store.get_many(&n, keys).await.unwrap(),
        [Some(json!(1)), None, Some(json!(3)), Some(json!(1))]
    );
    assert!(store.get_many(&n, vec![]).await.unwrap().is_empty());
    let many = (0..=MAX_GET_KEYS).map(|i| format!("k{i}")).collect();
    assert!(matches!(
        store.get_many(&n, many).await,
        Err(StoreError::TooMany { what: Bounded::Keys, len, max: MAX_GET_KEYS }) if len == MAX_GET_KEYS + 1
    ));
}

async fn list_pages_through_a_prefix(make: Make) {
    let store = make(Quotas::default());
    let n = ns("n");
    let mut expected: Vec<String> = (0..25).map(|i| format!("user/{i:02}")).collect();
    for key in &expected {
        store.set(&n, key, json!(1)).await.unwrap();
    }
    for other in ["user", "user0", "usex/1", "a", "zzz"] {
        store.set(&n, other, json!(0)).await.unwrap();
    }
    let mut seen = Vec::new();
    let mut cursor = None;
    let mut pages = 0;
    loop {
        let query = ListQuery::new()
            .with_prefix("user/")
            .with_cursor(cursor.take())
            .with_limit(10);
        let page = store.list(&n, query).await.unwrap();
        pages += 1;
        assert!(page.keys.len() <= 10);
        seen.extend(page.keys);
        match page.cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, expected);

    // A page that ends exactly at the last key says so.
    let exact = store
        .list(&n, ListQuery::new().with_prefix("user/").with_limit(25))
        .await
        .unwrap();
    assert_eq!(exact.keys, expected);
    assert_eq!(exact.cursor, None);

    // No prefix: everything, in byte order; limit 0 counts as 1.
    let all = store
        .list(&n, ListQuery::new().with_limit(MAX_PAGE))
        .await
        .unwrap();
    expected.extend(["user", "user0", "usex/1", "a", "zzz"].map(String::from));
    expected.sort();
    assert_eq!(all.keys, expected);
    let one = store
        .list(&n, ListQuery::new().with_limit(0))
        .await
        .unwrap();
    assert_eq!(one.keys, ["a"]);
    assert_eq!(one.cursor.as_deref(), Some("a"));

    // Nothing matches; an unknown namespace is empty.
    let none = store
        .list(&n, ListQuery::new().with_prefix("nothing"))
        .await
        .unwrap();
    assert_eq!((none.keys.len(), none.cursor), (0, None));
    let empty = store.list(&ns("other"), ListQuery::new()).await.unwrap();
    assert!(empty.keys.is_empty());
}

async fn list_rejects_bad_queries(make: Make) {
    let store = make(Quotas::default());
    let n = ns("n");
    assert!(matches!(
        store
            .list(&n, ListQuery::new().with_limit(MAX_PAGE + 1))
            .await,
        Err(StoreError::TooMany {
            what: Bounded::PageSize,
            ..
        })
    ));
    let outside = ListQuery::new()
        .with_prefix("a/")
        .with_cursor(Some("b/1".into()));
    assert!(matches!(
        store.list(&n, outside).await,
        Err(StoreError::InvalidCursor { .. })
    ));
}

async fn cas_swaps_only_on_a_match(make: Make) {
    let store = make(Quotas::default());
    let n = ns("n");
    // Absent -> value.
    let created = store
        .compare_and_swap(&n, "k", None, Some(json!({"v": 1})))
        .await
        .unwrap();
    assert_eq!(
        created,
        CasOutcome {
            swapped: true,
            current: Some(json!({"v": 1}))
        }
    );
    // Expected absent, found a value: the current value comes back.
    let refused = store
        .compare_and_swap(&n, "k", None, Some(json!(0)))
        .await
        .unwrap();
    assert_eq!(
        refused,
        CasOutcome {
            swapped: false,
            current: Some(json!({"v": 1}))
        }
    );
    // Values compare as JSON: object key order does not matter, 1 and 1.0 differ.
    store.set(&n, "o", json!({"a": 1, "b": [2]})).await.unwrap();
    let reordered: Value = serde_json::from_str(r#"{"b": [2], "a": 1}"#).unwrap();
    assert!(
        store
            .compare_and_swap(&n, "o", Some(reordered), Some(json!(1)))
            .await
            .unwrap()
            .swapped
    );
    assert!(
        !store
            .compare_and_swap(&n, "o", Some(json!(1.0)), Some(json!(2)))
            .await
            .unwrap()
            .swapped
    );
    // Value -> deletion.
    let deleted = store
        .compare_and_swap(&n, "o", Some(json!(1)), None)
        .await
        .unwrap();
    assert_eq!(
        deleted,
        CasOutcome {
            swapped: true,
            current: None
        }
    );
    assert_eq!(store.get(&n, "o").await.unwrap(), None);
    // Expected a value, found nothing.
    let missing = store
        .compare_and_swap(&n, "o", Some(json!(1)), Some(json!(2)))
        .await
        .unwrap();
    assert_eq!(
        missing,
        CasOutcome {
            swapped: false,
            current: None
        }
    );
    // Absent -> absent is a (successful) no-op.
    assert!(
        store
            .compare_and_swap(&n, "o", None, None)
            .await
            .unwrap()
            .swapped
    );
    assert_eq!(store.usage(&n).await.unwrap().keys, 1);
}

async fn increment_counts_from_zero(make: Make) {
    let store = make(Quotas::default());
    let n = ns("n");
    assert_eq!(store.increment(&n, "c", 1).await.unwrap(), 1);
    assert_eq!(store.increment(&n, "c", 41).await.unwrap(), 42);
    assert_eq!(store.increment(&n, "c", -50).await.unwrap(), -8);
    assert_eq!(store.increment(&n, "c", 0).await.unwrap(), -8);
    assert_eq!(store.get(&n, "c").await.unwrap(), Some(json!(-8)));
    assert_eq!(store.increment(&n, "fresh", -3).await.unwrap(), -3);
    store.set(&n, "big", json!(i64::MAX as u64)).await.unwrap();
    assert_eq!(store.increment(&n, "big", -1).await.unwrap(), i64::MAX - 1);
}

async fn increment_refuses_non_integers_and_overflow(make: Make) {
    let store = make(Quotas::default());
    let n = ns("n");
    for value in [
        json!("1"),
        json!(1.5),
        json!(1.0),
        json!(u64::MAX),
        json!([1]),
        json!(true),
    ] {
        store.set(&n, "v", value.clone()).await.unwrap();
        let error = store.increment(&n, "v", 1).await.unwrap_err();
        assert!(
            matches!(&error, StoreError::NotAnInteger { key } if key == "v"),
            "{value}: {error:?}"
        );
        assert_eq!(store.get(&n, "v").await.unwrap(), Some(value));
    }
    store.set(&n, "max", json!(i64::MAX)).await.unwrap();
    assert!(matches!(
        store.increment(&n, "max", 1).await,
        Err(StoreError::Overflow { delta: 1, .. })
    ));
    store.set(&n, "min", json!(i64::MIN)).await.unwrap();
    assert!(matches!(
        store.increment(&n, "min", -1).await,
        Err(StoreError::Overflow { .. })
    ));
    assert_eq!(store.get(&n, "max").await.unwrap(), Some(json!(i64::MAX)));
}

async fn batches_commit_everything(make: Make) {
    let store = make(Quotas::default());
    let n = ns("n");
    store.set(&n, "old", json!(1)).await.unwrap();
    let outcome = store
        .apply(
            &n,
            vec![
                Op::Set {
                    key: "a".into(),
                    value: json!("x"),
                },
                Op::Delete { key: "old".into() },
                Op::Delete {
                    key: "never".into(),
                },
                Op::CompareAndSwap {
                    key: "b".into(),
                    expected: None,
                    new: Some(json!(2)),
                },
                Op::Increment {
                    key: "c".into(),
                    delta: 5,
                },
                // Later operations see earlier ones.
                Op::Increment {
                    key: "c".into(),
                    delta: 5,
                },
                Op::CompareAndSwap {
                    key: "a".into(),
                    expected: Some(json!("x")),
                    new: Some(json!("y")),
                },
                Op::Set {
                    key: "gone".into(),
                    value: json!(1),
                },
                Op::Delete { key: "gone".into() },
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        outcome,
        BatchOutcome::Committed(vec![
            OpResult::Set,
            OpResult::Deleted(true),
            OpResult::Deleted(false),
            OpResult::Swapped,
            OpResult::Incremented(5),
            OpResult::Incremented(10),
            OpResult::Swapped,
            OpResult::Set,
            OpResult::Deleted(true),
        ])
    );
    let keys = vec![
        "a".into(),
        "b".into(),
        "c".into(),
        "old".into(),
        "gone".into(),
    ];
    assert_eq!(
        store.get_many(&n, keys).await.unwrap(),
        [
            Some(json!("y")),
            Some(json!(2)),
            Some(json!(10)),
            None,
            None
        ]
    );
    let usage = store.usage(&n).await.unwrap();
    assert_eq!(usage.keys, 3);
    assert_eq!(
        usage.bytes,
        size("a", &json!("y")) + size("b", &json!(2)) + size("c", &json!(10))
    );
    assert_eq!(
        store.apply(&n, vec![]).await.unwrap(),
        BatchOutcome::Committed(vec![])
    );
}

async fn batches_are_all_or_nothing(make: Make) {
    let store = make(Quotas::new(Quota::default().with_max_keys(3)));
    let n = ns("n");
    store.set(&n, "s", json!("text")).await.unwrap();
    let before = store.usage(&n).await.unwrap();
    let check_untouched = || async {
        let keys = vec!["a".into(), "b".into(), "s".into()];
        assert_eq!(
            store.get_many(&n, keys).await.unwrap(),
            [None, None, Some(json!("text"))]
        );
        assert_eq!(store.usage(&n).await.unwrap(), before);
    };
    // A compare-and-swap that does not match: nothing, and where it failed.
    let mismatch = store
        .apply(
            &n,
            vec![
                Op::Set {
                    key: "a".into(),
                    value: json!(1),
                },
                Op::CompareAndSwap {
                    key: "s".into(),
                    expected: Some(json!("other")),
                    new: None,
                },
                Op::Set {
                    key: "b".into(),
                    value: json!(2),
                },
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        mismatch,
        BatchOutcome::Mismatch {
            index: 1,
            current: Some(json!("text"))
        }
    );
    check_untouched().await;
    // An increment of a string, after two good writes.
    let error = store
        .apply(
            &n,
            vec![
                Op::Set {
                    key: "a".into(),
                    value: json!(1),
                },
                Op::Delete { key: "s".into() },
                Op::Increment {
                    key: "s".into(),
                    delta: 1,
                },
                Op::Increment {
                    key: "a".into(),
                    delta: 1,
                },
            ],
        )
        .await;
    assert!(
        error.is_ok(),
        "deleting then incrementing starts from 0: {error:?}"
    );
    store
        .apply(
            &n,
            vec![
                Op::Delete { key: "a".into() },
                Op::Set {
                    key: "s".into(),
                    value: json!("text"),
                },
            ],
        )
        .await
        .unwrap();
    check_untouched().await;
    let error = store
        .apply(
            &n,
            vec![
                Op::Set {
                    key: "a".into(),
                    value: json!(1),
                },
                Op::Increment {
                    key: "s".into(),
                    delta: 1,
                },
            ],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(error, StoreError::NotAnInteger { .. }),
        "{error:?}"
    );
    check_untouched().await;
    // A quota crossed by the batch as a whole.
    let error = store
        .apply(
            &n,
            vec![
                Op::Set {
                    key: "a".into(),
                    value: json!(1),
                },
                Op::Set {
                    key: "b".into(),
                    value: json!(2),
                },
                Op::Set {
                    key: "c".into(),
                    value: json!(3),
                },
            ],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            StoreError::QuotaExceeded {
                quota: QuotaKind::Keys,
                limit: 3,
                requested: 4
            }
        ),
        "{error:?}"
    );
    check_untouched().await;
}

async fn batches_are_bounded(make: Make) {
    let store = make(Quotas::default());
    let n = ns("n");
    let ops = |len: usize| -> Vec<Op> {
        (0..len)
            .map(|i| Op::Increment {
                key: format!("k{}", i % 7),
                delta: 1,
            })
            .collect()
    };
    store.apply(&n, ops(MAX_BATCH_OPS)).await.unwrap();
    assert!(matches!(
        store.apply(&n, ops(MAX_BATCH_OPS + 1)).await,
        Err(StoreError::TooMany { what: Bounded::BatchOps, len, max: MAX_BATCH_OPS }) if len == MAX_BATCH_OPS + 1
    ));
    let total: i64 = store
        .get_many(&n, (0..7).map(|i| format!("k{i}")).collect())
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.unwrap().as_i64().unwrap())
        .sum();
    assert_eq!(total, MAX_BATCH_OPS as i64);
}

async fn usage_follows_every_write(make: Make) {
    let store = make(Quotas::default());
    let n = ns("n");
    let mut expect = Usage::default();
    assert_eq!(store.usage(&n).await.unwrap(), expect);
    store.set(&n, "key", json!("abc")).await.unwrap();
    expect = Usage {
        keys: 1,
        bytes: size("key", &json!("abc")),
    };
    assert_eq!(store.usage(&n).await.unwrap(), expect);
    store.set(&n, "key", json!("abcdef")).await.unwrap();
    expect.bytes = size("key", &json!("abcdef"));
    assert_eq!(store.usage(&n).await.unwrap(), expect);
    store.increment(&n, "n", 100).await.unwrap();
    expect = Usage {
        keys: 2,
        bytes: expect.bytes + size("n", &json!(100)),
    };
    assert_eq!(store.usage(&n).await.unwrap(), expect);
    store
        .compare_and_swap(&n, "key", Some(json!("abcdef")), None)
        .await
        .unwrap();
    expect = Usage {
        keys: 1,
        bytes: size("n", &json!(100)),
    };
    assert_eq!(store.usage(&n).await.unwrap(), expect);
    store.delete(&n, "n").await.unwrap();
    assert_eq!(store.usage(&n).await.unwrap(), Usage::default());
}

async fn key_quota(make: Make) {
    let store = make(Quotas::new(Quota::default().with_max_keys(3)));
    let n = ns("n");
    for key in ["a", "b", "c"] {
        store.set(&n, key, json!(1)).await.unwrap();
    }
    let error = store.set(&n, "d", json!(1)).await.unwrap_err();
    assert!(
        matches!(
            error,
            StoreError::QuotaExceeded {
                quota: QuotaKind::Keys,
                limit: 3,
                requested: 4
            }
        ),
        "{error:?}"
    );
    assert!(matches!(
        store.increment(&n, "d", 1).await,
        Err(StoreError::QuotaExceeded { .. })
    ));
    // Overwriting and replacing within the quota still work.
    store.set(&n, "a", json!("bigger value")).await.unwrap();
    store
        .apply(
            &n,
            vec![
                Op::Delete { key: "a".into() },
                Op::Set {
                    key: "d".into(),
                    value: json!(1),
                },
            ],
        )
        .await
        .unwrap();
    assert_eq!(store.usage(&n).await.unwrap().keys, 3);
    assert_eq!(store.get(&n, "d").await.unwrap(), Some(json!(1)));
}

async fn byte_quota(make: Make) {
    let limit = size("a", &json!("0123456789")) * 2;
    let store = make(Quotas::new(Quota::default().with_max_bytes(limit)));
    let n = ns("n");
    store.set(&n, "a", json!("0123456789")).await.unwrap();
    store.set(&n, "b", json!("0123456789")).await.unwrap();
    assert_eq!(store.usage(&n).await.unwrap().bytes, limit);
    let error = store.set(&n, "b", json!("01234567890")).await.unwrap_err();
    assert!(
        matches!(error, StoreError::QuotaExceeded { quota: QuotaKind::Bytes, limit: l, requested } if l == limit && requested == limit + 1),
        "{error:?}"
    );
    assert!(matches!(
        store.set(&n, "c", json!(1)).await,
        Err(StoreError::QuotaExceeded {
            quota: QuotaKind::Bytes,
            ..
        })
    ));
    store.set(&n, "b", json!("012345678")).await.unwrap();
    assert_eq!(store.usage(&n).await.unwrap().bytes, limit - 1);
}

async fn value_quota(make: Make) {
    let store = make(Quotas::new(Quota::default().with_max_value_bytes(10)));
    let n = ns("n");
    store.set(&n, "k", json!("12345678")).await.unwrap(); // 10 bytes of JSON
    let error = store.set(&n, "k", json!("123456789")).await.unwrap_err();
    assert!(
        matches!(error, StoreError::ValueTooLarge { size: 11, max: 10 }),
        "{error:?}"
    );
    let cas = store
        .compare_and_swap(&n, "k", None, Some(json!("123456789")))
        .await;
    assert!(
        matches!(cas, Err(StoreError::ValueTooLarge { .. })),
        "{cas:?}"
    );
    // The expected value of a compare-and-swap is not stored: it may be any size.
    let miss = store
        .compare_and_swap(&n, "k", Some(json!("a much longer expectation")), None)
        .await
        .unwrap();
    assert!(!miss.swapped);
    assert_eq!(store.get(&n, "k").await.unwrap(), Some(json!("12345678")));
}

async fn over_a_lowered_quota_only_shrinking_writes_pass(make: Make) {
    let n = ns("n");
    let roomy = make(Quotas::default());
    for key in ["a", "b", "c"] {
        roomy.set(&n, key, json!("123456")).await.unwrap(); // 9 bytes each
    }
    let store = roomy.with_quotas(Quotas::new(
        Quota::default().with_max_keys(2).with_max_bytes(20),
    ));
    // Growing fails: another key, a bigger value.
    assert!(matches!(
        store.set(&n, "d", json!(1)).await,
        Err(StoreError::QuotaExceeded {
            quota: QuotaKind::Keys,
            ..
        })
    ));
    assert!(matches!(
        store.set(&n, "a", json!("1234567")).await,
        Err(StoreError::QuotaExceeded {
            quota: QuotaKind::Bytes,
            ..
        })
    ));
    // Same size, shrinking, deleting and replacing pass.
    store.set(&n, "a", json!("abcdef")).await.unwrap();
    store.set(&n, "b", json!("1")).await.unwrap();
    assert!(store.delete(&n, "c").await.unwrap());
    store
        .apply(
            &n,
            vec![
                Op::Delete { key: "b".into() },
                Op::Set {
                    key: "e".into(),
                    value: json!(2),
                },
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        store.usage(&n).await.unwrap(),
        Usage {
            keys: 2,
            bytes: 9 + 2
        }
    );
}

async fn quotas_per_namespace(make: Make) {
    let small = ns("small");
    let store =
        make(Quotas::default().with_namespace(small.clone(), Quota::default().with_max_keys(1)));
    store.set(&small, "a", json!(1)).await.unwrap();
    assert!(matches!(
        store.set(&small, "b", json!(1)).await,
        Err(StoreError::QuotaExceeded { .. })
    ));
    let other = ns("other");
    for key in ["a", "b", "c"] {
        store.set(&other, key, json!(1)).await.unwrap();
    }
    assert_eq!(store.quotas().get(&small).max_keys(), 1);
    assert_eq!(store.quotas().get(&other), Quota::default());
}
