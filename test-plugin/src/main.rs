//! `test-plugin`: the well-behaved plugin.
//!
//! Every method exercises one thing the host must support; see
//! [`router`] for the list. The product embeds this plugin by default, and
//! the host's tests and benchmarks drive it through `test-plugin-artifacts`.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures::future::join_all;
use serde::Deserialize;
use serde_json::{Map, Value, json};
// Used by `event-plugin`, another binary of this package.
use schemars as _;
use wasmi_pdk::{
    Context, Router, RpcError,
    log::{debug, error, info, trace, warn},
};

// The router is built once, in the module's initialiser: a pre-initialising
// host (wasmi-hdk by default) snapshots it at load, and every request
// starts with it built and its heap laid out (BENCHMARKS.md: ping 38 to 27 µs).
wasmi_pdk::plugin_main!(preinit router());

/// The `sieve` kernel, exported so a benchmark can call this module's own
/// code directly through the engine, without the protocol around it.
#[cfg(target_arch = "wasm32")]
#[unsafe(no_mangle)]
pub extern "C" fn count_primes(limit: u64) -> u64 {
    test_plugin::count_primes(limit)
}

/// Params of `add`: `{"a": 1, "b": 2}` or `[1, 2]`.
///
/// Serde's derived `Deserialize` for a struct also accepts a sequence of its
/// fields in order, so one type covers both shapes with clear error messages.
#[derive(Debug, Deserialize)]
struct AddParams {
    a: i64,
    b: i64,
}

/// Params of `call_host`.
#[derive(Debug, Deserialize)]
struct CallHostParams {
    method: String,
    #[serde(default)]
    params: Option<Value>,
}

/// Params of `fail`: the error to answer with.
#[derive(Debug, Deserialize)]
struct FailParams {
    code: i32,
    message: String,
    #[serde(default)]
    data: Option<Value>,
}

/// All methods of the plugin.
///
/// | method       | params                        | result                                   |
/// |--------------|-------------------------------|------------------------------------------|
/// | `ping`       | none                          | `"pong"`                                 |
/// | `echo`       | anything                      | the params unchanged                     |
/// | `add`        | `{"a","b"}` or `[a, b]`       | `a + b`                                  |
/// | `sieve`      | `limit`                       | number of primes `<= limit`              |
/// | `many_echo`  | `n`                           | `n`, after `n` sequential `host.echo`s   |
/// | `concurrent` | `n`                           | the `n` results of concurrent `host.echo`s |
/// | `call_host`  | `{"method", "params"?}`       | the host's result (or its error)         |
/// | `notify`     | anything                      | `null`, after notifying `host.notified`  |
/// | `sleep`      | `ms`                          | milliseconds actually slept              |
/// | `log`        | none                          | `null`, after one log line per level     |
/// | `random`     | none                          | 16 random bytes as 32 hex digits         |
/// | `time`       | none                          | `{"unix_ms", "monotonic_ns"}`            |
/// | `env`        | none                          | `{"args": [...], "env": {...}}`          |
/// | `fail`       | `{"code","message","data"?}`  | that error                               |
fn router() -> Router {
    Router::new()
        .with_method("ping", |_ctx, (): ()| async { Ok::<_, RpcError>("pong") })
        .with_method("echo", |_ctx, params: Value| async move {
            Ok::<_, RpcError>(params)
        })
        .with_method("add", |_ctx, AddParams { a, b }| async move {
            a.checked_add(b)
                .ok_or_else(|| RpcError::plugin(format!("{a} + {b} overflows an i64")))
        })
        .with_method("sieve", |_ctx, limit: u64| async move {
            Ok::<_, RpcError>(test_plugin::count_primes(limit))
        })
        .with_method("many_echo", many_echo)
        .with_method("concurrent", concurrent)
        .with_method("call_host", |ctx, p: CallHostParams| async move {
            ctx.call_raw(&p.method, p.params.unwrap_or_default()).await
        })
        .with_method("notify", |ctx, params: Value| async move {
            ctx.notify("host.notified", params)?;
            Ok::<_, RpcError>(Value::Null)
        })
        .with_method("sleep", |_ctx, ms: u64| async move {
            let start = Instant::now();
            std::thread::sleep(Duration::from_millis(ms));
            Ok::<_, RpcError>(millis(start.elapsed()))
        })
        .with_method("log", |_ctx, (): ()| async {
            error!("error line");
            warn!("warn line");
            info!("info line");
            debug!("debug line");
            trace!("trace line");
            Ok::<_, RpcError>(Value::Null)
        })
        .with_method("random", |_ctx, (): ()| async { random_hex() })
        .with_method("time", |_ctx, (): ()| async { Ok::<_, RpcError>(time()) })
        .with_method("env", |_ctx, (): ()| async { Ok::<_, RpcError>(env()) })
        .with_method("fail", |_ctx, p: FailParams| async move {
            Err::<Value, _>(RpcError {
                code: p.code,
                message: p.message,
                data: p.data,
            })
        })
}

/// `host.echo` answers with the params it received, so `[i]` comes back as `[i]`.
async fn many_echo(ctx: Context, n: u64) -> Result<u64, RpcError> {
    info!("echoing {n} time{}", if n == 1 { "" } else { "s" });
    for i in 0..n {
        let answer: Value = ctx.call("host.echo", [i]).await?;
        // Checked without building `json!([i])`: serde's serialiser was a
        // sixth of a round trip's guest work (fuel).
        if !matches!(answer.as_array().map(Vec::as_slice), Some([n]) if n.as_u64() == Some(i)) {
            return Err(RpcError::plugin(format!(
                "host.echo returned {answer} for params [{i}]"
            )));
        }
    }
    Ok(n)
}

