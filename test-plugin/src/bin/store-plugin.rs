//! `store-plugin`: a plugin that keeps state in its host's key-value store
//! through the plugin kit's typed helpers (`ctx.store()`), for the tests of
//! the `storage` capability and the store's benchmarks. It is apart from
//! `test-plugin` so that the per-call cost of a plugin that stores nothing
//! is measured on a module without store code.
//!
//! | method        | params                              | result                                     |
//! |---------------|-------------------------------------|--------------------------------------------|
//! | `get`         | `{"key"}`                           | the value, `null` if absent                |
//! | `get_many`    | `{"keys"}`                          | the values, `null` where absent            |
//! | `set`         | `{"key", "value"}`                  | `null`                                     |
//! | `delete`      | `{"key"}`                           | whether the key existed                    |
//! | `list`        | `{"prefix"?, "cursor"?, "limit"?}`  | `{"keys", "cursor"}`                       |
//! | `increment`   | `{"key", "delta"?, "times"?}`       | the value after each of `times` increments |
//! | `get_repeat`  | `{"key", "times"}`                  | how many of `times` gets found a value (for benchmarks) |
//! | `set_repeat`  | `{"key", "value", "times"}`         | `times`, after setting `key` to `value` `times` times (for benchmarks) |
//! | `cas_count`   | `{"key", "times"}`                  | `{"value", "retries"}`: adds 1 `times` times with read + compare-and-swap retry loops |
//! | `batch_write` | `{"keys", "value"}`                 | the results of one batch setting every key to `value` and adding 1 to `batches` |
//! | `snapshots`   | `{"keys", "reads"}`                 | reads `keys` together `reads` times; fails if a read saw values that differ |
//! | `usage`       | none                                | the namespace's usage and quota            |
//! | `try_set`     | `{"key", "value"}`                  | `{"ok": true}` or the typed error, described: `{"error": "quota_exceeded", "quota", "limit", "requested"}`, `{"error": "invalid_input", "reason", "message"}`, `{"error": "permission_denied"}`, `{"error": "unavailable"}`, … |
//! | `raw`         | `{"method", "params"?}`             | what the host answers to that call, as it is (for malformed params) |
//! | `on_event`    | an `Event`                          | `null` (continue), after adding 1 to `events/EVENT` |
//!
//! Every method but `try_set` and `raw` returns a store error as the
//! plugin's own JSON-RPC error, through `?`: the code of PROTOCOL.md §11.

use serde::Deserialize;
use serde_json::{Value, json};
use wasmi_pdk::{
    Context, Event, Router, RpcError,
    store::{Batch, BatchOutcome, StoreError},
};
// The package's other dependencies serve its other binaries.
use {futures as _, getrandom as _, schemars as _, test_plugin as _};

#[derive(Deserialize)]
struct Key {
    key: String,
}

#[derive(Deserialize)]
struct Keys {
    keys: Vec<String>,
}

#[derive(Deserialize)]
struct KeyValue {
    key: String,
    value: Value,
}

#[derive(Deserialize)]
struct ListParams {
    #[serde(default)]
    prefix: String,
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default = "default_page")]
    limit: usize,
}

fn default_page() -> usize {
    100
}

#[derive(Deserialize)]
struct IncrementParams {
    key: String,
    #[serde(default = "one")]
    delta: i64,
    #[serde(default = "one_time")]
    times: usize,
}

fn one() -> i64 {
    1
}

fn one_time() -> usize {
    1
}

#[derive(Deserialize)]
struct RepeatParams {
    key: String,
    #[serde(default)]
    value: Value,
    times: usize,
}

#[derive(Deserialize)]
struct CasParams {
    key: String,
    times: usize,
}

#[derive(Deserialize)]
struct BatchParams {
    keys: Vec<String>,
    value: Value,
}

#[derive(Deserialize)]
struct SnapshotParams {
    keys: Vec<String>,
    reads: usize,
}

#[derive(Deserialize)]
struct RawParams {
    method: String,
    #[serde(default)]
    params: Value,
}

fn main() {
    wasmi_pdk::serve(router());
}

