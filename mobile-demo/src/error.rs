use wasmi_hdk::{Error, ErrorKind, RpcError};

/// Why loading or calling a plugin failed; a Swift `Error`, a Kotlin
/// `PluginException`, a Python exception.
///
/// One variant per [`wasmi_hdk::ErrorKind`], named as the kind is (Swift
/// `PluginError.OutOfFuel`, Kotlin `PluginException.OutOfFuel` for the kind
/// `out_of_fuel`), with the details as plain strings and numbers. (Texts
/// are named `reason`, not `message`: Kotlin exceptions already have a
/// `message`.)
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
        /// The Wasm trap code's name (e.g. `unreachable`, `stack_overflow`), if the trap has one.
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
    /// The bytes are not a valid WebAssembly module.
    #[error("invalid wasm module: {reason}")]
    InvalidModule {
        /// The engine's explanation.
        reason: String,
    },
    /// The module exports no entry point: neither `_start` (a command)
    /// nor `plugin_main` (a reactor).
    #[error("the module exports no entry point (`_start` or `plugin_main`)")]
    MissingEntryPoint,
    /// The module's initialiser did what pre-initialisation does not allow.
    #[error("pre-initialisation failed: {reason}")]
    Initializer {
        /// What it did.
        reason: String,
    },
    /// The module cannot be pre-initialised.
    #[error("cannot snapshot the module: {reason}")]
    Snapshot {
        /// What is in the way.
        reason: String,
    },
    /// A preopened directory could not be built (a bad archive, a missing
    /// host directory, a limit of the file layer).
    #[error("files: {reason}")]
    Files {
        /// What is wrong with them.
        reason: String,
    },
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
    /// The params given to a call are not JSON text (or not JSON-serialisable).
    #[error("params are not valid JSON: {reason}")]
    InvalidParams {
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
    /// The module exports no linear memory named `memory`.
    #[error("the module exports no memory named `memory`")]
    MissingMemory,
    /// The plugin's result was not what the caller asked for.
    #[error("unexpected result shape: {reason}")]
    UnexpectedResult {
        /// What did not fit.
        reason: String,
    },
    /// A plugin manifest is malformed.
    #[error("{reason}")]
    Manifest {
        /// What is wrong, naming the file and field.
        reason: String,
    },
    /// An option (a limit, a dialect) is not valid.
    #[error("invalid option `{option}`: {reason}")]
    InvalidOptions {
        /// The option.
        option: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Two capabilities register the same host method.
    #[error("{reason}")]
    DuplicateHostMethod {
        /// Which method and capabilities.
        reason: String,
    },
    /// No plugin of that name is loaded.
    #[error("no plugin named `{name}` is loaded")]
    UnknownPlugin {
        /// The name asked for.
        name: String,
    },
    /// A file or directory could not be read.
    #[error("{reason}")]
    Io {
        /// The path and the operating system's reason.
        reason: String,
    },
    /// A failure this version of the bindings does not know by name.
    #[error("{reason}")]
    Other {
        /// The host kit's description.
        reason: String,
    },
}

impl From<wasmi_hdk::CallFailure> for PluginError {
    fn from(failure: wasmi_hdk::CallFailure) -> Self {
        failure.error.into()
    }
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
                trap_code: code.map(|c| c.as_str().to_owned()),
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
            Error::InvalidModule { source } => Self::InvalidModule {
                reason: source.to_string(),
            },
            Error::MissingEntryPoint => Self::MissingEntryPoint,
            Error::Initializer { reason } => Self::Initializer { reason },
            Error::Snapshot { source } => Self::Snapshot {
                reason: source.to_string(),
            },
            error @ Error::Files { .. } => Self::Files {
                reason: error.to_string(),
            },
            Error::UnsupportedImport {
                module,
                name,
                reason,
            } => Self::UnsupportedImport {
                module,
                name,
                reason,
            },
            Error::Instantiation { source } => Self::Instantiation {
                reason: source.to_string(),
            },
            Error::InvalidParams(e) => Self::InvalidParams {
                reason: e.to_string(),
            },
            Error::MissingMemory => Self::MissingMemory,
            Error::UnexpectedResult(e) => Self::UnexpectedResult {
                reason: e.to_string(),
            },
            error @ Error::Manifest { .. } => Self::Manifest {
                reason: error.to_string(),
            },
            Error::InvalidOptions { option, reason } => Self::InvalidOptions { option, reason },
            error @ Error::DuplicateHostMethod { .. } => Self::DuplicateHostMethod {
                reason: error.to_string(),
            },
            Error::UnknownPlugin { name } => Self::UnknownPlugin { name },
            error @ Error::Io { .. } => Self::Io {
                reason: error.to_string(),
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

impl PluginError {
    /// The host kit's kind of this error: the variant is named after it.
    /// `None` only for [`Other`](Self::Other).
    pub fn kind(&self) -> Option<ErrorKind> {
        Some(match self {
            Self::Rpc { .. } => ErrorKind::Rpc,
            Self::Trap { .. } => ErrorKind::Trap,
            Self::Exit { .. } => ErrorKind::Exit,
            Self::OutOfFuel { .. } => ErrorKind::OutOfFuel,
            Self::Timeout { .. } => ErrorKind::Timeout,
            Self::MemoryLimit { .. } => ErrorKind::MemoryLimit,
            Self::Protocol { .. } => ErrorKind::Protocol,
            Self::Cancelled => ErrorKind::Cancelled,
            Self::InvalidModule { .. } => ErrorKind::InvalidModule,
            Self::MissingEntryPoint => ErrorKind::MissingEntryPoint,
            Self::Initializer { .. } => ErrorKind::Initializer,
            Self::Snapshot { .. } => ErrorKind::Snapshot,
            Self::Files { .. } => ErrorKind::Files,
            Self::MissingMemory => ErrorKind::MissingMemory,
            Self::UnsupportedImport { .. } => ErrorKind::UnsupportedImport,
            Self::Instantiation { .. } => ErrorKind::Instantiation,
            Self::InvalidParams { .. } => ErrorKind::InvalidParams,
            Self::RequestTooLarge { .. } => ErrorKind::RequestTooLarge,
            Self::UnexpectedResult { .. } => ErrorKind::UnexpectedResult,
            Self::Manifest { .. } => ErrorKind::Manifest,
            Self::InvalidOptions { .. } => ErrorKind::InvalidOptions,
            Self::DuplicateHostMethod { .. } => ErrorKind::DuplicateHostMethod,
            Self::UnknownPlugin { .. } => ErrorKind::UnknownPlugin,
            Self::Io { .. } => ErrorKind::Io,
            Self::Other { .. } => return None,
        })
    }
}

/// The kind of `error` (`out_of_fuel`, `trap`, …): the host kit's
/// `ErrorKind` name, the same string the CLI and the JavaScript API print;
/// empty for an error this version does not know by name.
#[uniffi::export]
pub fn plugin_error_kind(error: PluginError) -> String {
    error
        .kind()
        .map(|k| k.as_str().to_owned())
        .unwrap_or_default()
}

pub(crate) fn to_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use core::time::Duration;

    use super::*;

    /// Every host-kit kind reaches Swift and Kotlin as the variant named
    /// after it.
    #[test]
    fn every_kind_has_its_variant() {
        let io = || std::io::Error::other("x");
        let json = || serde_json::from_str::<u8>("x").unwrap_err();
        let engine = || wasmi_hdk::inspect::ModuleInfo::parse(b"x").unwrap_err();
        let samples = vec![
            Error::Rpc(RpcError::new(1, "x")),
            Error::Trap {
                code: None,
                message: "x".into(),
                stderr_tail: String::new(),
            },
            Error::Exit {
                code: 1,
                stderr_tail: String::new(),
            },
            Error::OutOfFuel { budget: 1 },
            Error::Timeout {
                limit: Duration::from_secs(1),
            },
            Error::MemoryLimit {
                limit: 1,
                requested: 2,
                stderr_tail: String::new(),
            },
            Error::Protocol {
                violation: wasmi_hdk::ProtocolViolation::DuplicateResponse,
                stderr_tail: String::new(),
            },
            Error::Cancelled,
            engine(),
            Error::MissingEntryPoint,
            Error::MissingMemory,
            Error::Initializer { reason: "r".into() },
            Error::UnsupportedImport {
                module: "m".into(),
                name: "n".into(),
                reason: "r".into(),
            },
            Error::InvalidParams(json()),
            Error::RequestTooLarge { size: 2, limit: 1 },
            Error::UnexpectedResult(json()),
            Error::Manifest {
                file: "f".into(),
                field: None,
                reason: "r".into(),
            },
            Error::InvalidOptions {
                option: "o".into(),
                reason: "r".into(),
            },
            Error::DuplicateHostMethod {
                method: "m".into(),
                first: "a".into(),
                second: "b".into(),
            },
            Error::UnknownPlugin { name: "n".into() },
            Error::Files {
                guest: "/lib".into(),
                source: wasmi_hdk::files::FilesError::UnknownFormat,
            },
            Error::Io {
                path: "p".into(),
                source: io(),
            },
        ];
        let mut covered = std::collections::BTreeSet::new();
        for error in samples {
            let kind = error.kind();
            assert_eq!(PluginError::from(error).kind(), Some(kind));
            covered.insert(kind);
        }
        // Instantiation needs an engine error from a real instantiation;
        // its variant maps back like the others.
        let instantiation = PluginError::Instantiation { reason: "x".into() };
        covered.insert(instantiation.kind().unwrap());
        // Snapshot errors come from the snapshot reader; likewise.
        covered.insert(PluginError::Snapshot { reason: "x".into() }.kind().unwrap());
        assert_eq!(
            covered.len(),
            ErrorKind::ALL.len(),
            "a kind without a variant"
        );
    }
}
