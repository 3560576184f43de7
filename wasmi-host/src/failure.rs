//! One-line descriptions of a failed plugin call, and the JSON-RPC error
//! `serve` answers a failure with (its `data.kind` is the kit's
//! [`ErrorKind`](wasmi_hdk::ErrorKind) name).

use serde_json::json;
use wasmi_hdk::{Error, RpcError, protocol::codes::PLUGIN_ERROR};

/// The error as one line; a stderr tail is cut to its last line (the whole
/// stderr already went to the log).
pub(crate) fn describe(error: &Error) -> String {
    let tail = last_line(error.stderr_tail());
    match error {
        Error::Rpc(e) => match &e.data {
            Some(data) => format!("plugin error {}: {} (data: {data})", e.code, e.message),
            None => format!("plugin error {}: {}", e.code, e.message),
        },
        Error::Trap { message, .. } => format!("plugin trapped: {message}{tail}"),
        Error::Exit { code, .. } => {
            format!("plugin exited with code {code} before answering{tail}")
        }
        Error::MemoryLimit {
            limit, requested, ..
        } => format!(
            "plugin exceeded its memory limit of {} (it asked for {}){tail}",
            crate::output::human_bytes(*limit as u64),
            crate::output::human_bytes(*requested as u64),
        ),
        Error::Protocol { violation, .. } => format!("protocol violation: {violation}{tail}"),
        other => other.to_string(),
    }
}

/// [`describe`], with a message that spans lines joined into one.
pub(crate) fn one_line(error: &Error) -> String {
    describe(error)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The JSON-RPC error `serve` answers with: the plugin's own error as it
/// sent it, or `-32000` with `data: {"kind", "stderr_tail"?}` when the
/// plugin failed without answering.
pub(crate) fn to_rpc_error(error: &Error) -> RpcError {
    if let Error::Rpc(e) = error {
        return e.clone();
    }
    let mut data = json!({ "kind": error.kind().as_str() });
    if let Some(tail) = error.stderr_tail().filter(|t| !t.is_empty()) {
        data["stderr_tail"] = tail.into();
    }
    RpcError::new(PLUGIN_ERROR, describe(error)).with_data(data)
}

/// `; plugin stderr ends with: LINE` for the last line that says something
/// (Rust's "run with RUST_BACKTRACE" note does not), or nothing.
fn last_line(tail: Option<&str>) -> String {
    tail.and_then(|t| {
        t.lines()
            .rev()
            .find(|l| !l.trim().is_empty() && !l.contains("RUST_BACKTRACE"))
    })
    .map(|line| format!("; plugin stderr ends with: {}", line.trim()))
    .unwrap_or_default()
}
