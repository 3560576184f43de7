//! What can make a command fail, and the exit code for each.

use std::{io, path::PathBuf};

use crate::{exit::Exit, failure};

/// Why a command failed; printed as one `error: ...` line.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// The command line was wrong in a way clap could not see.
    #[error("{0}")]
    Usage(String),

    /// The plugin file could not be read.
    #[error("cannot read plugin {}: {source}", .path.display())]
    ReadPlugin {
        /// The path given.
        path: PathBuf,
        /// The operating system's reason.
        source: io::Error,
    },

    /// The plugin file is not a wasm module at all.
    #[error("{label} is not a WebAssembly module (it does not start with \\0asm)")]
    NotWasm {
        /// The plugin's path or name.
        label: String,
    },

    /// The runtime refused to load the module.
    #[error("cannot load {label}: {source}")]
    Load {
        /// The plugin's path or name.
        label: String,
        /// The kit's reason.
        source: wasmi_hdk::Error,
    },

    /// A plugin directory could not be read.
    #[error("cannot read plugin directory {}: {source}", .dir.display())]
    ReadDir {
        /// The directory given.
        dir: PathBuf,
        /// The operating system's reason.
        source: io::Error,
    },

    /// No plugin of a directory could be loaded.
    #[error("no plugin of {} loads: {}", .dir.display(), describe_failures(.failed))]
    NoPlugin {
        /// The directory given.
        dir: PathBuf,
        /// Each plugin file that failed and why, as one line.
        failed: Vec<(PathBuf, String)>,
    },

    /// The call failed: the plugin's error answer, a trap, a limit...
    #[error("{}", failure::describe(.0))]
    Call(wasmi_hdk::Error),

    /// Reading stdin or writing stdout failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// The operating system's reason.
        source: io::Error,
    },
}

impl CliError {
    /// The process exit code for this failure.
    pub(crate) fn exit(&self) -> Exit {
        match self {
            Self::Usage(_) => Exit::Usage,
            Self::ReadPlugin { .. }
            | Self::NotWasm { .. }
            | Self::Load { .. }
            | Self::ReadDir { .. }
            | Self::NoPlugin { .. } => Exit::Load,
            Self::Call(wasmi_hdk::Error::Rpc(_)) => Exit::PluginError,
            Self::Call(error) if error.kind().is_load_failure() => Exit::Load,
            Self::Call(_) | Self::Io { .. } => Exit::Failed,
        }
    }
}

/// `there is no NAME.wasm in it`, or the first failure and how many more.
fn describe_failures(failed: &[(PathBuf, String)]) -> String {
    match failed {
        [] => "there is no NAME.wasm in it".to_owned(),
        [(file, why)] => format!("{}: {why}", file.display()),
        [(file, why), rest @ ..] => {
            format!("{}: {why} (and {} more)", file.display(), rest.len())
        }
    }
}
