//! Typed helpers for the host's key-value store: the `store.*` host methods
//! (PROTOCOL.md §11) behind `ctx.store()`.

use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::{Value, json};

use crate::{
    Context,
    protocol::{RpcError, codes, method::store as methods},
};

impl Context {
    /// The host's key-value store, in this plugin's own namespace: state
    /// that outlives the request (every request runs in a fresh instance).
    ///
    /// The host must offer it: a host kit's `with_store`, `wasmi-host
    /// --store`, or in a plugin set the `storage` permission. Otherwise
    /// every call fails with [`StoreError::Unavailable`] or
    /// [`StoreError::PermissionDenied`].
    ///
    /// ```
    /// use wasmi_pdk::{Context, RpcError, Router};
    ///
    /// async fn visit(ctx: Context, (): ()) -> Result<i64, RpcError> {
    ///     // `?` turns a StoreError into the plugin's JSON-RPC error.
    ///     Ok(ctx.store().increment("visits", 1).await?)
    /// }
    ///
    /// let router = Router::new().with_method("visit", visit);
    /// # let input = concat!(
    /// #     r#"{"jsonrpc":"2.0","id":7,"method":"visit"}"#, "\n",
    /// #     r#"{"jsonrpc":"2.0","id":1,"result":3}"#, "\n",
    /// # );
    /// # let mut out = Vec::new();
    /// # wasmi_pdk::serve_io(&router, &mut input.as_bytes(), &mut out);
    /// # let out = String::from_utf8(out).unwrap();
    /// # assert!(out.contains(r#""method":"store.increment","params":{"delta":1,"key":"visits"}"#), "{out}");
    /// # assert!(out.ends_with("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":3}\n"), "{out}");
    /// ```
    pub fn store(&self) -> Store {
        Store { ctx: *self }
    }
}

/// The plugin's namespace of the host's key-value store (see
/// [`Context::store`]).
///
/// Keys are non-empty strings of at most 512 bytes; values any JSON but
/// `null` (a missing key reads as `None`). Each method is one host call and
/// atomic; [`batch`](Self::batch) makes several writes one.
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use wasmi_pdk::{Context, RpcError, store::StoreError};
///
/// #[derive(Serialize, Deserialize)]
/// struct Profile {
///     name: String,
///     level: u32,
/// }
///
/// async fn level_up(ctx: Context, name: String) -> Result<u32, RpcError> {
///     let store = ctx.store();
///     let key = format!("profile/{name}");
///     let mut profile = store
///         .get::<Profile>(&key)
///         .await?
///         .unwrap_or(Profile { name, level: 0 });
///     profile.level += 1;
///     match store.set(&key, &profile).await {
///         Ok(()) => Ok(profile.level),
///         Err(StoreError::QuotaExceeded { quota, .. }) => {
///             Err(RpcError::plugin(format!("no room left ({quota})")))
///         }
///         Err(other) => Err(other.into()),
///     }
/// }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Store {
    ctx: Context,
}

/// One page of [`Store::list`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Page {
    /// The keys, in the host's order (byte order natively).
    pub keys: Vec<String>,
    /// Pass it back as `cursor` for the next page; `None` at the end.
    pub cursor: Option<String>,
}

/// What [`Store::compare_and_swap`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Swap<T> {
    /// Whether the key held the expected value and now holds the new one.
    pub swapped: bool,
    /// The key's value now (`None`: absent): the new value if swapped,
    /// otherwise the one found, ready for a retry.
    pub current: Option<T>,
}

/// What [`Store::batch`] did: all of it, or nothing.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchOutcome {
    /// Every operation was applied, atomically; one result per operation:
    /// `null` for a set, `true`/`false` for a delete (whether the key
    /// existed), `true` for a compare-and-swap, the new value for an
    /// increment.
    Committed(Vec<Value>),
    /// Operation `index`, a compare-and-swap, found `current` instead of
    /// what it expected; nothing was written.
    Mismatch {
        /// The operation's index in the batch.
        index: usize,
        /// What its key holds (`None`: absent).
        current: Option<Value>,
    },
}

