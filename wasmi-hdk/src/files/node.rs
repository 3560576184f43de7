//! What path resolution needs to know of a tree, read-only or scratch.

/// A node of a tree: its index, stable for the tree's life (a scratch
/// directory reuses the indices of removed nodes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct NodeId(pub(crate) u32);

impl NodeId {
    /// The tree's root directory.
    pub(crate) const ROOT: Self = Self(0);

    pub(crate) fn index(self) -> usize {
        self.0 as usize
    }

    /// The node's inode number (`filestat.ino`, `dirent.d_ino`): never 0.
    pub(crate) fn ino(self) -> u64 {
        u64::from(self.0) + 1
    }
}

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Dir,
    File,
    Symlink,
}

/// A tree that paths can be resolved in.
pub(crate) trait TreeView {
    /// What `node` is.
    fn kind(&self, node: NodeId) -> Kind;
    /// The entry `name` of directory `dir`, if there is one.
    fn lookup(&self, dir: NodeId, name: &str) -> Option<NodeId>;
    /// The target of a symlink (empty for other nodes).
    fn link_target(&self, node: NodeId) -> &str;
}

/// Looks `name` up in entries sorted by name.
pub(crate) fn find_entry<T>(entries: &[(Box<str>, T)], name: &str) -> Result<usize, usize> {
    entries.binary_search_by(|(entry, _)| entry.as_ref().cmp(name))
}
