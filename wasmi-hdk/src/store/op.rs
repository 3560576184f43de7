//! The operations a store performs, and what they answer.

use serde_json::Value;

use super::DEFAULT_PAGE;

/// One write of a batch ([`KvStore::apply`](super::KvStore::apply)).
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Stores `value` (not `null`) under `key`.
    Set {
        /// The key.
        key: String,
        /// The value.
        value: Value,
    },
    /// Removes `key` (not an error if it is absent).
    Delete {
        /// The key.
        key: String,
    },
    /// If `key` holds `expected` (`None`: is absent), stores `new` (`None`:
    /// deletes it). Values compare as JSON values: `1` and `1.0` differ,
    /// object key order does not matter. A mismatch aborts the whole batch.
    CompareAndSwap {
        /// The key.
        key: String,
        /// What the key must hold; `None` for "absent".
        expected: Option<Value>,
        /// What to store; `None` deletes.
        new: Option<Value>,
    },
    /// Adds `delta` to the integer under `key`; a missing key counts as 0.
    Increment {
        /// The key.
        key: String,
        /// What to add (may be negative).
        delta: i64,
    },
}

impl Op {
    /// The key the operation writes.
    pub fn key(&self) -> &str {
        match self {
            Self::Set { key, .. }
            | Self::Delete { key }
            | Self::CompareAndSwap { key, .. }
            | Self::Increment { key, .. } => key,
        }
    }
}

/// What one operation of a committed batch did.
#[derive(Debug, Clone, PartialEq)]
pub enum OpResult {
    /// The value was stored.
    Set,
    /// The key was removed; whether it existed.
    Deleted(bool),
    /// The compare-and-swap matched and was applied.
    Swapped,
    /// The new value of the counter.
    Incremented(i64),
}

/// What a batch did: all of it, or (a compare-and-swap did not match)
/// nothing.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchOutcome {
    /// Every operation was applied, atomically; one result per operation.
    Committed(Vec<OpResult>),
    /// Operation `index`, a compare-and-swap, found `current` instead of
    /// what it expected; nothing was written.
    Mismatch {
        /// The index of the compare-and-swap in the batch.
        index: usize,
        /// What its key holds (`None`: absent), as of the batch's snapshot.
        current: Option<Value>,
    },
}

/// What a compare-and-swap did.
#[derive(Debug, Clone, PartialEq)]
pub struct CasOutcome {
    /// Whether the value matched and was swapped.
    pub swapped: bool,
    /// The key's value now (`None`: absent): the new value if swapped,
    /// otherwise the one that did not match, so a retry loop needs no
    /// extra read.
    pub current: Option<Value>,
}

/// Which keys to list: those starting with a prefix, after a cursor.
///
/// ```
/// use wasmi_hdk::store::ListQuery;
///
/// let query = ListQuery::new().with_prefix("user/").with_limit(10);
/// assert_eq!(query.limit(), 10);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    prefix: String,
    cursor: Option<String>,
    limit: usize,
}

impl Default for ListQuery {
    fn default() -> Self {
        Self {
            prefix: String::new(),
            cursor: None,
            limit: DEFAULT_PAGE,
        }
    }
}

impl ListQuery {
    /// Every key, [`DEFAULT_PAGE`] at a time.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only keys starting with `prefix` (byte for byte).
    #[must_use]
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Continues after `cursor`, the [`Page::cursor`] of the previous page.
    #[must_use]
    pub fn with_cursor(mut self, cursor: Option<String>) -> Self {
        self.cursor = cursor;
        self
    }

    /// At most `limit` keys: 1 to [`MAX_PAGE`](super::MAX_PAGE); 0 counts
    /// as 1.
    #[must_use]
    pub fn with_limit(mut self, limit: usize) -> Self {
        self.limit = limit.max(1);
        self
    }

    /// The prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The cursor.
    pub fn cursor(&self) -> Option<&str> {
        self.cursor.as_deref()
    }

    /// The page size.
    pub fn limit(&self) -> usize {
        self.limit
    }
}

/// One page of a listing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    /// The keys, in the backend's order (byte order natively).
    pub keys: Vec<String>,
    /// Where the next page starts, if there may be one.
    pub cursor: Option<String>,
}
