//! Why a file tree or a set of preopens could not be loaded.

use core::fmt;

/// Why loading a file tree (or declaring a preopen) failed. Entry errors
/// name the entry, as the archive spells it, and the reason.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FilesError {
    /// The bytes are neither a tar nor a zip archive.
    #[error("not a tar or zip archive")]
    UnknownFormat,
    /// The archive's structure is broken (truncated, bad checksums,
    /// inconsistent zip directory).
    #[error("malformed {format} archive")]
    Malformed {
        /// Which kind of archive it claims to be.
        format: ArchiveFormat,
        /// The reader's complaint.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// One entry is refused.
    #[error("entry {path:?}: {reason}")]
    Entry {
        /// The entry's name, as the archive spells it (lossy UTF-8).
        path: String,
        /// Why it is refused.
        reason: EntryError,
    },
    /// More entries than [`ArchiveLimits`](super::ArchiveLimits) allow.
    #[error("more than {limit} entries")]
    TooManyEntries {
        /// The bound.
        limit: usize,
    },
    /// More bytes of file data than [`ArchiveLimits`](super::ArchiveLimits) allow.
    #[error("more than {limit} bytes of files in all")]
    TooManyBytes {
        /// The bound.
        limit: u64,
    },
    /// A host directory could not be read.
    #[cfg(not(target_arch = "wasm32"))]
    #[error("reading {path}")]
    Io {
        /// What was being read.
        path: std::path::PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A preopen's guest path is unusable.
    #[error("preopen {name:?}: {reason}")]
    Preopen {
        /// The guest path given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
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
#[non_exhaustive]
pub enum EntryError {
    /// Its path starts at the root (`/etc/passwd`).
    #[error("absolute path")]
    AbsolutePath,
    /// Its path has a `..` component.
    #[error("`..` component")]
    ParentComponent,
    /// Its name holds a NUL byte.
    #[error("NUL byte in the name")]
    NulByte,
    /// Its name is not UTF-8.
    #[error("name is not UTF-8")]
    InvalidUtf8,
    /// Its name holds a backslash.
    #[error("backslash in the name (a Windows path separator?)")]
    Backslash,
    /// Its name is empty.
    #[error("empty name")]
    EmptyName,
    /// A symlink with no target.
    #[error("symlink without a target")]
    EmptyTarget,
    /// Its path is longer than the limit.
    #[error("path of {len} bytes, more than {limit}")]
    PathTooLong {
        /// Its length in bytes.
        len: usize,
        /// The bound.
        limit: usize,
    },
    /// A component is longer than 255 bytes.
    #[error("a name of {len} bytes, more than 255")]
    NameTooLong {
        /// The component's length in bytes.
        len: usize,
    },
    /// It is nested deeper than the limit.
    #[error("{depth} components deep, more than {limit}")]
    TooDeep {
        /// Its depth in components.
        depth: usize,
        /// The bound.
        limit: usize,
    },
    /// A file larger than the limit (counted while reading, not trusted
    /// from headers).
    #[error("{size} bytes, more than the {limit} a file may hold")]
    FileTooLarge {
        /// Its size, or what was read before the bound was hit.
        size: u64,
        /// The bound.
        limit: u64,
    },
    /// The same path appears twice.
    #[error("named twice")]
    Duplicate,
    /// A component of its path is a file.
    #[error("a parent is not a directory")]
    ParentNotDirectory,
    /// A hard link.
    #[error("hard link")]
    HardLink,
    /// A symlink whose target is outside the tree.
    #[error("symlink to {target:?} leads outside the tree")]
    SymlinkEscapes {
        /// The target.
        target: String,
    },
    /// A symlink, when the limits refuse all symlinks.
    #[error("symlinks are refused")]
    SymlinkRefused,
    /// A device, FIFO or other special file.
    #[error("{0} (only files, directories and symlinks are kept)")]
    Unsupported(&'static str),
    /// An encrypted zip entry.
    #[error("encrypted")]
    Encrypted,
    /// Its data could not be read.
    #[error("unreadable")]
    Unreadable(#[source] SourceError),
}

/// The cause of an [`EntryError::Unreadable`], kept as text so the error
/// stays `Clone` and `Eq`.
#[derive(Clone, PartialEq, Eq)]
pub struct SourceError(pub(crate) String);

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
pub enum ArchiveFormat {
    /// A tar archive.
    Tar,
    /// A zip archive (stored or deflated entries).
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
