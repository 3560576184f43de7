//! The plugin key-value store on IndexedDB in a real browser (headless
//! Chromium via `wasm-bindgen-test`): `wasmi_hdk::store::IndexedDbStore`.
//!
//! Run by `web-demo/test.sh`; by hand:
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
//! cargo test -p wasmi-web --target wasm32-unknown-unknown --test store`.
#![cfg_attr(
    not(target_arch = "wasm32"),
    expect(
        unused_crate_dependencies,
        reason = "the browser tests are wasm32-only"
    )
)]
#![cfg(target_arch = "wasm32")]

use core::future::Future;

use futures::{FutureExt, future::Either, future::join_all, pin_mut};
use js_sys::{Function, Promise};
use serde_json::{Value, json};
use wasm_bindgen::{JsValue, prelude::wasm_bindgen};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use wasmi_hdk::{
    Plugin,
    store::{
        BatchOutcome, IndexedDbStore, KvStore, ListQuery, Namespace, Op, Quota, QuotaKind, Quotas,
        StoreError, StoreHost, Usage,
    },
};
use {tar as _, wasmi_web as _, wat as _};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: f64) -> JsValue;
}

/// Awaits `fut`, failing the test if it hangs (a hang bound, not a
/// performance bound).
async fn within<F: Future>(fut: F) -> F::Output {
    let timeout = JsFuture::from(Promise::new(&mut |resolve, _| {
        set_timeout(&resolve, 60_000.0);
    }))
    .fuse();
    let fut = fut.fuse();
    pin_mut!(timeout, fut);
    match futures::future::select(fut, timeout).await {
        Either::Left((output, _)) => output,
        Either::Right(_) => panic!("timed out: the store hung"),
    }
}

/// A fresh database.
async fn open(quotas: Quotas) -> (IndexedDbStore, String) {
    let name = format!("store-test-{}", js_sys::Math::random());
    let store = IndexedDbStore::open(&name)
        .await
        .unwrap()
        .with_quotas(quotas);
    (store, name)
}

fn ns(name: &str) -> Namespace {
    Namespace::new(name).unwrap()
}

#[wasm_bindgen_test]
async fn values_persist_across_connections() {
    within(async {
        let (store, name) = open(Quotas::default()).await;
        let n = ns("n");
        let value = json!({"text": "é\0😀", "n": [1, 2.5, -3], "big": u64::MAX});
        store.set(&n, "k", value.clone()).await.unwrap();
        assert_eq!(store.get(&n, "k").await.unwrap(), Some(value.clone()));
        assert_eq!(store.get(&n, "absent").await.unwrap(), None);
        let again = IndexedDbStore::open(&name).await.unwrap();
        assert_eq!(again.get(&n, "k").await.unwrap(), Some(value));
        assert!(again.delete(&n, "k").await.unwrap());
        assert!(!store.delete(&n, "k").await.unwrap());
        assert_eq!(store.usage(&n).await.unwrap(), Usage::default());
    })
    .await;
}

#[wasm_bindgen_test]
async fn cas_increment_and_their_errors() {
    within(async {
        let (store, _) = open(Quotas::default()).await;
        let n = ns("n");
        assert!(
            store
                .compare_and_swap(&n, "c", None, Some(json!(1)))
                .await
                .unwrap()
                .swapped
        );
        let miss = store
            .compare_and_swap(&n, "c", None, Some(json!(2)))
            .await
            .unwrap();
        assert_eq!((miss.swapped, miss.current), (false, Some(json!(1))));
        assert!(
            store
                .compare_and_swap(&n, "c", Some(json!(1)), None)
                .await
                .unwrap()
                .swapped
        );
        assert_eq!(store.increment(&n, "c", 5).await.unwrap(), 5);
        assert_eq!(store.increment(&n, "c", -7).await.unwrap(), -2);
        store.set(&n, "s", json!("text")).await.unwrap();
        assert!(matches!(
            store.increment(&n, "s", 1).await,
            Err(StoreError::NotAnInteger { .. })
        ));
        assert!(matches!(
            store.set(&n, "", json!(1)).await,
            Err(StoreError::InvalidKey { .. })
        ));
        assert!(matches!(
            store.set(&n, "k", Value::Null).await,
            Err(StoreError::NullValue)
        ));
        let usage = store.usage(&n).await.unwrap();
        assert_eq!(
            usage,
            Usage {
                keys: 2,
                bytes: (1 + 2 + 1 + 6) as u64
            }
        );
    })
    .await;
}

