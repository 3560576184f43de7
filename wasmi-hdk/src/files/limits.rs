//! What a loaded file tree may hold: every bound is checked while the
//! archive (or host directory) is read, so a hostile one is refused
//! within bounded time and memory, never trusted by its own headers.

/// Bounds on a file tree loaded from an archive or a host directory.
///
/// The defaults fit a language's standard library (CPython's `lib/`
/// holds a few thousand files and tens of MiB) with room to spare, and keep
/// a hostile archive from costing more than a few hundred MiB:
///
/// | bound | default |
/// |---|---|
/// | entries (files, directories, symlinks, implied directories) | 100 000 |
/// | bytes of all files together | 256 MiB |
/// | bytes of one file | 64 MiB |
/// | bytes of a path (and of a symlink's target) | 4096 |
/// | components of a path | 128 |
/// | symlinks | kept if they stay inside the tree |
///
/// A name (one path component) is at most 255 bytes, as on Linux.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveLimits {
    max_entries: usize,
    max_total_bytes: u64,
    max_file_bytes: u64,
    max_path_len: usize,
    max_depth: usize,
    symlinks: bool,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        Self {
            max_entries: 100_000,
            max_total_bytes: 256 << 20,
            max_file_bytes: 64 << 20,
            max_path_len: 4096,
            max_depth: 128,
            symlinks: true,
        }
    }
}

impl ArchiveLimits {
    /// The most entries the tree may have; default 100 000 (at most
    /// `u32::MAX - 1`).
    #[must_use]
    pub fn with_max_entries(mut self, entries: usize) -> Self {
        // Nodes are numbered with `u32`.
        self.max_entries = entries.min(u32::MAX as usize - 1);
        self
    }

    /// The most bytes all files may hold together, decompressed; default 256 MiB.
    #[must_use]
    pub fn with_max_total_bytes(mut self, bytes: u64) -> Self {
        self.max_total_bytes = bytes;
        self
    }

    /// The most bytes one file may hold, decompressed; default 64 MiB.
    #[must_use]
    pub fn with_max_file_bytes(mut self, bytes: u64) -> Self {
        self.max_file_bytes = bytes;
        self
    }

    /// The longest path (and symlink target) in bytes; default 4096.
    #[must_use]
    pub fn with_max_path_len(mut self, bytes: usize) -> Self {
        self.max_path_len = bytes;
        self
    }

    /// The most components a path may have; default 128.
    #[must_use]
    pub fn with_max_depth(mut self, components: usize) -> Self {
        self.max_depth = components;
        self
    }

    /// Whether symlinks are kept (if their target stays inside the tree) or
    /// refused; default kept.
    #[must_use]
    pub fn with_symlinks(mut self, keep: bool) -> Self {
        self.symlinks = keep;
        self
    }

    /// The most entries (directories included).
    pub fn max_entries(&self) -> usize {
        self.max_entries
    }

    /// The most bytes of file data in all.
    pub fn max_total_bytes(&self) -> u64 {
        self.max_total_bytes
    }

    /// The most bytes one file may hold.
    pub fn max_file_bytes(&self) -> u64 {
        self.max_file_bytes
    }

    /// The longest path (or symlink target), in bytes.
    pub fn max_path_len(&self) -> usize {
        self.max_path_len
    }

    /// The deepest nesting, in components.
    pub fn max_depth(&self) -> usize {
        self.max_depth
    }

    /// Whether symlinks that stay inside the tree are kept (else refused).
    pub fn symlinks(&self) -> bool {
        self.symlinks
    }
}
