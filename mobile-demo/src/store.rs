use std::{path::PathBuf, sync::Arc};

use serde_json::Value;
use wasmi_hdk::{
    RpcError,
    store::{KvStore, ListQuery, MemoryStore, Namespace, RedbStore, StoreError as HostStoreError},
};

/// The file a [`Store`] keeps in its directory.
pub const STORE_FILE: &str = "plugins.redb";

/// A key-value store plugins keep their state in (PROTOCOL.md §11), a
/// namespace per plugin (`plugin:NAME`): a redb file in the app's
/// directory (ACID, crash-safe), or memory. Give it to plugins with
/// [`PluginConfig::store`](crate::PluginConfig::store); read and write any
/// namespace with its methods (values are JSON text).
///
/// Open a directory once and share the object: only one `Store` may have
/// the file open at a time.
///
/// ```
/// # futures::executor::block_on(async {
/// use mobile_demo::{Plugin, PluginConfig, Store, embedded_test_plugin, plugin_namespace};
///
/// let dir = tempfile::tempdir().unwrap();
/// let store = Store::open(dir.path().to_str().unwrap().into())?;
/// let config = PluginConfig { name: "counter".into(), store: Some(store.clone()), ..PluginConfig::default() };
/// let plugin = Plugin::new(embedded_test_plugin(), config).unwrap();
/// let visit = r#"{"method": "store.increment", "params": ["visits"]}"#;
/// assert_eq!(plugin.call("call_host".into(), visit.into()).await.unwrap(), "1");
/// let ns = plugin_namespace("counter".into())?;
/// assert_eq!(store.get(ns, "visits".into()).await?, Some("1".to_owned()));
/// # Ok::<(), mobile_demo::StoreError>(()) }).unwrap();
/// ```
#[derive(Debug, uniffi::Object)]
pub struct Store {
    store: Arc<dyn KvStore>,
}

/// One page of [`Store::list`].
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StorePage {
    /// The keys, in byte order.
    pub keys: Vec<String>,
    /// Pass it back for the next page; `None` at the end.
    pub cursor: Option<String>,
}

/// Why a store operation failed; nothing was written. A Swift `Error`, a
/// Kotlin `StoreException`, a Python exception. The cases are those a
/// plugin sees as JSON-RPC codes (PROTOCOL.md §11).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A bad key, namespace, value or limit (a plugin gets `-32602`).
    #[error("invalid input: {reason}")]
    InvalidInput {
        /// What was wrong.
        reason: String,
    },
    /// The write would take the namespace past a quota (a plugin gets
    /// `-32004`).
    #[error("quota exceeded: {quota} would be {requested}, the limit is {limit}")]
    QuotaExceeded {
        /// Which quota: `keys`, `bytes` or `value_bytes`.
        quota: String,
        /// The quota.
        limit: u64,
        /// What it would have become.
        requested: u64,
    },
    /// `increment` found a value that is not an integer, or overflowed (a
    /// plugin gets `-32005`).
    #[error("not an integer: {reason}")]
    NotAnInteger {
        /// What happened.
        reason: String,
    },
    /// The storage failed: the directory or file cannot be opened (or is
    /// open elsewhere), I/O, a corrupt file.
    #[error("storage failed: {reason}")]
    Backend {
        /// The cause, with its causes.
        reason: String,
    },
}

impl From<HostStoreError> for StoreError {
    fn from(error: HostStoreError) -> Self {
        let reason = chain(&error);
        let rpc = RpcError::from(error);
        let data = rpc.data.unwrap_or_default();
        let number = |field: &str| data.get(field).and_then(Value::as_u64).unwrap_or_default();
        match rpc.code {
            wasmi_hdk::protocol::codes::INVALID_PARAMS => Self::InvalidInput { reason },
            wasmi_hdk::protocol::codes::QUOTA_EXCEEDED => Self::QuotaExceeded {
                quota: data
                    .get("quota")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                limit: number("limit"),
                requested: number("requested"),
            },
            wasmi_hdk::protocol::codes::NOT_AN_INTEGER => Self::NotAnInteger { reason },
            _ => Self::Backend { reason },
        }
    }
}

/// An error and its causes, `: `-separated.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The namespace plugin `name` keeps its state in: `plugin:NAME`.
///
/// # Errors
///
/// `InvalidInput` for an empty name or one too long.
#[uniffi::export]
pub fn plugin_namespace(name: String) -> Result<String, StoreError> {
    Namespace::plugin(&name)
        .map(|ns| ns.as_str().to_owned())
        .map_err(invalid)
}

