//! What can go wrong in the store.

use core::fmt;

/// A store operation failed. Nothing was written (operations are atomic).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A key is empty or too long (see [`MAX_KEY_BYTES`](super::MAX_KEY_BYTES)).
    #[error("invalid key: {problem}")]
    InvalidKey {
        /// What is wrong with it.
        problem: NameProblem,
    },
    /// A namespace name is empty or too long (see
    /// [`MAX_NAMESPACE_BYTES`](super::MAX_NAMESPACE_BYTES)).
    #[error("invalid namespace: {problem}")]
    InvalidNamespace {
        /// What is wrong with it.
        problem: NameProblem,
    },
    /// A value's JSON text is larger than the namespace's
    /// [`Quota::max_value_bytes`](super::Quota::max_value_bytes).
    #[error("value too large: {size} bytes of JSON, at most {max} allowed")]
    ValueTooLarge {
        /// The size of the value's JSON text.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// `null` was to be stored. A missing key reads as `null`, so storing it
    /// would be ambiguous: delete the key instead.
    #[error("null cannot be stored: delete the key instead")]
    NullValue,
    /// The write would take the namespace past one of its quotas.
    #[error("quota exceeded: {quota} would be {requested}, the limit is {limit}")]
    QuotaExceeded {
        /// Which quota.
        quota: QuotaKind,
        /// The quota.
        limit: u64,
        /// What the usage would have become.
        requested: u64,
    },
    /// `increment` found a value that is not an integer in the `i64` range.
    #[error("the value of key {key:?} is not an integer")]
    NotAnInteger {
        /// The key.
        key: String,
    },
    /// `increment` would overflow an `i64`.
    #[error("incrementing key {key:?} by {delta} overflows a 64-bit integer")]
    Overflow {
        /// The key.
        key: String,
        /// The increment.
        delta: i64,
    },
    /// A request asked for more than one operation may do (see
    /// [`MAX_BATCH_OPS`](super::MAX_BATCH_OPS),
    /// [`MAX_PAGE`](super::MAX_PAGE)).
    #[error("too many {what}: {len}, at most {max}")]
    TooMany {
        /// What there were too many of.
        what: Bounded,
        /// How many were asked for.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A list cursor that does not belong to the listing's prefix.
    #[error("invalid cursor: {cursor:?} does not start with the prefix {prefix:?}")]
    InvalidCursor {
        /// The cursor.
        cursor: String,
        /// The prefix.
        prefix: String,
    },
    /// The storage underneath failed (I/O, a corrupt file, a closed
    /// database, a stored value that is not JSON).
    #[error("storage backend failed: {context}")]
    Backend {
        /// What the store was doing.
        context: &'static str,
        /// The backend's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
}

impl StoreError {
    /// A backend failure while doing `context`.
    pub(crate) fn backend(
        context: &'static str,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        Self::Backend {
            context,
            source: source.into(),
        }
    }
}

/// What is wrong with a key or namespace name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NameProblem {
    /// It is empty.
    Empty,
    /// It is longer than allowed.
    TooLong {
        /// Its length in UTF-8 bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
}

impl fmt::Display for NameProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("empty"),
            Self::TooLong { len, max } => write!(f, "{len} bytes long, at most {max} allowed"),
        }
    }
}

/// The quota a write would exceed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum QuotaKind {
    /// [`Quota::max_keys`](super::Quota::max_keys).
    Keys,
    /// [`Quota::max_bytes`](super::Quota::max_bytes).
    Bytes,
}

impl QuotaKind {
    /// The name used on the wire: `keys` or `bytes`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Keys => "keys",
            Self::Bytes => "bytes",
        }
    }
}

impl fmt::Display for QuotaKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a request may only ask for so much of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Bounded {
    /// Operations in one batch.
    BatchOps,
    /// Keys read at once.
    Keys,
    /// Keys in one page of a listing.
    PageSize,
}

impl fmt::Display for Bounded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::BatchOps => "operations in a batch",
            Self::Keys => "keys in one read",
            Self::PageSize => "keys in a page",
        })
    }
}
