//! The store's tests: one suite run against every backend, plus what is
//! particular to a backend or to the host methods.

mod concurrency;
mod conformance;
mod host;
mod isolation;
mod redb;

use core::{future::Future, time::Duration};
use std::sync::Arc;

use super::{KvStore, MemoryStore, Namespace, Quotas, RedbStore};

/// How long a test may wait before it counts as hung (not a performance bound).
const HANG: Duration = Duration::from_secs(120);

/// Awaits `fut`, failing the test if it hangs.
async fn within<F: Future>(fut: F) -> F::Output {
    tokio::time::timeout(HANG, fut)
        .await
        .expect("timed out: the store hung")
}

/// A store under test, and whatever must live as long as it.
struct Fixture {
    store: Arc<dyn KvStore>,
    requota: Box<dyn Fn(Quotas) -> Arc<dyn KvStore> + Send + Sync>,
    _dir: Option<tempfile::TempDir>,
}

impl Fixture {
    /// The same data under other quotas.
    fn with_quotas(&self, quotas: Quotas) -> Arc<dyn KvStore> {
        (self.requota)(quotas)
    }
}

impl core::ops::Deref for Fixture {
    type Target = dyn KvStore;

    fn deref(&self) -> &Self::Target {
        &*self.store
    }
}

fn memory(quotas: Quotas) -> Fixture {
    let store = MemoryStore::new().with_quotas(quotas);
    Fixture {
        store: Arc::new(store.clone()),
        requota: Box::new(move |quotas| Arc::new(store.clone().with_quotas(quotas))),
        _dir: None,
    }
}

fn redb_file(quotas: Quotas) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = RedbStore::open(dir.path().join("store.redb"))
        .unwrap()
        .with_quotas(quotas);
    Fixture {
        store: Arc::new(store.clone()),
        requota: Box::new(move |quotas| Arc::new(store.clone().with_quotas(quotas))),
        _dir: Some(dir),
    }
}

fn ns(name: &str) -> Namespace {
    Namespace::new(name).unwrap()
}

/// Runs each listed suite function against every backend: a test module per
/// backend, a test per function.
macro_rules! per_backend {
    ($suite:ident: $($test:ident),* $(,)?) => {
        mod memory {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    crate::store::tests::within(super::$test(crate::store::tests::memory)).await;
                }
            )*
        }
        mod redb {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    crate::store::tests::within(super::$test(crate::store::tests::redb_file)).await;
                }
            )*
        }
    };
}
use per_backend;
