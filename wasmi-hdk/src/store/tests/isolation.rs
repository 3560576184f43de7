//! Namespaces cannot be crossed, whatever the keys.

use serde_json::json;

use super::{Fixture, ns, per_backend};
use crate::store::{ListQuery, MAX_KEY_BYTES, MAX_NAMESPACE_BYTES, Namespace, Op, Quota, Quotas};

type Make = fn(Quotas) -> Fixture;

per_backend!(isolation:
    same_keys_in_two_namespaces_are_different_entries,
    crafted_keys_stay_in_their_namespace,
    listing_never_shows_another_namespace,
    quotas_and_usage_are_per_namespace,
);

async fn same_keys_in_two_namespaces_are_different_entries(make: Make) {
    let store = make(Quotas::default());
    let (a, b) = (
        Namespace::plugin("a").unwrap(),
        Namespace::plugin("b").unwrap(),
    );
    store.set(&a, "k", json!("a's")).await.unwrap();
    store.set(&b, "k", json!("b's")).await.unwrap();
    assert_eq!(store.get(&a, "k").await.unwrap(), Some(json!("a's")));
    assert_eq!(store.get(&b, "k").await.unwrap(), Some(json!("b's")));
    assert!(store.delete(&a, "k").await.unwrap());
    assert_eq!(store.get(&b, "k").await.unwrap(), Some(json!("b's")));
    assert_eq!(store.increment(&a, "n", 1).await.unwrap(), 1);
    assert_eq!(store.increment(&b, "n", 1).await.unwrap(), 1);
}

/// Pairs `(namespace, key)` that a store joining the two into one string
/// (with or without a separator, a NUL or a length) would confuse.
fn confusable() -> Vec<(String, String)> {
    let long_ns = "n".repeat(MAX_NAMESPACE_BYTES);
    vec![
        ("a".into(), "b/c".into()),
        ("a/b".into(), "c".into()),
        ("ab".into(), "c".into()),
        ("a".into(), "bc".into()),
        ("a".into(), "\0b".into()),
        ("a\0".into(), "b".into()),
        ("a".into(), ":b".into()),
        ("a:".into(), "b".into()),
        ("plugin:a".into(), "k".into()),
        ("plugin".into(), "a:k".into()),
        ("x".into(), "../y/k".into()),
        ("y".into(), "k".into()),
        ("1a".into(), "b".into()),
        ("1".into(), "ab".into()),
        (long_ns.clone(), "k".repeat(MAX_KEY_BYTES)),
        (
            long_ns[..MAX_NAMESPACE_BYTES - 1].into(),
            format!("n{}", "k".repeat(MAX_KEY_BYTES - 1)),
        ),
    ]
}

async fn crafted_keys_stay_in_their_namespace(make: Make) {
    let store = make(Quotas::default());
    let pairs = confusable();
    for (i, (namespace, key)) in pairs.iter().enumerate() {
        store.set(&ns(namespace), key, json!(i)).await.unwrap();
    }
    for (i, (namespace, key)) in pairs.iter().enumerate() {
        let n = ns(namespace);
        assert_eq!(
            store.get(&n, key).await.unwrap(),
            Some(json!(i)),
            "{namespace:?} {key:?}"
        );
        // Each namespace lists exactly its own keys.
        let mut own: Vec<String> = pairs
            .iter()
            .filter(|(other, _)| other == namespace)
            .map(|(_, key)| key.clone())
            .collect();
        own.sort();
        assert_eq!(
            store.usage(&n).await.unwrap().keys,
            own.len() as u64,
            "{namespace:?}"
        );
        let all = store.list(&n, ListQuery::new()).await.unwrap();
        assert_eq!(all.keys, own, "{namespace:?}");
    }
    // Deleting through one spelling leaves every other pair alone.
    let (victim_ns, victim_key) = &pairs[0];
    store.delete(&ns(victim_ns), victim_key).await.unwrap();
    for (i, (namespace, key)) in pairs.iter().enumerate().skip(1) {
        assert_eq!(
            store.get(&ns(namespace), key).await.unwrap(),
            Some(json!(i))
        );
    }
}

async fn listing_never_shows_another_namespace(make: Make) {
    let store = make(Quotas::default());
    let (a, ab, b) = (ns("a"), ns("ab"), ns("b"));
    store.set(&ab, "x", json!(1)).await.unwrap();
    store.set(&b, "", json!(1)).await.unwrap_err();
    store.set(&b, "\0", json!(1)).await.unwrap();
    store.set(&b, "a", json!(1)).await.unwrap();
    // `a` is empty: neither its neighbours before nor after leak in, with
    // or without a prefix, and a cursor cannot walk out of it.
    assert!(
        store
            .list(&a, ListQuery::new())
            .await
            .unwrap()
            .keys
            .is_empty()
    );
    assert!(
        store
            .list(&a, ListQuery::new().with_prefix("b"))
            .await
            .unwrap()
            .keys
            .is_empty()
    );
    assert!(
        store
            .list(&a, ListQuery::new().with_prefix("\0"))
            .await
            .unwrap()
            .keys
            .is_empty()
    );
    let after = ListQuery::new().with_cursor(Some("\u{10FFFF}".repeat(100)));
    assert!(store.list(&a, after).await.unwrap().keys.is_empty());
    store.set(&a, "m", json!(1)).await.unwrap();
    let page = store
        .list(&a, ListQuery::new().with_cursor(Some("m".into())))
        .await
        .unwrap();
    assert_eq!((page.keys.len(), page.cursor), (0, None));
    assert_eq!(
        store.list(&b, ListQuery::new()).await.unwrap().keys,
        ["\0", "a"]
    );
}

async fn quotas_and_usage_are_per_namespace(make: Make) {
    let store = make(Quotas::new(Quota::default().with_max_keys(2)));
    let (a, b) = (ns("a"), ns("b"));
    store
        .apply(
            &a,
            vec![
                Op::Set {
                    key: "1".into(),
                    value: json!(1),
                },
                Op::Set {
                    key: "2".into(),
                    value: json!(2),
                },
            ],
        )
        .await
        .unwrap();
    assert!(store.set(&a, "3", json!(3)).await.is_err());
    store.set(&b, "1", json!(1)).await.unwrap();
    store.set(&b, "2", json!(1)).await.unwrap();
    assert_eq!(store.usage(&a).await.unwrap().keys, 2);
    assert_eq!(store.usage(&b).await.unwrap().keys, 2);
}