fn router() -> Router {
    Router::new()
        .with_method("get", |ctx, Key { key }| async move {
            Ok::<_, RpcError>(ctx.store().get::<Value>(&key).await?)
        })
        .with_method("get_many", |ctx, Keys { keys }| async move {
            let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
            Ok::<_, RpcError>(ctx.store().get_many::<Value>(&keys).await?)
        })
        .with_method("set", |ctx, KeyValue { key, value }| async move {
            Ok::<_, RpcError>(ctx.store().set(&key, &value).await?)
        })
        .with_method("delete", |ctx, Key { key }| async move {
            Ok::<_, RpcError>(ctx.store().delete(&key).await?)
        })
        .with_method("list", |ctx, p: ListParams| async move {
            let page = ctx
                .store()
                .list(&p.prefix, p.cursor.as_deref(), p.limit)
                .await?;
            Ok::<_, RpcError>(json!({"keys": page.keys, "cursor": page.cursor}))
        })
        .with_method("increment", increment)
        .with_method("cas_count", cas_count)
        .with_method("get_repeat", |ctx, p: RepeatParams| async move {
            let mut found = 0_usize;
            for _ in 0..p.times {
                found += usize::from(ctx.store().get::<Value>(&p.key).await?.is_some());
            }
            Ok::<_, RpcError>(found)
        })
        .with_method("set_repeat", |ctx, p: RepeatParams| async move {
            for _ in 0..p.times {
                ctx.store().set(&p.key, &p.value).await?;
            }
            Ok::<_, RpcError>(p.times)
        })
        .with_method("batch_write", batch_write)
        .with_method("snapshots", snapshots)
        .with_method("usage", |ctx, (): ()| async move {
            let usage = ctx.store().usage().await?;
            Ok::<_, RpcError>(json!({
                "keys": usage.keys,
                "bytes": usage.bytes,
                "max_keys": usage.quota.max_keys,
                "max_bytes": usage.quota.max_bytes,
                "max_value_bytes": usage.quota.max_value_bytes,
            }))
        })
        .with_method("try_set", |ctx, KeyValue { key, value }| async move {
            Ok::<_, RpcError>(match ctx.store().set(&key, &value).await {
                Ok(()) => json!({"ok": true}),
                Err(error) => describe(&error),
            })
        })
        .with_method("raw", |ctx, RawParams { method, params }| async move {
            ctx.call_raw(&method, params).await
        })
        .with_method("on_event", |ctx, event: Event| async move {
            ctx.store()
                .increment(&format!("events/{}", event.event), 1)
                .await?;
            Ok::<_, RpcError>(Value::Null)
        })
}

async fn increment(ctx: Context, p: IncrementParams) -> Result<Vec<i64>, RpcError> {
    let mut seen = Vec::with_capacity(p.times);
    for _ in 0..p.times {
        seen.push(ctx.store().increment(&p.key, p.delta).await?);
    }
    Ok(seen)
}

/// Adds 1 to the integer under `key`, `times` times, each a read and a
/// compare-and-swap retried until it applies.
async fn cas_count(ctx: Context, CasParams { key, times }: CasParams) -> Result<Value, RpcError> {
    let store = ctx.store();
    let mut retries = 0_u64;
    let mut current: Option<i64> = store.get(&key).await?;
    for _ in 0..times {
        loop {
            let next = current.unwrap_or(0) + 1;
            let swap = store
                .compare_and_swap(&key, current.as_ref(), Some(&next))
                .await?;
            current = swap.current;
            if swap.swapped {
                break;
            }
            retries += 1;
        }
    }
    Ok(json!({"value": current, "retries": retries}))
}

async fn batch_write(
    ctx: Context,
    BatchParams { keys, value }: BatchParams,
) -> Result<Value, RpcError> {
    let batch = keys
        .iter()
        .fold(Batch::new(), |batch, key| batch.set(key, &value))
        .increment("batches", 1);
    match ctx.store().batch(batch).await? {
        BatchOutcome::Committed(results) => Ok(Value::Array(results)),
        BatchOutcome::Mismatch { index, .. } => Err(RpcError::plugin(format!(
            "a batch without compare-and-swap did not commit (index {index})"
        ))),
    }
}

async fn snapshots(
    ctx: Context,
    SnapshotParams { keys, reads }: SnapshotParams,
) -> Result<usize, RpcError> {
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    for _ in 0..reads {
        let values = ctx.store().get_many::<Value>(&keys).await?;
        if values.iter().any(|v| v != &values[0]) {
            return Err(RpcError::plugin("a read saw half of a batch").with_data(json!(values)));
        }
    }
    Ok(reads)
}

/// A typed store error as the tests check it.
fn describe(error: &StoreError) -> Value {
    match error {
        StoreError::QuotaExceeded {
            quota,
            limit,
            requested,
        } => {
            json!({"error": "quota_exceeded", "quota": quota, "limit": limit, "requested": requested})
        }
        StoreError::InvalidInput { message, reason } => {
            json!({"error": "invalid_input", "reason": reason, "message": message})
        }
        StoreError::PermissionDenied { message } => {
            json!({"error": "permission_denied", "message": message})
        }
        StoreError::Unavailable { message } => json!({"error": "unavailable", "message": message}),
        StoreError::NotAnInteger { key } => json!({"error": "not_an_integer", "key": key}),
        StoreError::Overflow { key } => json!({"error": "overflow", "key": key}),
        other => json!({"error": "other", "message": other.to_string()}),
    }
}
