//! Everything that can go wrong loading or calling a plugin, as one
//! matchable [`Error`], and its stable [`ErrorKind`] names.

mod engine;
mod kind;
mod trap;

use core::time::Duration;
use std::path::PathBuf;

use wasmi_plugin_protocol::{Id, RpcError};

pub use self::{engine::EngineError, kind::ErrorKind, trap::TrapCode};
use crate::inspect::ModuleProblem;

/// Everything that can go wrong loading or calling a plugin.
///
/// Match on it: each variant carries what a caller needs to react or report.
/// The plugin's own stderr tail (e.g. a panic message) rides along where it
/// explains the failure. [`kind`](Self::kind) names the variant with a
/// stable string, the one the CLI, the JavaScript API and the mobile
/// bindings print.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The plugin answered with a JSON-RPC error (code, message and data as sent).
    #[error("plugin error {}: {}", .0.code, .0.message)]
    Rpc(RpcError),

    /// The plugin trapped (e.g. `unreachable` after a Rust panic, an
    /// out-of-bounds access, a stack overflow).
    #[error("plugin trapped: {message}{}", tail_suffix(stderr_tail))]
    Trap {
        /// The Wasm trap code, when the trap has one.
        code: Option<TrapCode>,
        /// The engine's description.
        message: String,
        /// The last lines the plugin wrote to stderr.
        stderr_tail: String,
    },

    /// The plugin exited with a non-zero code before answering.
    #[error(
        "plugin exited with code {code} before answering{}",
        tail_suffix(stderr_tail)
    )]
    Exit {
        /// The exit code passed to `proc_exit`.
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

    /// The call took longer than its wall-clock limit (waiting for a free
    /// instance slot included).
    #[error("plugin call timed out after {limit:?}")]
    Timeout {
        /// The limit that was reached.
        limit: Duration,
    },

    /// The plugin asked for more linear memory than allowed.
    #[error(
        "plugin exceeded its memory limit: asked for {requested} bytes, limit {limit}{}",
        tail_suffix(stderr_tail)
    )]
    MemoryLimit {
        /// The cap in bytes.
        limit: usize,
        /// The size the plugin asked to grow to, in bytes.
        requested: usize,
        /// The last lines the plugin wrote to stderr.
        stderr_tail: String,
    },

    /// The plugin broke the wire protocol (see `PROTOCOL.md`).
    #[error("protocol violation: {violation}{}", tail_suffix(stderr_tail))]
    Protocol {
        /// What exactly was wrong.
        violation: ProtocolViolation,
        /// The last lines the plugin wrote to stderr.
        stderr_tail: String,
    },

    /// The call was cancelled through its [`CancelHandle`](crate::CancelHandle).
    #[error("plugin call cancelled")]
    Cancelled,

    /// The bytes are not a valid WebAssembly module (or a function of it
    /// failed validation when it was first called).
    #[error("invalid wasm module: {source}")]
    InvalidModule {
        /// The engine's explanation.
        #[source]
        source: EngineError,
    },

    /// The module exports no entry point: neither `_start` (a WASI
    /// command) nor `plugin_main` (a reactor), as `() -> ()`.
    #[error(
        "the module exports no entry point: build it as a wasm32-wasip1 command (a binary with `main`, exporting `_start`) or a reactor exporting `plugin_main`"
    )]
    MissingEntryPoint,

    /// The module exports no linear memory named `memory`, which the host
    /// needs to exchange data with it.
    #[error("the module exports no memory named `memory`")]
    MissingMemory,

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

    /// The module's initialiser did what pre-initialisation does not allow
    /// (waited, called the host, exited).
    #[error("pre-initialisation failed: {reason}")]
    Initializer {
        /// What the initialiser did.
        reason: String,
    },

    /// The module cannot be pre-initialised (snapshotted), or its snapshot
    /// could not be made.
    #[error("cannot snapshot the module: {source}")]
    Snapshot {
        /// What is in the way.
        #[source]
        source: crate::snapshot::SnapshotError,
    },

    /// A preopened directory's archive or host directory was refused (a
    /// hostile or malformed archive, a path leaving the directory, a bound
    /// exceeded), or a preopen is misdeclared.
    #[error("files at {guest}: {source}")]
    Files {
        /// The guest path of the preopen (e.g. `/lib`).
        guest: String,
        /// What was refused, naming the entry.
        #[source]
        source: crate::files::FilesError,
    },

    /// Instantiating the module failed for a reason other than a limit
    /// (e.g. a start section that waits for input).
    #[error("instantiation failed: {source}")]
    Instantiation {
        /// The engine's explanation.
        #[source]
        source: EngineError,
    },

    /// The request's params could not be encoded as JSON.
    #[error("params are not JSON-serialisable: {0}")]
    InvalidParams(#[source] serde_json::Error),

    /// The request line is larger than the message limit.
    #[error("request of {size} bytes exceeds the message limit of {limit} bytes")]
    RequestTooLarge {
        /// Size of the request line.
        size: usize,
        /// The limit.
        limit: usize,
    },

    /// The plugin's result did not decode into the requested type.
    #[error("unexpected result shape: {0}")]
    UnexpectedResult(#[source] serde_json::Error),

    /// A plugin manifest is malformed or asks for something unknown.
    #[error("{file}: {}{reason}", field.as_ref().map(|f| format!("field `{f}`: ")).unwrap_or_default())]
    Manifest {
        /// The manifest file.
        file: String,
        /// The offending field (e.g. `limits.fuel`, `permissions`), when known.
        field: Option<String>,
        /// What is wrong with it.
        reason: String,
    },

    /// An option given to a builder, the CLI, the JavaScript API or the
    /// mobile bindings is not valid (e.g. a limit that is not a size).
    #[error("invalid option `{option}`: {reason}")]
    InvalidOptions {
        /// The option, as the caller spelled it (e.g. `max_memory`).
        option: String,
        /// What is wrong with it.
        reason: String,
    },

    /// Two capabilities of a plugin set register the same host method;
    /// which permission it needs would be ambiguous.
    #[error("host method `{method}` is registered by capability `{first}` and again by `{second}`")]
    DuplicateHostMethod {
        /// The method.
        method: String,
        /// The capability that registered it first.
        first: String,
        /// The capability that registered it again.
        second: String,
    },

    /// No plugin of that name is loaded in the [`PluginSet`](crate::set::PluginSet).
    #[error("no plugin named `{name}` is loaded")]
    UnknownPlugin {
        /// The name asked for.
        name: String,
    },

    /// A plugin file or directory could not be read.
    #[error("cannot read {}: {source}", .path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
}

/// How a plugin broke the protocol.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolViolation {
    /// A stdout line was not JSON.
    #[error("stdout line is not JSON ({error}): {line:?}")]
    NotJson {
        /// The start of the line.
        line: String,
        /// The parser's complaint.
        error: String,
    },
    /// A stdout line was JSON but not a JSON-RPC 2.0 message.
    #[error("stdout line is not a JSON-RPC 2.0 message ({reason}): {line:?}")]
    InvalidMessage {
        /// The start of the line.
        line: String,
        /// What was wrong.
        reason: String,
    },
    /// The response carried an id other than the request's.
    #[error("response id {got} does not match request id {expected}")]
    WrongResponseId {
        /// The request's id.
        expected: Id,
        /// The id the plugin answered with.
        got: Id,
    },
    /// The plugin answered the request twice.
    #[error("the request was answered twice")]
    DuplicateResponse,
    /// The plugin ended without answering.
    #[error("plugin {} without answering", ending(*.exit_code))]
    NoResponse {
        /// `Some(code)` if it called `proc_exit`, `None` if `_start` returned.
        exit_code: Option<i32>,
    },
    /// A stdout line grew past the message limit before its newline.
    #[error("a stdout line exceeded the message limit of {limit} bytes")]
    MessageTooLarge {
        /// The limit.
        limit: usize,
    },
    /// The plugin's host calls the host has not finished serving and the
    /// answers it has not read yet grew past `limit` bytes (four times the
    /// message limit, at least 16 MiB): it writes requests or notifications
    /// without waiting for them.
    #[error("the plugin's unserved host calls and unread answers exceeded {limit} bytes")]
    HostCallBacklog {
        /// The limit.
        limit: usize,
    },
}