#[wasm_bindgen_test]
async fn batches_are_all_or_nothing() {
    within(async {
        let (store, _) = open(Quotas::new(Quota::default().with_max_keys(3))).await;
        let n = ns("n");
        store.set(&n, "s", json!("text")).await.unwrap();
        let committed = store
            .apply(
                &n,
                vec![
                    Op::Set {
                        key: "a".into(),
                        value: json!(1),
                    },
                    Op::Increment {
                        key: "a".into(),
                        delta: 1,
                    },
                    Op::Delete { key: "s".into() },
                ],
            )
            .await
            .unwrap();
        assert!(matches!(committed, BatchOutcome::Committed(ref r) if r.len() == 3));
        store.set(&n, "s", json!("text")).await.unwrap();
        let untouched = || async {
            let keys = vec!["a".into(), "b".into(), "s".into()];
            assert_eq!(
                store.get_many(&n, keys).await.unwrap(),
                [Some(json!(2)), None, Some(json!("text"))]
            );
        };
        let mismatch = store
            .apply(
                &n,
                vec![
                    Op::Set {
                        key: "b".into(),
                        value: json!(1),
                    },
                    Op::CompareAndSwap {
                        key: "s".into(),
                        expected: Some(json!("other")),
                        new: None,
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
        untouched().await;
        let error = store
            .apply(
                &n,
                vec![
                    Op::Set {
                        key: "b".into(),
                        value: json!(1),
                    },
                    Op::Increment {
                        key: "s".into(),
                        delta: 1,
                    },
                ],
            )
            .await;
        assert!(
            matches!(error, Err(StoreError::NotAnInteger { .. })),
            "{error:?}"
        );
        untouched().await;
        let quota = store
            .apply(
                &n,
                vec![
                    Op::Set {
                        key: "b".into(),
                        value: json!(1),
                    },
                    Op::Set {
                        key: "c".into(),
                        value: json!(1),
                    },
                ],
            )
            .await;
        assert!(
            matches!(
                quota,
                Err(StoreError::QuotaExceeded {
                    quota: QuotaKind::Keys,
                    ..
                })
            ),
            "{quota:?}"
        );
        untouched().await;
        assert_eq!(store.usage(&n).await.unwrap().keys, 2);
    })
    .await;
}

#[wasm_bindgen_test]
async fn listing_pages_and_namespaces_stay_apart() {
    within(async {
        let (store, _) = open(Quotas::default()).await;
        let (a, ab) = (ns("a"), ns("a/b"));
        store.set(&a, "b/c", json!("a")).await.unwrap();
        store.set(&ab, "c", json!("a/b")).await.unwrap();
        assert_eq!(store.get(&a, "b/c").await.unwrap(), Some(json!("a")));
        assert_eq!(store.get(&ab, "c").await.unwrap(), Some(json!("a/b")));
        assert_eq!(store.list(&ab, ListQuery::new()).await.unwrap().keys, ["c"]);
        for i in 0..25 {
            store
                .set(&a, &format!("user/{i:02}"), json!(i))
                .await
                .unwrap();
        }
        store.set(&a, "usex", json!(0)).await.unwrap();
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let query = ListQuery::new()
                .with_prefix("user/")
                .with_cursor(cursor.take())
                .with_limit(10);
            let page = store.list(&a, query).await.unwrap();
            seen.extend(page.keys);
            match page.cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(
            seen,
            (0..25).map(|i| format!("user/{i:02}")).collect::<Vec<_>>()
        );
        assert_eq!(
            store.list(&a, ListQuery::new()).await.unwrap().keys.len(),
            27
        );
    })
    .await;
}

#[wasm_bindgen_test]
async fn concurrent_counters_end_exact() {
    within(async {
        let (store, _) = open(Quotas::default()).await;
        let n = ns("n");
        let mut seen: Vec<i64> = join_all((0..64).map(|_| store.increment(&n, "inc", 1)))
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        seen.sort_unstable();
        assert_eq!(seen, (1..=64).collect::<Vec<_>>());
        let tasks = (0..16).map(|_| async {
            for _ in 0..4 {
                let mut current = store.get(&n, "cas").await.unwrap();
                loop {
                    let next = current.as_ref().map_or(0, |v| v.as_i64().unwrap()) + 1;
                    let swap = store
                        .compare_and_swap(&n, "cas", current.clone(), Some(json!(next)))
                        .await
                        .unwrap();
                    if swap.swapped {
                        break;
                    }
                    current = swap.current;
                }
            }
        });
        join_all(tasks).await;
        assert_eq!(store.get(&n, "cas").await.unwrap(), Some(json!(64)));
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_plugin_keeps_state_in_indexeddb() {
    within(async {
        let (store, _) = open(Quotas::default()).await;
        let plugin = Plugin::builder()
            .with_name("counter")
            .with_host(StoreHost::new(store.clone()))
            .build(test_plugin_artifacts::TEST_PLUGIN)
            .unwrap();
        let call = json!({"method": "store.increment", "params": ["visits"]});
        assert_eq!(plugin.call_raw("call_host", call.clone()).await.unwrap(), 1);
        assert_eq!(plugin.call_raw("call_host", call).await.unwrap(), 2);
        let ns = Namespace::plugin("counter").unwrap();
        assert_eq!(store.get(&ns, "visits").await.unwrap(), Some(json!(2)));
    })
    .await;
}
