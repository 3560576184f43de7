//! The directories a plugin's instances get preopened: declared once per
//! plugin, shared by every instance.

use std::sync::Arc;

use super::{error::FilesError, resolve::PATH_MAX, tree::FileTree};

/// What a preopen serves.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    /// A read-only tree, shared by every instance.
    Tree(FileTree),
    /// A writable directory, empty when each instance starts, holding at
    /// most `quota` bytes.
    Scratch { quota: u64 },
}

/// One preopened directory: the guest path it appears at (what
/// `fd_prestat_dir_name` answers, e.g. `/lib`) and what it serves.
#[derive(Debug, Clone)]
pub(crate) struct Preopen {
    pub(crate) name: Arc<str>,
    pub(crate) source: Source,
}

/// The preopened directories of a plugin, in descriptor order (the first
/// is fd 3), and how many descriptors an instance may hold open. Cheap to
/// clone: the trees are shared.
#[derive(Debug, Clone)]
pub(crate) struct Preopens {
    dirs: Arc<[Preopen]>,
}

impl Default for Preopens {
    /// No preopened directory: the plugin sees no files.
    fn default() -> Self {
        Self { dirs: Arc::new([]) }
    }
}

impl Preopens {
    /// Adds the read-only `tree` at guest path `name` (e.g. `/lib`).
    ///
    /// # Errors
    ///
    /// [`FilesError::Preopen`] for an empty name, one with a NUL byte, or
    /// one longer than 4095 bytes.
    pub(crate) fn with_tree(self, name: &str, tree: FileTree) -> Result<Self, FilesError> {
        self.with(name, Source::Tree(tree))
    }

    /// Adds a scratch directory at guest path `name` (e.g. `/tmp`): empty
    /// at the start of each instance, writable up to `quota` bytes (file
    /// contents, names, and 128 bytes per file or directory).
    ///
    /// # Errors
    ///
    /// [`FilesError::Preopen`] for a bad name, or a second scratch directory.
    pub(crate) fn with_scratch(self, name: &str, quota: u64) -> Result<Self, FilesError> {
        if self
            .dirs
            .iter()
            .any(|d| matches!(d.source, Source::Scratch { .. }))
        {
            return Err(FilesError::Preopen {
                name: name.to_owned(),
                reason: "there is already a scratch directory",
            });
        }
        self.with(name, Source::Scratch { quota })
    }

    fn with(self, name: &str, source: Source) -> Result<Self, FilesError> {
        let reason = if name.is_empty() {
            Some("empty name")
        } else if name.contains('\0') {
            Some("NUL byte in the name")
        } else if name.len() > PATH_MAX {
            Some("name longer than 4095 bytes")
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(FilesError::Preopen {
                name: name.to_owned(),
                reason,
            });
        }
        let mut dirs = self.dirs.to_vec();
        dirs.push(Preopen {
            name: name.into(),
            source,
        });
        Ok(Self { dirs: dirs.into() })
    }

    /// The preopens, in descriptor order.
    pub(crate) fn dirs(&self) -> &[Preopen] {
        &self.dirs
    }

    /// Whether there is no preopened directory (the plugin sees no files).
    pub(crate) fn is_empty(&self) -> bool {
        self.dirs.is_empty()
    }
}