/// What the namespace holds and may hold ([`Store::usage`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Usage {
    /// Keys stored.
    pub keys: u64,
    /// Bytes stored: keys plus the values' JSON text.
    pub bytes: u64,
    /// The namespace's quota.
    pub quota: Quota,
}

/// A namespace's quota (part of [`Usage`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Quota {
    /// The most keys.
    pub max_keys: u64,
    /// The most bytes.
    pub max_bytes: u64,
    /// The largest value, in bytes of JSON text.
    pub max_value_bytes: u64,
}

/// Several writes that commit all or nothing ([`Store::batch`]); at most
/// 128 operations. Later operations see earlier ones.
///
/// ```
/// use wasmi_pdk::store::Batch;
///
/// let batch = Batch::new()
///     .set("order/17", &serde_json::json!({"item": "tea"}))
///     .increment("orders", 1)
///     .delete("cart/ann")
///     .compare_and_swap("stock/tea", Some(&3), Some(&2));
/// assert_eq!(batch.len(), 4);
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct Batch {
    ops: Vec<Value>,
    /// The first value that did not encode, reported by `Store::batch`.
    error: Option<StoreError>,
}

impl Batch {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stores `value` under `key`.
    pub fn set(mut self, key: &str, value: &(impl Serialize + ?Sized)) -> Self {
        match encode(key, value) {
            Ok(value) => self
                .ops
                .push(json!({"op": "set", "key": key, "value": value})),
            Err(e) => {
                self.error.get_or_insert(e);
            }
        }
        self
    }

    /// Removes `key`.
    pub fn delete(mut self, key: &str) -> Self {
        self.ops.push(json!({"op": "delete", "key": key}));
        self
    }

    /// Adds `delta` to the integer under `key` (missing: 0).
    pub fn increment(mut self, key: &str, delta: i64) -> Self {
        self.ops
            .push(json!({"op": "increment", "key": key, "delta": delta}));
        self
    }

    /// If `key` holds `expected` (`None`: is absent), stores `new` (`None`:
    /// deletes it); otherwise the whole batch is not applied
    /// ([`BatchOutcome::Mismatch`]).
    pub fn compare_and_swap<T: Serialize + ?Sized>(
        mut self,
        key: &str,
        expected: Option<&T>,
        new: Option<&T>,
    ) -> Self {
        let encoded = expected
            .map(|v| encode(key, v))
            .transpose()
            .and_then(|expected| Ok((expected, new.map(|v| encode(key, v)).transpose()?)));
        match encoded {
            Ok((expected, new)) => self
                .ops
                .push(json!({"op": "cas", "key": key, "expected": expected, "new": new})),
            Err(e) => {
                self.error.get_or_insert(e);
            }
        }
        self
    }

    /// How many operations it holds.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}

impl Store {
    /// The value of `key`, `None` if it is absent.
    ///
    /// # Errors
    ///
    /// [`StoreError::Decode`] if the value is not a `T`; the host's errors
    /// (see [`StoreError`]).
    pub async fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StoreError> {
        let value = self.call(methods::GET, json!({ "key": key })).await?;
        decode_optional(key, value)
    }

    /// The values of `keys` (at most 128), in order, read from one snapshot:
    /// never half of a batch.
    ///
    /// # Errors
    ///
    /// As [`get`](Self::get).
    pub async fn get_many<T: DeserializeOwned>(
        &self,
        keys: &[&str],
    ) -> Result<Vec<Option<T>>, StoreError> {
        let values = self
            .call(methods::GET_MANY, json!({ "keys": keys }))
            .await?;
        let values: Vec<Value> = decode("", values)?;
        keys.iter()
            .zip(values)
            .map(|(key, value)| decode_optional(key, value))
            .collect()
    }

