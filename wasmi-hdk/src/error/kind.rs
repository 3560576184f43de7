use core::fmt;

/// What kind of failure an [`Error`](crate::Error) is, without its details.
///
/// Its names ([`as_str`](Self::as_str)) are stable and the same everywhere
/// a kind is shown: the CLI's `serve` answers (`data.kind`), the JavaScript
/// `PluginError.kind`, the mobile bindings' `PluginError.kind()`.
///
/// ```
/// use wasmi_hdk::{Error, ErrorKind};
///
/// let error = Error::Timeout { limit: std::time::Duration::from_secs(1) };
/// assert_eq!(error.kind(), ErrorKind::Timeout);
/// assert_eq!(error.kind().as_str(), "timeout");
/// assert_eq!(ErrorKind::from_name("out_of_fuel"), Some(ErrorKind::OutOfFuel));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ErrorKind {
    /// `rpc`: the plugin answered with a JSON-RPC error.
    Rpc,
    /// `trap`: the plugin trapped.
    Trap,
    /// `exit`: the plugin exited with a non-zero code before answering.
    Exit,
    /// `out_of_fuel`: the fuel budget ran out.
    OutOfFuel,
    /// `timeout`: the wall-clock limit was reached.
    Timeout,
    /// `memory_limit`: the plugin asked for more linear memory than allowed.
    MemoryLimit,
    /// `protocol`: the plugin broke the wire protocol.
    Protocol,
    /// `cancelled`: the call was cancelled.
    Cancelled,
    /// `invalid_module`: the bytes are not valid WebAssembly.
    InvalidModule,
    /// `missing_entry_point`: the module exports neither `_start` nor `plugin_main`.
    MissingEntryPoint,
    /// `missing_memory`: the module exports no `memory`.
    MissingMemory,
    /// `unsupported_import`: the module imports something this runtime lacks.
    UnsupportedImport,
    /// `instantiation`: instantiating the module failed.
    Instantiation,
    /// `initializer`: the module's initialiser did what pre-initialisation forbids.
    Initializer,
    /// `snapshot`: the module cannot be pre-initialised.
    Snapshot,
    /// `files`: a preopened archive or directory was refused.
    Files,
    /// `invalid_params`: the params are not JSON.
    InvalidParams,
    /// `request_too_large`: the request exceeds the message limit.
    RequestTooLarge,
    /// `unexpected_result`: the result did not decode into the asked type.
    UnexpectedResult,
    /// `manifest`: a plugin manifest is malformed.
    Manifest,
    /// `invalid_options`: an option is not valid.
    InvalidOptions,
    /// `duplicate_host_method`: two capabilities register one host method.
    DuplicateHostMethod,
    /// `unknown_plugin`: no plugin of that name is loaded.
    UnknownPlugin,
    /// `io`: a file or directory could not be read.
    Io,
}

impl ErrorKind {
    /// Every kind, in declaration order.
    pub const ALL: [Self; 24] = [
        Self::Rpc,
        Self::Trap,
        Self::Exit,
        Self::OutOfFuel,
        Self::Timeout,
        Self::MemoryLimit,
        Self::Protocol,
        Self::Cancelled,
        Self::InvalidModule,
        Self::MissingEntryPoint,
        Self::MissingMemory,
        Self::UnsupportedImport,
        Self::Instantiation,
        Self::Initializer,
        Self::Snapshot,
        Self::Files,
        Self::InvalidParams,
        Self::RequestTooLarge,
        Self::UnexpectedResult,
        Self::Manifest,
        Self::InvalidOptions,
        Self::DuplicateHostMethod,
        Self::UnknownPlugin,
        Self::Io,
    ];

    /// The kind's stable name, in `snake_case`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rpc => "rpc",
            Self::Trap => "trap",
            Self::Exit => "exit",
            Self::OutOfFuel => "out_of_fuel",
            Self::Timeout => "timeout",
            Self::MemoryLimit => "memory_limit",
            Self::Protocol => "protocol",
            Self::Cancelled => "cancelled",
            Self::InvalidModule => "invalid_module",
            Self::MissingEntryPoint => "missing_entry_point",
            Self::MissingMemory => "missing_memory",
            Self::UnsupportedImport => "unsupported_import",
            Self::Instantiation => "instantiation",
            Self::Initializer => "initializer",
            Self::Snapshot => "snapshot",
            Self::Files => "files",
            Self::InvalidParams => "invalid_params",
            Self::RequestTooLarge => "request_too_large",
            Self::UnexpectedResult => "unexpected_result",
            Self::Manifest => "manifest",
            Self::InvalidOptions => "invalid_options",
            Self::DuplicateHostMethod => "duplicate_host_method",
            Self::UnknownPlugin => "unknown_plugin",
            Self::Io => "io",
        }
    }

    /// The kind named `name` ([`as_str`](Self::as_str)), if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }

    /// Whether this kind means the plugin could not be loaded at all (the
    /// module is invalid, not a command, or needs what the host lacks), as
    /// opposed to a call that failed.
    pub fn is_load_failure(self) -> bool {
        matches!(
            self,
            Self::InvalidModule
                | Self::MissingEntryPoint
                | Self::MissingMemory
                | Self::UnsupportedImport
                | Self::Instantiation
                | Self::Initializer
                | Self::Snapshot
                | Self::Files
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        let mut seen = std::collections::BTreeSet::new();
        for kind in ErrorKind::ALL {
            assert!(seen.insert(kind.as_str()), "{kind} twice");
            assert_eq!(ErrorKind::from_name(kind.as_str()), Some(kind));
            assert!(
                kind.as_str()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_')
            );
        }
    }
}