fn ending(exit_code: Option<i32>) -> String {
    match exit_code {
        Some(code) => format!("exited with code {code}"),
        None => "returned from _start".to_owned(),
    }
}

/// The last non-empty stderr line (often the panic message), keeping
/// `Display` on one line; the whole tail stays in the variant's field.
fn tail_suffix(tail: &str) -> String {
    match tail.lines().rev().find(|line| !line.trim().is_empty()) {
        Some(last) => format!("; plugin stderr ends with: {}", last.trim_end()),
        None => String::new(),
    }
}

impl Error {
    /// What kind of failure this is, with a stable name
    /// ([`ErrorKind::as_str`]) for logs, wire data and other languages.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Rpc(_) => ErrorKind::Rpc,
            Self::Trap { .. } => ErrorKind::Trap,
            Self::Exit { .. } => ErrorKind::Exit,
            Self::OutOfFuel { .. } => ErrorKind::OutOfFuel,
            Self::Timeout { .. } => ErrorKind::Timeout,
            Self::MemoryLimit { .. } => ErrorKind::MemoryLimit,
            Self::Protocol { .. } => ErrorKind::Protocol,
            Self::Cancelled => ErrorKind::Cancelled,
            Self::InvalidModule { .. } => ErrorKind::InvalidModule,
            Self::MissingEntryPoint => ErrorKind::MissingEntryPoint,
            Self::MissingMemory => ErrorKind::MissingMemory,
            Self::UnsupportedImport { .. } => ErrorKind::UnsupportedImport,
            Self::Instantiation { .. } => ErrorKind::Instantiation,
            Self::Initializer { .. } => ErrorKind::Initializer,
            Self::Snapshot { .. } => ErrorKind::Snapshot,
            Self::Files { .. } => ErrorKind::Files,
            Self::InvalidParams(_) => ErrorKind::InvalidParams,
            Self::RequestTooLarge { .. } => ErrorKind::RequestTooLarge,
            Self::UnexpectedResult(_) => ErrorKind::UnexpectedResult,
            Self::Manifest { .. } => ErrorKind::Manifest,
            Self::InvalidOptions { .. } => ErrorKind::InvalidOptions,
            Self::DuplicateHostMethod { .. } => ErrorKind::DuplicateHostMethod,
            Self::UnknownPlugin { .. } => ErrorKind::UnknownPlugin,
            Self::Io { .. } => ErrorKind::Io,
        }
    }

    /// The plugin's last stderr lines, for variants that keep them.
    pub fn stderr_tail(&self) -> Option<&str> {
        match self {
            Self::Trap { stderr_tail, .. }
            | Self::Exit { stderr_tail, .. }
            | Self::MemoryLimit { stderr_tail, .. }
            | Self::Protocol { stderr_tail, .. } => Some(stderr_tail),
            _ => None,
        }
    }
}

impl From<ModuleProblem> for Error {
    fn from(problem: ModuleProblem) -> Self {
        match problem {
            ModuleProblem::MissingEntryPoint => Self::MissingEntryPoint,
            ModuleProblem::MissingMemory => Self::MissingMemory,
            ModuleProblem::UnsupportedImport {
                module,
                name,
                reason,
            } => Self::UnsupportedImport {
                module,
                name,
                reason,
            },
        }
    }
}