#[uniffi::export]
impl Store {
    /// Opens the store in `directory` (the file `plugins.redb` in it),
    /// creating both if they do not exist. A file left by a crash opens at
    /// its last commit.
    ///
    /// # Errors
    ///
    /// `Backend` if the directory or file cannot be created or opened, or
    /// the file is open elsewhere.
    #[uniffi::constructor]
    pub fn open(directory: String) -> Result<Arc<Self>, StoreError> {
        let directory = PathBuf::from(directory);
        std::fs::create_dir_all(&directory).map_err(|e| StoreError::Backend {
            reason: format!("cannot create {}: {e}", directory.display()),
        })?;
        let store = RedbStore::open(directory.join(STORE_FILE))?;
        Ok(Arc::new(Self {
            store: Arc::new(store),
        }))
    }

    /// A store in memory, gone with the object.
    #[uniffi::constructor]
    pub fn in_memory() -> Arc<Self> {
        Arc::new(Self {
            store: Arc::new(MemoryStore::new()),
        })
    }

    /// The value of `key` in `namespace` as JSON text, `None` if absent.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a bad namespace or key; `Backend`.
    pub async fn get(&self, namespace: String, key: String) -> Result<Option<String>, StoreError> {
        let ns = namespace_of(&namespace)?;
        let value = self.store.get(&ns, &key).await?;
        Ok(value.map(|v| v.to_string()))
    }

    /// Stores the JSON text `value_json` (not `null`) under `key` in
    /// `namespace`, within the namespace's quota.
    ///
    /// # Errors
    ///
    /// `InvalidInput` (not JSON, `null`, a bad key), `QuotaExceeded`, `Backend`.
    pub async fn set(
        &self,
        namespace: String,
        key: String,
        value_json: String,
    ) -> Result<(), StoreError> {
        let ns = namespace_of(&namespace)?;
        let value: Value =
            serde_json::from_str(&value_json).map_err(|e| StoreError::InvalidInput {
                reason: format!("the value is not JSON: {e}"),
            })?;
        self.store.set(&ns, &key, value).await?;
        Ok(())
    }

    /// Removes `key` from `namespace`; whether it existed.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a bad namespace or key; `Backend`.
    pub async fn delete(&self, namespace: String, key: String) -> Result<bool, StoreError> {
        let ns = namespace_of(&namespace)?;
        Ok(self.store.delete(&ns, &key).await?)
    }

    /// One page of the keys of `namespace` that start with `prefix`, after
    /// `cursor` (the previous page's), at most `limit` (1 to 1000).
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a limit over 1000 or a cursor outside `prefix`;
    /// `Backend`.
    #[uniffi::method(default(prefix = "", cursor = None, limit = 100))]
    pub async fn list(
        &self,
        namespace: String,
        prefix: String,
        cursor: Option<String>,
        limit: u32,
    ) -> Result<StorePage, StoreError> {
        let ns = namespace_of(&namespace)?;
        let query = ListQuery::new()
            .with_prefix(prefix)
            .with_cursor(cursor)
            .with_limit(limit as usize);
        let page = self.store.list(&ns, query).await?;
        Ok(StorePage {
            keys: page.keys,
            cursor: page.cursor,
        })
    }

    /// Adds `delta` to the integer under `key` in `namespace` (missing: 0),
    /// atomically; the new value.
    ///
    /// # Errors
    ///
    /// `NotAnInteger`, `InvalidInput`, `QuotaExceeded`, `Backend`.
    #[uniffi::method(default(delta = 1))]
    pub async fn increment(
        &self,
        namespace: String,
        key: String,
        delta: i64,
    ) -> Result<i64, StoreError> {
        let ns = namespace_of(&namespace)?;
        Ok(self.store.increment(&ns, &key, delta).await?)
    }
}

impl Store {
    /// The store, for a plugin's host.
    pub(crate) fn shared(&self) -> Arc<dyn KvStore> {
        self.store.clone()
    }
}

fn namespace_of(name: &str) -> Result<Namespace, StoreError> {
    Namespace::new(name).map_err(invalid)
}

fn invalid(error: HostStoreError) -> StoreError {
    StoreError::InvalidInput {
        reason: error.to_string(),
    }
}
