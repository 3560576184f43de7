//! Quotas per namespace, the usage they bound, and the bounds on one request.

use std::{collections::HashMap, sync::Arc};

use super::Namespace;

/// Most operations in one batch ([`KvStore::apply`](super::KvStore::apply)).
pub const MAX_BATCH_OPS: usize = 128;

/// Most keys read at once ([`KvStore::get_many`](super::KvStore::get_many)).
pub const MAX_GET_KEYS: usize = 128;

/// Most keys in one page of a listing.
pub const MAX_PAGE: usize = 1000;

/// Keys in a page of a listing when the caller names no limit.
pub const DEFAULT_PAGE: usize = 100;

/// What one namespace may hold.
///
/// An entry counts its key's UTF-8 bytes plus its value's JSON text.
/// A write that does not make usage grow is always allowed, so a namespace
/// over a lowered quota can still delete and shrink. The defaults: 10,000
/// keys, 8 MiB, 64 KiB per value.
///
/// ```
/// use wasmi_hdk::store::Quota;
///
/// let quota = Quota::default().with_max_keys(100).with_max_value_bytes(1024);
/// assert_eq!(quota.max_keys(), 100);
/// assert_eq!(quota.max_bytes(), 8 << 20);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    max_keys: u64,
    max_bytes: u64,
    max_value_bytes: u64,
}

impl Default for Quota {
    fn default() -> Self {
        Self {
            max_keys: 10_000,
            max_bytes: 8 << 20,
            max_value_bytes: 64 << 10,
        }
    }
}

impl Quota {
    /// Sets the most keys the namespace may hold.
    #[must_use]
    pub fn with_max_keys(mut self, keys: u64) -> Self {
        self.max_keys = keys;
        self
    }

    /// Sets the most bytes (keys plus JSON values) the namespace may hold.
    #[must_use]
    pub fn with_max_bytes(mut self, bytes: u64) -> Self {
        self.max_bytes = bytes;
        self
    }

    /// Sets the largest value, in bytes of JSON text.
    #[must_use]
    pub fn with_max_value_bytes(mut self, bytes: u64) -> Self {
        self.max_value_bytes = bytes;
        self
    }

    /// The most keys the namespace may hold.
    pub fn max_keys(&self) -> u64 {
        self.max_keys
    }

    /// The most bytes (keys plus JSON values) the namespace may hold.
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// The largest value, in bytes of JSON text.
    pub fn max_value_bytes(&self) -> u64 {
        self.max_value_bytes
    }
}

/// The quota of every namespace: one default, and overrides by name.
///
/// ```
/// use wasmi_hdk::store::{Namespace, Quota, Quotas};
///
/// let big = Namespace::new("shared")?;
/// let quotas = Quotas::new(Quota::default())
///     .with_namespace(big.clone(), Quota::default().with_max_bytes(64 << 20));
/// assert_eq!(quotas.get(&big).max_bytes(), 64 << 20);
/// assert_eq!(quotas.get(&Namespace::plugin("p")?).max_bytes(), 8 << 20);
/// # Ok::<(), wasmi_hdk::store::StoreError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Quotas {
    default: Quota,
    overrides: Arc<HashMap<Namespace, Quota>>,
}

impl Quotas {
    /// `default` for every namespace.
    pub fn new(default: Quota) -> Self {
        Self {
            default,
            overrides: Arc::default(),
        }
    }

    /// Gives `namespace` its own quota.
    #[must_use]
    pub fn with_namespace(mut self, namespace: Namespace, quota: Quota) -> Self {
        Arc::make_mut(&mut self.overrides).insert(namespace, quota);
        self
    }

    /// The quota of `namespace`.
    pub fn get(&self, namespace: &Namespace) -> Quota {
        self.overrides
            .get(namespace)
            .copied()
            .unwrap_or(self.default)
    }
}

/// What a namespace holds: kept in the same transaction as the data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Usage {
    /// Keys.
    pub keys: u64,
    /// Bytes: keys plus JSON values.
    pub bytes: u64,
}
