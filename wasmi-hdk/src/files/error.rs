//! Why a file tree or a set of preopens could not be loaded.

use core::fmt;

/// Why loading a file tree (or declaring a preopen) failed. Entry errors
/// name the entry, as the archive spells it, and the reason.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FilesError {
    /// The bytes are neither a tar nor a zip archive.
    #[error("not a tar or zip archive")]
    UnknownFormat,
    /// The archive's structure is broken (truncated, bad checksums,
    /// inconsistent zip directory).
    #[error("malformed {format} archive")]
    Malformed {
        format: ArchiveFormat,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// One entry is refused.
    #[error("entry {path:?}: {reason}")]
    Entry { path: String, reason: EntryError },
    /// More entries than [`ArchiveLimits`](super::ArchiveLimits) allow.
    #[error("more than {limit} entries")]
    TooManyEntries { limit: usize },
    /// More bytes of file data than [`ArchiveLimits`](super::ArchiveLimits) allow.
    #[error("more than {limit} bytes of files in all")]
    TooManyBytes { limit: u64 },
    /// A host directory could not be read.
    #[cfg(not(target_arch = "wasm32"))]
    #[error("reading {path}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A preopen's guest path is unusable.
    #[error("preopen {name:?}: {reason}")]
    Preopen { name: String, reason: &'static str },
}

impl FilesError {
    /// An [`Entry`](Self::Entry) error for the entry named by `raw`.
    pub(crate) fn entry(raw: &[u8], reason: EntryError) -> Self {
        Self::Entry {
            path: String::from_utf8_lossy(raw).into_owned(),
            reason,
        }
    }
}

/// Why one entry of an archive or host directory is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum EntryError {
    #[error("absolute path")]
    AbsolutePath,
    #[error("`..` component")]
    ParentComponent,
    #[error("NUL byte in the name")]
    NulByte,
    #[error("name is not UTF-8")]
    InvalidUtf8,
    #[error("backslash in the name (a Windows path separator?)")]
    Backslash,
    #[error("empty name")]
    EmptyName,
    #[error("symlink without a target")]
    EmptyTarget,
    #[error("path of {len} bytes, more than {limit}")]
    PathTooLong { len: usize, limit: usize },
    #[error("a name of {len} bytes, more than 255")]
    NameTooLong { len: usize },
    #[error("{depth} components deep, more than {limit}")]
    TooDeep { depth: usize, limit: usize },
    #[error("{size} bytes, more than the {limit} a file may hold")]
    FileTooLarge { size: u64, limit: u64 },
    #[error("named twice")]
    Duplicate,
    #[error("a parent is not a directory")]
    ParentNotDirectory,
    #[error("hard link")]
    HardLink,
    #[error("symlink to {target:?} leads outside the tree")]
    SymlinkEscapes { target: String },
    #[error("symlinks are refused")]
    SymlinkRefused,
    #[error("{0} (only files, directories and symlinks are kept)")]
    Unsupported(&'static str),
    #[error("encrypted")]
    Encrypted,
    #[error("unreadable")]
    Unreadable(#[source] SourceError),
}

/// The cause of an [`EntryError::Unreadable`], kept as text so the error
/// stays `Clone` and `Eq`.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct SourceError(pub(crate) String);

impl fmt::Debug for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SourceError {}

/// Which kind of archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArchiveFormat {
    Tar,
    Zip,
}

impl fmt::Display for ArchiveFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Tar => "tar",
            Self::Zip => "zip",
        })
    }
}
