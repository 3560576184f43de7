//! A plugin written to the wire dialect of `wasmi-plugin-framework` 0.1
//! (its `wasmi-plugin-pdk`), the design this project descends from, as
//! plugins built with that kit behave: without `wasmi-pdk`.
//!
//! What makes the dialect differ from strict JSON-RPC 2.0:
//! - a request must carry `params` (a request without it is not read at
//!   all, so the plugin never answers), and `params` is any JSON value,
//!   decoded directly as the handler's argument: `1000000` for a limit,
//!   `null` for none;
//! - the plugin's own requests to the host number from 0 and carry
//!   `"params": null` when they have no argument;
//! - an error is `{"code", "message"}` and the reserved codes' messages are
//!   fixed ("Method not found", "Invalid params", ...).
//!
//! Methods, as in that framework's test plugin: `ping`, `get_random_number`,
//! `get_time`, `sleep(ms)`, `call` (calls host `ping`), `call_many(n)`,
//! `prime_sieve(limit)` → `{"count", "limit"}`.

use std::io::{BufRead, Write};

use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::{Value, json};
// The package's other dependencies serve its other binaries: this plugin
// uses no kit, as plugins built for that framework's kit do not.
use {futures as _, schemars as _, test_plugin as _, wasmi_pdk as _};

/// Every message of the dialect: a request needs all four members.
#[derive(Deserialize)]
#[serde(untagged)]
enum Incoming {
    Request {
        #[expect(dead_code, reason = "read to match the dialect's shape")]
        jsonrpc: String,
        id: u64,
        method: String,
        params: Value,
    },
    Response {
        id: u64,
        result: Value,
    },
    Failure {
        id: u64,
        error: WireError,
    },
}

#[derive(Debug, Serialize, Deserialize)]
struct WireError {
    code: i64,
    message: String,
}

impl WireError {
    fn method_not_found() -> Self {
        Self::new(-32601, "Method not found")
    }

    fn invalid_params() -> Self {
        Self::new(-32602, "Invalid params")
    }

    fn internal() -> Self {
        Self::new(-32603, "Internal error")
    }

    fn new(code: i64, message: &str) -> Self {
        Self {
            code,
            message: message.to_owned(),
        }
    }
}

/// The plugin's side of the pipe: its next request id and stdio.
struct Transport {
    next_id: u64,
}

impl Transport {
    /// Calls host method `method` with `params` and waits for its result.
    fn call(&mut self, method: &str, params: Value) -> Result<Value, WireError> {
        let id = self.next_id;
        self.next_id += 1;
        write_line(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let line = read_line().ok_or_else(WireError::internal)?;
            match serde_json::from_str::<Incoming>(&line) {
                Ok(Incoming::Response { id: got, result }) if got == id => return Ok(result),
                Ok(Incoming::Failure { id: got, error }) if got == id => return Err(error),
                Ok(_) => {}
                Err(_) => return Err(WireError::new(-32700, "Parse error")),
            }
        }
    }
}

fn read_line() -> Option<String> {
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line),
    }
}

fn write_line(message: &Value) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{message}");
    let _ = out.flush();
}

/// Decodes params as the dialect's routers do: directly, no fallbacks.
fn arg<P: DeserializeOwned>(params: Value) -> Result<P, WireError> {
    serde_json::from_value(params).map_err(|_| WireError::invalid_params())
}

fn count_primes(limit: usize) -> usize {
    if limit < 2 {
        return 0;
    }
    let mut prime = vec![true; limit + 1];
    prime[0] = false;
    prime[1] = false;
    let mut i = 2;
    while i * i <= limit {
        if prime[i] {
            let mut j = i * i;
            while j <= limit {
                prime[j] = false;
                j += i;
            }
        }
        i += 1;
    }
    prime.iter().filter(|&&p| p).count()
}

fn handle(transport: &mut Transport, method: &str, params: Value) -> Result<Value, WireError> {
    match method {
        "ping" => {
            arg::<()>(params)?;
            Ok(json!("pong"))
        }
        "get_random_number" => {
            let mut bytes = [0u8; 8];
            getrandom::fill(&mut bytes).map_err(|_| WireError::internal())?;
            Ok(json!(u64::from_le_bytes(bytes)))
        }
        "get_time" => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_err(|_| WireError::internal())?;
            Ok(json!(now.as_secs()))
        }
        "sleep" => {
            let ms: u64 = arg(params)?;
            eprintln!("INFO framework_plugin: sleeping for {ms} ms");
            std::thread::sleep(std::time::Duration::from_millis(ms));
            Ok(Value::Null)
        }
        "call" => transport.call("ping", Value::Null),
        "call_many" => {
            let limit: u64 = arg(params)?;
            for _ in 0..limit {
                transport.call("ping", Value::Null)?;
            }
            Ok(Value::Null)
        }
        "prime_sieve" => {
            let limit: u64 = arg(params)?;
            let limit = usize::try_from(limit).map_err(|_| WireError::invalid_params())?;
            Ok(json!({"count": count_primes(limit), "limit": limit}))
        }
        _ => Err(WireError::method_not_found()),
    }
}

fn main() {
    // One request per instance; a line that is not a request of the
    // dialect (no `params`, say) is not answered, as that kit does.
    let Some(line) = read_line() else { return };
    let Ok(Incoming::Request {
        id, method, params, ..
    }) = serde_json::from_str::<Incoming>(&line)
    else {
        eprintln!(
            "WARN framework_plugin: failed to parse line: {}",
            line.trim()
        );
        return;
    };
    let mut transport = Transport { next_id: 0 };
    let answer = match handle(&mut transport, &method, params) {
        Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
        Err(error) => json!({"jsonrpc": "2.0", "id": id, "error": error}),
    };
    write_line(&answer);
}