    /// Stores `value` (which must not serialise to `null`) under `key`.
    ///
    /// # Errors
    ///
    /// [`StoreError::QuotaExceeded`], [`StoreError::InvalidInput`] (a bad
    /// key, a `null` value), [`StoreError::Encode`]; the host's errors.
    pub async fn set(
        &self,
        key: &str,
        value: &(impl Serialize + ?Sized),
    ) -> Result<(), StoreError> {
        let value = encode(key, value)?;
        self.call(methods::SET, json!({"key": key, "value": value}))
            .await
            .map(drop)
    }

    /// Removes `key`; whether it existed.
    ///
    /// # Errors
    ///
    /// The host's errors (see [`StoreError`]).
    pub async fn delete(&self, key: &str) -> Result<bool, StoreError> {
        let existed = self.call(methods::DELETE, json!({ "key": key })).await?;
        decode(key, existed)
    }

    /// One page of the keys starting with `prefix` (`""`: all), after
    /// `cursor` (the previous page's [`Page::cursor`]), at most `limit` of
    /// them (1 to 1000).
    ///
    /// ```
    /// # use wasmi_pdk::{Context, RpcError};
    /// async fn all_players(ctx: Context) -> Result<Vec<String>, RpcError> {
    ///     let mut keys = Vec::new();
    ///     let mut cursor = None;
    ///     loop {
    ///         let page = ctx.store().list("player/", cursor.as_deref(), 100).await?;
    ///         keys.extend(page.keys);
    ///         match page.cursor {
    ///             Some(next) => cursor = Some(next),
    ///             None => return Ok(keys),
    ///         }
    ///     }
    /// }
    /// ```
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidInput`] for a limit over 1000 or a cursor that
    /// does not start with `prefix`; the host's errors.
    pub async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page, StoreError> {
        let page = self
            .call(
                methods::LIST,
                json!({"prefix": prefix, "cursor": cursor, "limit": limit}),
            )
            .await?;
        decode(prefix, page)
    }

    /// If `key` holds `expected` (`None`: is absent), stores `new` (`None`:
    /// deletes the key), atomically. Values compare as JSON.
    ///
    /// ```
    /// # use wasmi_pdk::{Context, RpcError};
    /// /// Doubles a counter, however many instances do it at once.
    /// async fn double(ctx: Context) -> Result<i64, RpcError> {
    ///     let store = ctx.store();
    ///     let mut current: Option<i64> = store.get("n").await?;
    ///     loop {
    ///         let next = current.unwrap_or(1) * 2;
    ///         let swap = store.compare_and_swap("n", current.as_ref(), Some(&next)).await?;
    ///         if swap.swapped {
    ///             return Ok(next);
    ///         }
    ///         current = swap.current;
    ///     }
    /// }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`set`](Self::set); [`StoreError::Decode`] if the value found is
    /// not a `T`.
    pub async fn compare_and_swap<T: Serialize + DeserializeOwned>(
        &self,
        key: &str,
        expected: Option<&T>,
        new: Option<&T>,
    ) -> Result<Swap<T>, StoreError> {
        let expected = expected.map(|v| encode(key, v)).transpose()?;
        let new = new.map(|v| encode(key, v)).transpose()?;
        let answer = self
            .call(
                methods::CAS,
                json!({"key": key, "expected": expected, "new": new}),
            )
            .await?;
        #[derive(Deserialize)]
        struct Answer {
            swapped: bool,
            #[serde(default)]
            current: Value,
        }
        let Answer { swapped, current } = decode(key, answer)?;
        Ok(Swap {
            swapped,
            current: decode_optional(key, current)?,
        })
    }

    /// Adds `delta` (may be negative) to the integer under `key` (missing:
    /// 0), atomically; the new value.
    ///
    /// # Errors
    ///
    /// [`StoreError::NotAnInteger`] if the key holds something else,
    /// [`StoreError::Overflow`]; as [`set`](Self::set).
    pub async fn increment(&self, key: &str, delta: i64) -> Result<i64, StoreError> {
        let value = self
            .call(methods::INCREMENT, json!({"key": key, "delta": delta}))
            .await?;
        decode(key, value)
    }