/// All `n` calls are written before the plugin waits for the first answer.
async fn concurrent(ctx: Context, n: u64) -> Result<Vec<Value>, RpcError> {
    let calls = (0..n).map(|i| ctx.call_raw("host.echo", json!([i])));
    join_all(calls).await.into_iter().collect()
}

fn random_hex() -> Result<String, RpcError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| RpcError::plugin(format!("getrandom failed: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn time() -> Value {
    let unix_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, millis);
    let start = Instant::now();
    // A tiny busy section, so the monotonic clock has something to measure.
    let mut acc = 0u64;
    for i in 0..1000u64 {
        acc = std::hint::black_box(acc.wrapping_add(i));
    }
    let monotonic_ns = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
    json!({ "unix_ms": unix_ms, "monotonic_ns": monotonic_ns })
}

fn env() -> Value {
    // `std::env::args()` would panic on a non-UTF-8 argument, and that panic
    // path alone adds ~1 KiB to the module.
    let args: Vec<String> = std::env::args_os()
        .map(|arg| arg.to_string_lossy().into_owned())
        .collect();
    // Likewise for `std::env::vars()`. Inserted one by one: collecting into the map would sort first,
    // and pull a sort routine (~4 KiB) into the module for nothing.
    let mut vars = Map::new();
    for (key, value) in std::env::vars_os() {
        let value = Value::String(value.to_string_lossy().into_owned());
        vars.insert(key.to_string_lossy().into_owned(), value);
    }
    json!({ "args": args, "env": vars })
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::router;

    /// Serves `lines` natively and returns every line the plugin wrote.
    fn run(lines: &[Value]) -> Vec<Value> {
        let mut input = String::new();
        for line in lines {
            input.push_str(&line.to_string());
            input.push('\n');
        }
        let mut output = Vec::new();
        wasmi_pdk::serve_io(&router(), &mut input.as_bytes(), &mut output);
        String::from_utf8(output)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    fn request(method: &str, params: Value) -> Value {
        json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
    }

    fn answer(id: u64, result: Value) -> Value {
        json!({"jsonrpc": "2.0", "id": id, "result": result})
    }

    /// The result of one request that makes no host calls.
    fn call(method: &str, params: Value) -> Value {
        let out = run(&[request(method, params)]);
        assert_eq!(out.len(), 1, "{out:?}");
        out[0]["result"].clone()
    }

    #[test]
    fn simple_methods() {
        assert_eq!(call("ping", json!([])), json!("pong"));
        assert_eq!(call("echo", json!({"k": [1, "x"]})), json!({"k": [1, "x"]}));
        assert_eq!(call("add", json!({"a": 2, "b": 40})), json!(42));
        assert_eq!(call("add", json!([2, 40])), json!(42));
        assert_eq!(call("sieve", json!([1000])), json!(168));
        assert_eq!(call("log", json!(null)), json!(null));
        let hex = call("random", json!([]));
        let hex = hex.as_str().unwrap();
        assert_eq!(hex.len(), 32);
        assert!(
            hex.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        let time = call("time", json!([]));
        assert!(time["unix_ms"].as_u64().unwrap() > 1_600_000_000_000);
        assert!(time["monotonic_ns"].is_u64());
        let env = call("env", json!([]));
        assert!(env["args"].is_array() && env["env"].is_object());
        assert!(call("sleep", json!([5])).as_u64().unwrap() >= 5);
    }

    #[test]
    fn fail_answers_exactly_the_error_asked_for() {
        let out = run(&[request(
            "fail",
            json!({"code": 1234, "message": "nope", "data": {"x": 1}}),
        )]);
        assert_eq!(
            out[0],
            json!({"jsonrpc": "2.0", "id": 1, "error": {"code": 1234, "message": "nope", "data": {"x": 1}}})
        );
    }

    #[test]
    fn many_echo_calls_the_host_in_turn() {
        let out = run(&[
            request("many_echo", json!([2])),
            answer(1, json!([0])),
            answer(2, json!([1])),
        ]);
        assert_eq!(out[0]["method"], "host.echo");
        assert_eq!(out[0]["params"], json!([0]));
        assert_eq!(out[1]["params"], json!([1]));
        assert_eq!(out[2], answer(1, json!(2)));
    }

    #[test]
    fn many_echo_notices_a_wrong_echo() {
        let out = run(&[request("many_echo", json!([1])), answer(1, json!([7]))]);
        assert_eq!(out[1]["error"]["code"], -32000);
    }

    #[test]
    fn concurrent_sends_every_call_before_waiting() {
        let out = run(&[
            request("concurrent", json!([3])),
            answer(3, json!([2])),
            answer(1, json!([0])),
            answer(2, json!([1])),
        ]);
        let sent: Vec<_> = out[..3].iter().map(|m| m["params"].clone()).collect();
        assert_eq!(sent, [json!([0]), json!([1]), json!([2])]);
        assert_eq!(out[3], answer(1, json!([[0], [1], [2]])));
    }

    #[test]
    fn call_host_passes_the_host_error_through() {
        let error = json!({"code": -32601, "message": "method not found: host.nope"});
        let out = run(&[
            request("call_host", json!({"method": "host.nope", "params": [1]})),
            json!({"jsonrpc": "2.0", "id": 1, "error": error}),
        ]);
        assert_eq!(out[0]["method"], "host.nope");
        assert_eq!(out[0]["params"], json!([1]));
        assert_eq!(out[1]["error"], error);
    }

    #[test]
    fn notify_sends_a_notification() {
        let out = run(&[request("notify", json!({"k": 1}))]);
        assert_eq!(
            out[0],
            json!({"jsonrpc": "2.0", "method": "host.notified", "params": {"k": 1}})
        );
        assert_eq!(out[1], answer(1, Value::Null));
    }
}
