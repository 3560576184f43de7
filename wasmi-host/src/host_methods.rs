//! The host methods a plugin can call under `wasmi-host`: the built-ins
//! (`host.echo`, `host.time`, `host.log`) and the user's `--mock`s.

use std::{
    collections::HashMap,
    sync::Arc,
    time::{SystemTime, UNIX_EPOCH},
};

use serde_json::Value;
use wasmi_hdk::{
    BoxFuture, CallerInfo, HostHandler, HostRouter, LogLevel, RpcError,
    protocol::codes::{INVALID_PARAMS, METHOD_NOT_FOUND},
};

use crate::logging::Verbosity;

/// The built-in host methods as `--help` lists them (a macro, so `concat!`
/// can use it).
macro_rules! host_methods_help {
    () => {
        "Host methods the plugin can call:
  host.echo   answers its params unchanged
  host.time   answers the host's wall clock in Unix milliseconds (a number)
  host.log    params [level, message] or {\"level\", \"message\"}: prints the
              message among the plugin's logs; answers null
  store.*     the plugin's key-value store (store.get, store.set, store.list,
              store.cas, store.increment, store.batch...; PROTOCOL.md §11) in
              namespace plugin:NAME: in the --store file, else in memory; with
              --plugins only for a manifest granting \"storage\"
  --mock METHOD=JSON answers METHOD with JSON (overriding a built-in); any
  other host method answers -32601 naming the method."
    };
}
pub(crate) use host_methods_help;

/// The built-in host methods.
const BUILT_INS: [&str; 3] = ["host.echo", "host.time", "host.log"];

/// Answers a plugin's host calls: mocks first, then the built-ins.
#[derive(Debug, Clone)]
pub(crate) struct CliHost {
    mocks: HashMap<String, Value>,
    verbosity: Verbosity,
}

impl CliHost {
    /// A host with `mocks` (later entries win) that logs per `verbosity`.
    pub(crate) fn new(
        mocks: impl IntoIterator<Item = (String, Value)>,
        verbosity: Verbosity,
    ) -> Self {
        Self {
            mocks: mocks.into_iter().collect(),
            verbosity,
        }
    }

    /// The same methods as a [`HostRouter`], for a plugin set's baseline.
    /// A router answers only the methods it names: the built-ins and the
    /// mocks (the set answers any other with `-32601`).
    pub(crate) fn into_router(self) -> HostRouter {
        let names: Vec<String> = BUILT_INS
            .iter()
            .map(|&name| name.to_owned())
            .chain(self.mocks.keys().cloned())
            .collect();
        let host = Arc::new(self);
        names.into_iter().fold(HostRouter::new(), |router, name| {
            let host = host.clone();
            let method = name.clone();
            router.with_method(&name, move |caller, params: Value| {
                // The router reads absent params as `null`.
                let params = (!params.is_null()).then_some(params);
                core::future::ready(host.answer(&caller, &method, params))
            })
        })
    }

    fn answer(
        &self,
        caller: &CallerInfo,
        method: &str,
        params: Option<Value>,
    ) -> Result<Value, RpcError> {
        if let Some(result) = self.mocks.get(method) {
            return Ok(result.clone());
        }
        match method {
            "host.echo" => Ok(params.unwrap_or(Value::Null)),
            "host.time" => Ok(unix_millis().into()),
            "host.log" => {
                let (level, message) = log_params(params.as_ref())?;
                self.verbosity
                    .print(caller.plugin(), level, Some("host.log"), &message);
                Ok(Value::Null)
            }
            _ => Err(RpcError::new(
                METHOD_NOT_FOUND,
                format!(
                    "host method not found: {method} (wasmi-host provides host.echo, host.time \
                     and host.log; answer others with --mock {method}=JSON)"
                ),
            )),
        }
    }
}

impl HostHandler for CliHost {
    fn handle(
        &self,
        caller: CallerInfo,
        method: &str,
        params: Option<Value>,
    ) -> BoxFuture<Result<Value, RpcError>> {
        let answer = self.answer(&caller, method, params);
        Box::pin(core::future::ready(answer))
    }
}

fn unix_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Reads `host.log`'s params: `[level, message]`, `{"level", "message"}`,
/// or just a message (`[message]`, `{"message"}`), logged at info.
fn log_params(params: Option<&Value>) -> Result<(LogLevel, String), RpcError> {
    let (level, message) = match params {
        Some(Value::Array(items)) => match items.as_slice() {
            [level, message] => (Some(level), message),
            [message] => (None, message),
            _ => return Err(bad_log_params()),
        },
        Some(Value::Object(map)) => match map.get("message") {
            Some(message) => (map.get("level"), message),
            None => return Err(bad_log_params()),
        },
        _ => return Err(bad_log_params()),
    };
    let level = match level {
        None => LogLevel::Info,
        Some(Value::String(word)) => LogLevel::from_prefix(&word.to_ascii_uppercase())
            .ok_or_else(|| {
                RpcError::new(
                    INVALID_PARAMS,
                    format!("invalid params: unknown log level {word:?} (use error, warn, info, debug or trace)"),
                )
            })?,
        Some(_) => return Err(bad_log_params()),
    };
    let message = match message {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    Ok((level, message))
}

fn bad_log_params() -> RpcError {
    RpcError::new(
        INVALID_PARAMS,
        "invalid params: host.log takes [level, message] or {\"level\": ..., \"message\": ...}",
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn log_params_shapes() {
        assert_eq!(
            log_params(Some(&json!(["warn", "careful"]))).unwrap(),
            (LogLevel::Warn, "careful".to_owned())
        );
        assert_eq!(
            log_params(Some(&json!({"level": "DEBUG", "message": "x"}))).unwrap(),
            (LogLevel::Debug, "x".to_owned())
        );
        assert_eq!(
            log_params(Some(&json!(["hello"]))).unwrap(),
            (LogLevel::Info, "hello".to_owned())
        );
        assert_eq!(
            log_params(Some(&json!(["loud", "x"]))).unwrap_err().code,
            INVALID_PARAMS
        );
        assert_eq!(log_params(None).unwrap_err().code, INVALID_PARAMS);
        assert_eq!(
            log_params(Some(&json!([1, 2, 3]))).unwrap_err().code,
            INVALID_PARAMS
        );
    }
}