    /// Applies `batch` atomically: every operation, or (an error, or a
    /// compare-and-swap that does not match) none.
    ///
    /// ```
    /// # use wasmi_pdk::{Context, RpcError, store::{Batch, BatchOutcome}};
    /// async fn transfer(ctx: Context, (from, to, n): (String, String, i64)) -> Result<bool, RpcError> {
    ///     let batch = Batch::new().increment(&from, -n).increment(&to, n);
    ///     Ok(matches!(ctx.store().batch(batch).await?, BatchOutcome::Committed(_)))
    /// }
    /// ```
    ///
    /// # Errors
    ///
    /// [`StoreError::Encode`] for a value of the batch that did not
    /// serialise; every error of the operations it holds;
    /// [`StoreError::InvalidInput`] past 128 operations.
    pub async fn batch(&self, batch: Batch) -> Result<BatchOutcome, StoreError> {
        if let Some(error) = batch.error {
            return Err(error);
        }
        let answer = self
            .call(methods::BATCH, json!({ "ops": batch.ops }))
            .await?;
        #[derive(Deserialize)]
        struct Answer {
            committed: bool,
            #[serde(default)]
            results: Vec<Value>,
            #[serde(default)]
            index: usize,
            #[serde(default)]
            current: Value,
        }
        let answer: Answer = decode("", answer)?;
        Ok(if answer.committed {
            BatchOutcome::Committed(answer.results)
        } else {
            BatchOutcome::Mismatch {
                index: answer.index,
                current: (!answer.current.is_null()).then_some(answer.current),
            }
        })
    }

    /// What the namespace holds, and its quota.
    ///
    /// # Errors
    ///
    /// The host's errors (see [`StoreError`]).
    pub async fn usage(&self) -> Result<Usage, StoreError> {
        let usage = self.call(methods::USAGE, Value::Null).await?;
        decode("", usage)
    }

    async fn call(&self, method: &str, params: Value) -> Result<Value, StoreError> {
        self.ctx
            .call_raw(method, params)
            .await
            .map_err(StoreError::from_host)
    }
}

/// A store call failed. Nothing was written: every call is atomic.
///
/// Each variant is one error code of PROTOCOL.md §11; `?` in a handler
/// turns it back into that JSON-RPC error (`From<StoreError> for RpcError`).
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// `-32004`: the write would take the namespace past a quota, or the
    /// value is larger than the value quota.
    #[error("quota exceeded: {quota} would be {requested}, the limit is {limit}")]
    QuotaExceeded {
        /// Which quota: `keys`, `bytes` or `value_bytes`.
        quota: String,
        /// The quota.
        limit: u64,
        /// What the usage (or the value's size) would have been.
        requested: u64,
    },
    /// `-32005`: the key holds a value that is not an integer.
    #[error("the value of key {key:?} is not an integer")]
    NotAnInteger {
        /// The key.
        key: String,
    },
    /// `-32005`: the increment would overflow a 64-bit integer.
    #[error("incrementing key {key:?} overflows a 64-bit integer")]
    Overflow {
        /// The key.
        key: String,
    },
    /// `-32602`: the host refused the input: an empty or too long key, a
    /// `null` value, too many keys or operations, a cursor outside its
    /// prefix.
    #[error("{message}")]
    InvalidInput {
        /// The host's message.
        message: String,
        /// The host's `data.reason` (`invalid_key`, `null_value`,
        /// `too_many`, `invalid_cursor`), if it gave one.
        reason: Option<String>,
    },
    /// `-32002`: this plugin may not use the store (in a plugin set, its
    /// manifest lacks the `storage` permission).
    #[error("{message}")]
    PermissionDenied {
        /// The host's message.
        message: String,
    },
    /// `-32601`: the host offers no store.
    #[error("{message}")]
    Unavailable {
        /// The host's message.
        message: String,
    },
    /// A value did not serialise to JSON.
    #[error("the value for key {key:?} does not serialise to JSON: {reason}")]
    Encode {
        /// The key.
        key: String,
        /// serde's explanation.
        reason: String,
    },
    /// A value (or the host's answer) did not deserialise into the type
    /// asked for.
    #[error("the value of key {key:?} does not decode as the type asked for: {reason}")]
    Decode {
        /// The key.
        key: String,
        /// serde's explanation.
        reason: String,
    },
    /// Any other error of the host (`-32603`: the storage failed).
    #[error(transparent)]
    Host(RpcError),
}

