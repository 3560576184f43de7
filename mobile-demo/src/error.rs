use wasmi_hdk::{Error, RpcError};

/// Why loading or calling a plugin failed; a Swift `Error`, a Kotlin
/// `PluginException`, a Python exception.
///
/// One variant per [`wasmi_hdk::Error`] variant, with the same fields as
/// plain strings and numbers. (Texts are named `reason`, not `message`:
/// Kotlin exceptions already have a `message`.)
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[non_exhaustive]
pub enum PluginError {
    /// The plugin answered with a JSON-RPC error (e.g. `-32601` for an unknown method).
    #[error("plugin error {code}: {reason}")]
    Rpc {
        /// The JSON-RPC error code.
        code: i32,
        /// The error's `message`.
        reason: String,
        /// The error's `data`, as JSON text.
        data_json: Option<String>,
    },
    /// The plugin trapped (a Rust panic, an out-of-bounds access, a stack overflow).
    #[error("plugin trapped: {reason}")]
    Trap {
        /// The Wasm trap code's name (e.g. `UnreachableCodeReached`), if the trap has one.
        trap_code: Option<String>,
        /// The engine's description.
        reason: String,
        /// The last lines the plugin wrote to stderr (a panic message lands here).
        stderr_tail: String,
    },
    /// The plugin exited with a non-zero code before answering.
    #[error("plugin exited with code {code} before answering")]
    Exit {
        /// The exit code.
        code: i32,
        /// The last lines the plugin wrote to stderr.
        stderr_tail: String,
    },
    /// The call used up its fuel budget.
    #[error("plugin ran out of fuel (budget {budget})")]
    OutOfFuel {
        /// The budget that was exhausted.
        budget: u64,
    },
    /// The call took longer than its wall-clock limit.
    #[error("plugin call timed out after {limit_ms} ms")]
    Timeout {
        /// The limit, in milliseconds.
        limit_ms: u64,
    },
    /// The plugin asked for more linear memory than allowed.
    #[error("plugin exceeded its memory limit: asked for {requested} bytes, limit {limit}")]
    MemoryLimit {
        /// The cap in bytes.
        limit: u64,
        /// The size asked for, in bytes.
        requested: u64,
        /// The last lines the plugin wrote to stderr.
        stderr_tail: String,
    },
    /// The plugin broke the wire protocol (`PROTOCOL.md`).
    #[error("protocol violation: {violation}")]
    Protocol {
        /// What exactly was wrong.
        violation: String,
        /// The last lines the plugin wrote to stderr.
        stderr_tail: String,
    },
    /// The call was cancelled (a [`CancelToken`](crate::CancelToken), or the
    /// Swift task / Kotlin coroutine awaiting it was cancelled).
    #[error("plugin call cancelled")]
    Cancelled,
    /// The bytes are not a valid WebAssembly module (or export no `memory`).
    #[error("invalid wasm module: {reason}")]
    InvalidModule {
        /// The engine's explanation.
        reason: String,
    },
    /// The module exports no `_start`: it is not a `wasm32-wasip1` command.
    #[error("the module exports no `_start` function")]
    MissingStart,
    /// The module imports something this runtime does not provide.
    #[error("unsupported import {module}::{name}: {reason}")]
    UnsupportedImport {
        /// Import module name.
        module: String,
        /// Import field name.
        name: String,
        /// Why it cannot be provided.
        reason: String,
    },
    /// Instantiating the module failed for a reason other than a limit.
    #[error("instantiation failed: {reason}")]
    Instantiation {
        /// The engine's explanation.
        reason: String,
    },
    /// The params given to a call are not JSON text.
    #[error("params are not valid JSON: {reason}")]
    InvalidJson {
        /// The parser's complaint.
        reason: String,
    },
    /// The request line is larger than the message limit.
    #[error("request of {size} bytes exceeds the message limit of {limit} bytes")]
    RequestTooLarge {
        /// Size of the request line.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// A failure this version of the bindings does not know by name.
    #[error("{reason}")]
    Other {
        /// The host kit's description.
        reason: String,
    },
}

impl From<Error> for PluginError {
    fn from(error: Error) -> Self {
        match error {
            Error::Rpc(RpcError {
                code,
                message,
                data,
            }) => Self::Rpc {
                code,
                reason: message,
                data_json: data.map(|d| d.to_string()),
            },
            Error::Trap {
                code,
                message,
                stderr_tail,
            } => Self::Trap {
                trap_code: code.map(|c| format!("{c:?}")),
                reason: message,
                stderr_tail,
            },
            Error::Exit { code, stderr_tail } => Self::Exit { code, stderr_tail },
            Error::OutOfFuel { budget } => Self::OutOfFuel { budget },
            Error::Timeout { limit } => Self::Timeout {
                limit_ms: u64::try_from(limit.as_millis()).unwrap_or(u64::MAX),
            },
            Error::MemoryLimit {
                limit,
                requested,
                stderr_tail,
            } => Self::MemoryLimit {
                limit: to_u64(limit),
                requested: to_u64(requested),
                stderr_tail,
            },
            Error::Protocol {
                violation,
                stderr_tail,
            } => Self::Protocol {
                violation: violation.to_string(),
                stderr_tail,
            },
            Error::Cancelled => Self::Cancelled,
            Error::InvalidModule { reason } => Self::InvalidModule { reason },
            Error::MissingStart => Self::MissingStart,
            Error::UnsupportedImport {
                module,
                name,
                reason,
            } => Self::UnsupportedImport {
                module,
                name,
                reason,
            },
            Error::Instantiation { reason } => Self::Instantiation { reason },
            Error::InvalidParams(e) => Self::InvalidJson {
                reason: e.to_string(),
            },
            Error::RequestTooLarge { size, limit } => Self::RequestTooLarge {
                size: to_u64(size),
                limit: to_u64(limit),
            },
            other => Self::Other {
                reason: other.to_string(),
            },
        }
    }
}

pub(crate) fn to_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

pub(crate) fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}
