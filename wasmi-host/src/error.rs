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

    /// The store file could not be opened or created.
    #[error("cannot open store {}: {}", .path.display(), chain(.source.as_ref()))]
    OpenStore {
        /// The path given.
        path: PathBuf,
        /// Why.
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// The store refused a request (a quota, an invalid key) or failed.
    #[error("{what}: {}", chain(.source))]
    Store {
        /// What was being done.
        what: String,
        /// The store's reason.
        source: wasmi_hdk::store::StoreError,
    },

    /// `store get` or `store rm` of a key that is not there.
    #[error("no key {key:?} in namespace {namespace}")]
    NoSuchKey {
        /// The key.
        key: String,
        /// Its namespace.
        namespace: String,
    },

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
            Self::OpenStore { .. } => Exit::Load,
            Self::Store { .. } => Exit::Failed,
            Self::NoSuchKey { .. } => Exit::Missing,
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

/// An error and its causes, `: `-separated.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