impl StoreError {
    /// The error a store method answered, by its code.
    fn from_host(error: RpcError) -> Self {
        let data = error.data.as_ref();
        let text = |field: &str| {
            data.and_then(|d| d.get(field))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let number = |field: &str| {
            data.and_then(|d| d.get(field))
                .and_then(Value::as_u64)
                .unwrap_or_default()
        };
        match error.code {
            codes::QUOTA_EXCEEDED => Self::QuotaExceeded {
                quota: text("quota").unwrap_or_default(),
                limit: number("limit"),
                requested: number("requested"),
            },
            codes::NOT_AN_INTEGER => {
                let key = text("key").unwrap_or_default();
                match text("reason").as_deref() {
                    Some("overflow") => Self::Overflow { key },
                    _ => Self::NotAnInteger { key },
                }
            }
            codes::INVALID_PARAMS => Self::InvalidInput {
                reason: text("reason"),
                message: error.message,
            },
            codes::PERMISSION_DENIED => Self::PermissionDenied {
                message: error.message,
            },
            codes::METHOD_NOT_FOUND => Self::Unavailable {
                message: error.message,
            },
            _ => Self::Host(error),
        }
    }
}

impl From<StoreError> for RpcError {
    /// The JSON-RPC error of PROTOCOL.md §11 the error stands for; encoding
    /// and decoding failures are `-32603`.
    fn from(error: StoreError) -> Self {
        let message = error.to_string();
        match error {
            StoreError::QuotaExceeded {
                quota,
                limit,
                requested,
            } => RpcError::new(codes::QUOTA_EXCEEDED, message)
                .with_data(json!({"quota": quota, "limit": limit, "requested": requested})),
            StoreError::NotAnInteger { key } => RpcError::new(codes::NOT_AN_INTEGER, message)
                .with_data(json!({"reason": "not_an_integer", "key": key})),
            StoreError::Overflow { key } => RpcError::new(codes::NOT_AN_INTEGER, message)
                .with_data(json!({"reason": "overflow", "key": key})),
            StoreError::InvalidInput { reason, .. } => {
                let error = RpcError::new(codes::INVALID_PARAMS, message);
                match reason {
                    Some(reason) => error.with_data(json!({ "reason": reason })),
                    None => error,
                }
            }
            StoreError::PermissionDenied { .. } => RpcError::new(codes::PERMISSION_DENIED, message),
            StoreError::Unavailable { .. } => RpcError::new(codes::METHOD_NOT_FOUND, message),
            StoreError::Encode { .. } | StoreError::Decode { .. } => RpcError::internal(message),
            StoreError::Host(error) => error,
        }
    }
}

fn encode(key: &str, value: &(impl Serialize + ?Sized)) -> Result<Value, StoreError> {
    serde_json::to_value(value).map_err(|e| StoreError::Encode {
        key: key.to_owned(),
        reason: e.to_string(),
    })
}

fn decode<T: DeserializeOwned>(key: &str, value: Value) -> Result<T, StoreError> {
    serde_json::from_value(value).map_err(|e| StoreError::Decode {
        key: key.to_owned(),
        reason: e.to_string(),
    })
}

/// `null` (absent) as `None`, anything else as a `T`.
fn decode_optional<T: DeserializeOwned>(key: &str, value: Value) -> Result<Option<T>, StoreError> {
    match value {
        Value::Null => Ok(None),
        value => decode(key, value).map(Some),
    }
}

#[cfg(test)]
mod tests;
