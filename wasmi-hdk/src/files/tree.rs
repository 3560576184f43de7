//! The immutable file tree a preopen serves: loaded once per plugin and
//! shared, files' bytes included, by every instance through an `Arc`.

use core::fmt;
use std::sync::Arc;

use super::{
    abi::{Filestat, filetype},
    node::{Kind, NodeId, TreeView, find_entry},
};

/// One node of a [`FileTree`].
#[derive(Debug)]
pub(crate) enum Node {
    /// A directory: its entries, sorted by name (bytewise), no `.`/`..`.
    Dir(Box<[(Box<str>, NodeId)]>),
    /// A regular file's bytes.
    File(Box<[u8]>),
    /// A symlink's target, a relative path checked at load to stay inside
    /// the tree.
    Symlink(Box<str>),
}

#[derive(Debug)]
struct Inner {
    /// Indexed by [`NodeId`]; the root directory is node 0.
    nodes: Box<[Node]>,
    /// Modification time of each node, in nanoseconds since the epoch.
    mtimes: Box<[u64]>,
    file_bytes: u64,
}

/// A read-only tree of directories, regular files and symlinks, loaded from
/// a tar or zip archive or (natively) a host directory. Cloning shares it.
#[derive(Clone)]
pub struct FileTree(Arc<Inner>);

impl fmt::Debug for FileTree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileTree")
            .field("nodes", &self.0.nodes.len())
            .field("file_bytes", &self.0.file_bytes)
            .finish()
    }
}

impl Default for FileTree {
    /// An empty root directory.
    fn default() -> Self {
        Self::from_parts(vec![Node::Dir(Box::new([]))], vec![0], 0)
    }
}

impl FileTree {
    pub(crate) fn from_parts(nodes: Vec<Node>, mtimes: Vec<u64>, file_bytes: u64) -> Self {
        debug_assert_eq!(nodes.len(), mtimes.len());
        debug_assert!(matches!(nodes.first(), Some(Node::Dir(_))));
        Self(Arc::new(Inner {
            nodes: nodes.into_boxed_slice(),
            mtimes: mtimes.into_boxed_slice(),
            file_bytes,
        }))
    }

    /// How many nodes (directories, files, symlinks) the tree has, its root included.
    pub fn node_count(&self) -> usize {
        self.0.nodes.len()
    }

    /// The bytes of all files together.
    pub fn file_bytes(&self) -> u64 {
        self.0.file_bytes
    }

    pub(crate) fn node(&self, id: NodeId) -> &Node {
        &self.0.nodes[id.index()]
    }

    /// A directory's entries, sorted by name; empty for other nodes.
    pub(crate) fn entries(&self, dir: NodeId) -> &[(Box<str>, NodeId)] {
        match self.node(dir) {
            Node::Dir(entries) => entries,
            _ => &[],
        }
    }

    /// A file's bytes; empty for other nodes.
    pub(crate) fn data(&self, file: NodeId) -> &[u8] {
        match self.node(file) {
            Node::File(data) => data,
            _ => &[],
        }
    }

    /// The node's `filestat`, on device `dev`.
    pub(crate) fn stat(&self, id: NodeId, dev: u64) -> Filestat {
        let (filetype, size) = match self.node(id) {
            Node::Dir(_) => (filetype::DIRECTORY, 0),
            Node::File(data) => (filetype::REGULAR_FILE, data.len() as u64),
            Node::Symlink(target) => (filetype::SYMBOLIC_LINK, target.len() as u64),
        };
        let time = self.0.mtimes[id.index()];
        Filestat {
            dev,
            ino: id.ino(),
            filetype,
            nlink: 1,
            size,
            atim: time,
            mtim: time,
            ctim: time,
        }
    }

    /// Whether both handles share one tree.
    #[cfg(test)]
    pub(crate) fn same_tree(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl TreeView for FileTree {
    fn kind(&self, node: NodeId) -> Kind {
        match self.node(node) {
            Node::Dir(_) => Kind::Dir,
            Node::File(_) => Kind::File,
            Node::Symlink(_) => Kind::Symlink,
        }
    }

    fn lookup(&self, dir: NodeId, name: &str) -> Option<NodeId> {
        let entries = self.entries(dir);
        find_entry(entries, name).ok().map(|at| entries[at].1)
    }

    fn link_target(&self, node: NodeId) -> &str {
        match self.node(node) {
            Node::Symlink(target) => target,
            _ => "",
        }
    }
}

impl FileTree {
    /// Loads a tar or zip archive, told apart by their magic bytes (a zip's
    /// `PK` signature at the start, a tar's `ustar` at byte 257).
    ///
    /// # Errors
    ///
    /// [`FilesError::UnknownFormat`](super::FilesError::UnknownFormat), or those of
    /// [`from_tar`](Self::from_tar) and [`from_zip`](Self::from_zip).
    pub fn from_archive(
        bytes: &[u8],
        limits: &super::ArchiveLimits,
    ) -> Result<Self, super::FilesError> {
        if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
            Self::from_zip(bytes, limits)
        } else if bytes.get(257..262) == Some(b"ustar") {
            Self::from_tar(bytes, limits)
        } else {
            Err(super::FilesError::UnknownFormat)
        }
    }
}
