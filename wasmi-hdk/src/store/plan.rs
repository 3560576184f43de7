//! The write path every backend shares: check a batch, then, inside the
//! backend's transaction, work out from the current values and usage what
//! to write, what to answer and whether a quota stops it.
//!
//! The plan is pure: a backend reads the keys the batch touches and the
//! namespace's usage record, calls [`Prepared::plan`], and writes the
//! result (changed entries and the new usage) in the same transaction. So
//! the usage record can never drift from the data, and IndexedDB, whose
//! reads are asynchronous, follows the same code as redb and memory.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{
    BatchOutcome, Bounded, MAX_BATCH_OPS, Op, OpResult, Quota, QuotaKind, StoreError, Usage, check,
    namespace::check_key,
};

/// A stored value: its JSON text.
pub(crate) type Stored = Vec<u8>;

/// A batch whose keys and values passed the checks, values encoded.
#[derive(Debug)]
pub(crate) struct Prepared {
    ops: Vec<PreparedOp>,
    keys: Vec<String>,
}

#[derive(Debug)]
enum PreparedOp {
    Set {
        key: String,
        bytes: Stored,
    },
    Delete {
        key: String,
    },
    Cas {
        key: String,
        expected: Option<Value>,
        new: Option<Stored>,
    },
    Increment {
        key: String,
        delta: i64,
    },
}

/// What to write, and what to answer.
#[derive(Debug)]
pub(crate) struct Plan {
    /// The entries that change: a new value, or `None` to delete.
    pub(crate) writes: Vec<(String, Option<Stored>)>,
    /// The namespace's usage after the writes.
    pub(crate) usage: Usage,
    /// The answer.
    pub(crate) outcome: BatchOutcome,
}

impl Plan {
    fn unchanged(usage: Usage, outcome: BatchOutcome) -> Self {
        Self {
            writes: Vec::new(),
            usage,
            outcome,
        }
    }
}

/// Checks a batch against the request bounds and `quota`'s value size.
pub(crate) fn prepare(ops: Vec<Op>, quota: &Quota) -> Result<Prepared, StoreError> {
    if ops.len() > MAX_BATCH_OPS {
        return Err(StoreError::TooMany {
            what: Bounded::BatchOps,
            len: ops.len(),
            max: MAX_BATCH_OPS,
        });
    }
    let mut keys = Vec::with_capacity(ops.len());
    let mut prepared = Vec::with_capacity(ops.len());
    for op in ops {
        check_key(op.key())?;
        keys.push(op.key().to_owned());
        prepared.push(match op {
            Op::Set { key, value } => PreparedOp::Set {
                bytes: check::encode(&value, quota)?,
                key,
            },
            Op::Delete { key } => PreparedOp::Delete { key },
            Op::CompareAndSwap { key, expected, new } => {
                if expected.as_ref().is_some_and(Value::is_null) {
                    return Err(StoreError::NullValue);
                }
                PreparedOp::Cas {
                    new: new.map(|v| check::encode(&v, quota)).transpose()?,
                    expected,
                    key,
                }
            }
            Op::Increment { key, delta } => PreparedOp::Increment { key, delta },
        });
    }
    keys.sort_unstable();
    keys.dedup();
    Ok(Prepared {
        ops: prepared,
        keys,
    })
}

impl Prepared {
    /// The distinct keys the batch touches, sorted: the backend reads these.
    pub(crate) fn keys(&self) -> &[String] {
        &self.keys
    }

    /// Works out the batch against `current` (the stored value of each of
    /// [`keys`](Self::keys); a missing entry counts as absent) and the
    /// namespace's `usage`.
    pub(crate) fn plan(
        self,
        current: BTreeMap<String, Option<Stored>>,
        usage: Usage,
        quota: &Quota,
    ) -> Result<Plan, StoreError> {
        let mut state = current.clone();
        let mut results = Vec::with_capacity(self.ops.len());
        for (index, op) in self.ops.into_iter().enumerate() {
            let result = match op {
                PreparedOp::Set { key, bytes } => {
                    state.insert(key, Some(bytes));
                    OpResult::Set
                }
                PreparedOp::Delete { key } => {
                    let existed = state.insert(key, None).flatten().is_some();
                    OpResult::Deleted(existed)
                }
                PreparedOp::Cas { key, expected, new } => {
                    let found = decoded(&state, &key)?;
                    if found != expected {
                        let outcome = BatchOutcome::Mismatch {
                            index,
                            current: found,
                        };
                        return Ok(Plan::unchanged(usage, outcome));
                    }
                    state.insert(key, new);
                    OpResult::Swapped
                }
                PreparedOp::Increment { key, delta } => {
                    let count = match decoded(&state, &key)? {
                        None => 0,
                        Some(value) => value
                            .as_i64()
                            .ok_or_else(|| StoreError::NotAnInteger { key: key.clone() })?,
                    };
                    let sum = count
                        .checked_add(delta)
                        .ok_or_else(|| StoreError::Overflow {
                            key: key.clone(),
                            delta,
                        })?;
                    state.insert(key, Some(check::encode(&Value::from(sum), quota)?));
                    OpResult::Incremented(sum)
                }
            };
            results.push(result);
        }

        let mut after = usage;
        let mut writes = Vec::new();
        for (key, new) in state {
            let old = current.get(&key).cloned().flatten();
            if old == new {
                continue;
            }
            let size = |v: &Option<Stored>| v.as_ref().map_or(0, |b| (key.len() + b.len()) as u64);
            after.bytes = after
                .bytes
                .saturating_sub(size(&old))
                .saturating_add(size(&new));
            match (old.is_some(), new.is_some()) {
                (false, true) => after.keys = after.keys.saturating_add(1),
                (true, false) => after.keys = after.keys.saturating_sub(1),
                _ => {}
            }
            writes.push((key, new));
        }
        check_quota(usage, after, quota)?;
        Ok(Plan {
            writes,
            usage: after,
            outcome: BatchOutcome::Committed(results),
        })
    }
}

/// The value of `key` in the batch's working state.
fn decoded(
    state: &BTreeMap<String, Option<Stored>>,
    key: &str,
) -> Result<Option<Value>, StoreError> {
    state
        .get(key)
        .and_then(Option::as_deref)
        .map(check::decode)
        .transpose()
}

/// Usage may exceed a quota only if it does not grow.
fn check_quota(before: Usage, after: Usage, quota: &Quota) -> Result<(), StoreError> {
    if after.keys > quota.max_keys() && after.keys > before.keys {
        return Err(StoreError::QuotaExceeded {
            quota: QuotaKind::Keys,
            limit: quota.max_keys(),
            requested: after.keys,
        });
    }
    if after.bytes > quota.max_bytes() && after.bytes > before.bytes {
        return Err(StoreError::QuotaExceeded {
            quota: QuotaKind::Bytes,
            limit: quota.max_bytes(),
            requested: after.bytes,
        });
    }
    Ok(())
}
