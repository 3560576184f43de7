//! Building a [`FileTree`] entry by entry, as the loaders read an archive
//! or a host directory: every name is checked and every bound of
//! [`ArchiveLimits`] enforced as the entry arrives.

use std::collections::BTreeMap;

use super::{
    error::{EntryError, FilesError},
    limits::ArchiveLimits,
    node::NodeId,
    tree::{FileTree, Node},
};

/// The longest name (one path component), as Linux's `NAME_MAX`.
pub(crate) const NAME_MAX: usize = 255;

#[derive(Debug)]
enum Building {
    Dir(BTreeMap<Box<str>, NodeId>),
    File(Box<[u8]>),
    Symlink(Box<str>),
}

/// A [`FileTree`] under construction.
#[derive(Debug)]
pub(crate) struct TreeBuilder<'l> {
    limits: &'l ArchiveLimits,
    nodes: Vec<Building>,
    mtimes: Vec<u64>,
    entries: usize,
    file_bytes: u64,
}

impl<'l> TreeBuilder<'l> {
    /// An empty root directory, to be filled within `limits`.
    pub(crate) fn new(limits: &'l ArchiveLimits) -> Self {
        Self {
            limits,
            nodes: vec![Building::Dir(BTreeMap::new())],
            mtimes: vec![0],
            entries: 0,
            file_bytes: 0,
        }
    }

    /// Counts one entry read from the archive (kept or skipped) or one
    /// directory implied by a path.
    ///
    /// # Errors
    ///
    /// [`FilesError::TooManyEntries`] past the limit.
    pub(crate) fn count_entry(&mut self) -> Result<(), FilesError> {
        self.entries += 1;
        if self.entries > self.limits.max_entries() {
            return Err(FilesError::TooManyEntries {
                limit: self.limits.max_entries(),
            });
        }
        Ok(())
    }

    /// The most bytes the next file may hold: what one file may hold and
    /// what is left of the total. A loader reads at most one byte more, to
    /// tell a file that is too large from one that just fits.
    pub(crate) fn file_budget(&self) -> u64 {
        self.limits.max_file_bytes().min(
            self.limits
                .max_total_bytes()
                .saturating_sub(self.file_bytes),
        )
    }

    /// Refuses a file by its declared `size` before reading it (a header
    /// may lie the other way; [`add_file`](Self::add_file) checks what was read).
    ///
    /// # Errors
    ///
    /// [`EntryError::FileTooLarge`] or [`FilesError::TooManyBytes`].
    pub(crate) fn check_size(&self, raw: &[u8], size: u64) -> Result<(), FilesError> {
        if size > self.limits.max_file_bytes() {
            return Err(FilesError::entry(
                raw,
                EntryError::FileTooLarge {
                    size,
                    limit: self.limits.max_file_bytes(),
                },
            ));
        }
        if self.file_bytes.saturating_add(size) > self.limits.max_total_bytes() {
            return Err(FilesError::TooManyBytes {
                limit: self.limits.max_total_bytes(),
            });
        }
        Ok(())
    }

    /// Adds the directory `raw` (and the directories above it). A directory
    /// named again is accepted (its time updated); anything else named
    /// twice is not.
    ///
    /// # Errors
    ///
    /// A refused name, [`EntryError::Duplicate`] over a file or symlink,
    /// [`FilesError::TooManyEntries`].
    pub(crate) fn add_dir(&mut self, raw: &[u8], mtime: u64) -> Result<(), FilesError> {
        let components =
            entry_components(raw, self.limits).map_err(|e| FilesError::entry(raw, e))?;
        let Some((name, parents)) = components.split_last() else {
            self.mtimes[0] = mtime;
            return Ok(());
        };
        let parent = self.parent_dir(raw, parents)?;
        match self.child(parent, name) {
            Some(existing) if matches!(self.nodes[existing.index()], Building::Dir(_)) => {
                self.mtimes[existing.index()] = mtime;
                Ok(())
            }
            Some(_) => Err(FilesError::entry(raw, EntryError::Duplicate)),
            None => {
                self.insert(parent, name, Building::Dir(BTreeMap::new()), mtime);
                Ok(())
            }
        }
    }

    /// Adds the regular file `raw` holding `data`.
    ///
    /// # Errors
    ///
    /// A refused name, [`EntryError::Duplicate`], [`EntryError::FileTooLarge`],
    /// [`FilesError::TooManyBytes`], [`FilesError::TooManyEntries`].
    pub(crate) fn add_file(
        &mut self,
        raw: &[u8],
        data: Vec<u8>,
        mtime: u64,
    ) -> Result<(), FilesError> {
        self.check_size(raw, data.len() as u64)?;
        let components =
            entry_components(raw, self.limits).map_err(|e| FilesError::entry(raw, e))?;
        let Some((name, parents)) = components.split_last() else {
            return Err(FilesError::entry(raw, EntryError::EmptyName));
        };
        let parent = self.parent_dir(raw, parents)?;
        if self.child(parent, name).is_some() {
            return Err(FilesError::entry(raw, EntryError::Duplicate));
        }
        self.file_bytes += data.len() as u64;
        self.insert(parent, name, Building::File(data.into_boxed_slice()), mtime);
        Ok(())
    }

    /// Adds the symlink `raw` pointing at `target`, which must be a
    /// relative path that stays inside the tree (checked by its text: the
    /// tree resolves it at run time, confined to the directory a path
    /// starts from).
    ///
    /// # Errors
    ///
    /// A refused name or target, [`EntryError::SymlinkRefused`] if the
    /// limits refuse symlinks, [`EntryError::Duplicate`], [`FilesError::TooManyEntries`].
    pub(crate) fn add_symlink(
        &mut self,
        raw: &[u8],
        target: &[u8],
        mtime: u64,
    ) -> Result<(), FilesError> {
        let refuse = |reason| Err(FilesError::entry(raw, reason));
        if !self.limits.symlinks() {
            return refuse(EntryError::SymlinkRefused);
        }
        let components =
            entry_components(raw, self.limits).map_err(|e| FilesError::entry(raw, e))?;
        let Some((name, parents)) = components.split_last() else {
            return refuse(EntryError::EmptyName);
        };
        let target = match link_target(parents.len(), target, self.limits) {
            Ok(target) => target,
            Err(reason) => return refuse(reason),
        };
        let parent = self.parent_dir(raw, parents)?;
        if self.child(parent, name).is_some() {
            return refuse(EntryError::Duplicate);
        }
        self.insert(parent, name, Building::Symlink(target.into()), mtime);
        Ok(())
    }

    /// The finished tree.
    pub(crate) fn finish(self) -> FileTree {
        let nodes = self
            .nodes
            .into_iter()
            .map(|node| match node {
                Building::Dir(entries) => Node::Dir(entries.into_iter().collect()),
                Building::File(data) => Node::File(data),
                Building::Symlink(target) => Node::Symlink(target),
            })
            .collect();
        FileTree::from_parts(nodes, self.mtimes, self.file_bytes)
    }

    fn child(&self, dir: NodeId, name: &str) -> Option<NodeId> {
        match &self.nodes[dir.index()] {
            Building::Dir(entries) => entries.get(name).copied(),
            _ => None,
        }
    }

    /// The directory `parents` names, created (with time 0) where missing.
    fn parent_dir(&mut self, raw: &[u8], parents: &[&str]) -> Result<NodeId, FilesError> {
        let mut dir = NodeId::ROOT;
        for name in parents {
            dir = match self.child(dir, name) {
                Some(next) if matches!(self.nodes[next.index()], Building::Dir(_)) => next,
                Some(_) => return Err(FilesError::entry(raw, EntryError::ParentNotDirectory)),
                None => {
                    self.count_entry()?;
                    self.insert(dir, name, Building::Dir(BTreeMap::new()), 0)
                }
            };
        }
        Ok(dir)
    }

    fn insert(&mut self, parent: NodeId, name: &str, node: Building, mtime: u64) -> NodeId {
        // At most `max_entries` + 1 nodes, far below `u32::MAX` for any
        // tree that fits in memory.
        let id = NodeId(u32::try_from(self.nodes.len()).unwrap_or(u32::MAX));
        self.nodes.push(node);
        self.mtimes.push(mtime);
        if let Building::Dir(entries) = &mut self.nodes[parent.index()] {
            entries.insert(name.into(), id);
        }
        id
    }
}

/// The components of a path as an archive names it: UTF-8 without NUL or
/// backslash, relative, no `..`, within the length and depth limits;
/// empty and `.` components are dropped (`./a//b/` is `a/b`).
///
/// # Errors
///
/// Why the name is refused.
pub(crate) fn entry_components<'a>(
    raw: &'a [u8],
    limits: &ArchiveLimits,
) -> Result<Vec<&'a str>, EntryError> {
    let path = checked_text(raw, limits)?;
    if path.starts_with('/') {
        return Err(EntryError::AbsolutePath);
    }
    let mut components = Vec::new();
    for component in path.split('/') {
        match component {
            "" | "." => {}
            ".." => return Err(EntryError::ParentComponent),
            name => {
                if name.len() > NAME_MAX {
                    return Err(EntryError::NameTooLong { len: name.len() });
                }
                components.push(name);
            }
        }
    }
    if components.len() > limits.max_depth() {
        return Err(EntryError::TooDeep {
            depth: components.len(),
            limit: limits.max_depth(),
        });
    }
    Ok(components)
}

/// A name or link target as text: no NUL, UTF-8, no backslash, not too long.
fn checked_text<'a>(raw: &'a [u8], limits: &ArchiveLimits) -> Result<&'a str, EntryError> {
    if raw.contains(&0) {
        return Err(EntryError::NulByte);
    }
    let text = core::str::from_utf8(raw).map_err(|_| EntryError::InvalidUtf8)?;
    if text.contains('\\') {
        return Err(EntryError::Backslash);
    }
    if text.len() > limits.max_path_len() {
        return Err(EntryError::PathTooLong {
            len: text.len(),
            limit: limits.max_path_len(),
        });
    }
    Ok(text)
}

/// Checks the target of a symlink that sits `depth` directories below the
/// root: relative, and its `..` never climbing above the root.
fn link_target<'a>(
    depth: usize,
    raw: &'a [u8],
    limits: &ArchiveLimits,
) -> Result<&'a str, EntryError> {
    let target = checked_text(raw, limits)?;
    let escapes = || EntryError::SymlinkEscapes {
        target: target.to_owned(),
    };
    if target.is_empty() {
        return Err(EntryError::EmptyTarget);
    }
    if target.starts_with('/') {
        return Err(escapes());
    }
    let mut depth = depth;
    for component in target.split('/') {
        match component {
            "" | "." => {}
            ".." => depth = depth.checked_sub(1).ok_or_else(escapes)?,
            name if name.len() > NAME_MAX => {
                return Err(EntryError::NameTooLong { len: name.len() });
            }
            _ => depth += 1,
        }
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::node::TreeView;

    fn components(raw: &str) -> Result<Vec<&str>, EntryError> {
        entry_components(raw.as_bytes(), &ArchiveLimits::default())
    }

    #[test]
    fn names_are_normalised_or_refused() {
        assert_eq!(components("./a//b/./c/"), Ok(vec!["a", "b", "c"]));
        assert_eq!(components("."), Ok(vec![]));
        assert_eq!(components("/etc/passwd"), Err(EntryError::AbsolutePath));
        assert_eq!(components("a/../../b"), Err(EntryError::ParentComponent));
        assert_eq!(components("a\\b"), Err(EntryError::Backslash));
        assert_eq!(
            entry_components(b"a\0b", &ArchiveLimits::default()),
            Err(EntryError::NulByte)
        );
        assert_eq!(
            entry_components(b"a/\xff", &ArchiveLimits::default()),
            Err(EntryError::InvalidUtf8)
        );
        let long = "x".repeat(256);
        assert_eq!(components(&long), Err(EntryError::NameTooLong { len: 256 }));
        let limits = ArchiveLimits::default()
            .with_max_depth(2)
            .with_max_path_len(8);
        assert_eq!(
            entry_components(b"a/b/c", &limits),
            Err(EntryError::TooDeep { depth: 3, limit: 2 })
        );
        assert_eq!(
            entry_components(b"abcdefghi", &limits),
            Err(EntryError::PathTooLong { len: 9, limit: 8 })
        );
    }

    #[test]
    fn symlink_targets_must_stay_inside() {
        let limits = ArchiveLimits::default();
        assert_eq!(link_target(1, b"../b", &limits), Ok("../b"));
        assert_eq!(link_target(1, b"x/../../b", &limits), Ok("x/../../b"));
        assert!(matches!(
            link_target(1, b"../../b", &limits),
            Err(EntryError::SymlinkEscapes { .. })
        ));
        assert!(matches!(
            link_target(3, b"/etc", &limits),
            Err(EntryError::SymlinkEscapes { .. })
        ));
        assert_eq!(link_target(0, b"", &limits), Err(EntryError::EmptyTarget));
    }

    #[test]
    fn implied_directories_are_made_and_counted() {
        let limits = ArchiveLimits::default().with_max_entries(3);
        let mut builder = TreeBuilder::new(&limits);
        builder.count_entry().unwrap();
        builder.add_file(b"a/b/c.txt", b"hi".to_vec(), 7).unwrap();
        builder.add_dir(b"a/", 9).unwrap();
        let tree = builder.finish();
        let a = tree.lookup(NodeId::ROOT, "a").unwrap();
        let b = tree.lookup(a, "b").unwrap();
        let c = tree.lookup(b, "c.txt").unwrap();
        assert_eq!(tree.data(c), b"hi");
        assert_eq!(tree.stat(a, 1).mtim, 9);
        assert_eq!(tree.stat(c, 1).mtim, 7);
        assert_eq!(tree.file_bytes(), 2);

        let mut builder = TreeBuilder::new(&limits);
        builder.count_entry().unwrap();
        assert!(matches!(
            builder.add_file(b"a/b/c/d", Vec::new(), 0),
            Err(FilesError::TooManyEntries { limit: 3 })
        ));
    }

    #[test]
    fn duplicates_and_files_as_parents_are_refused() {
        let limits = ArchiveLimits::default();
        let mut builder = TreeBuilder::new(&limits);
        builder.add_file(b"f", Vec::new(), 0).unwrap();
        builder.add_symlink(b"l", b"f", 0).unwrap();
        for (raw, result) in [
            (&b"./f"[..], builder.add_file(b"./f", Vec::new(), 0)),
            (b"f/", builder.add_dir(b"f/", 0)),
            (b"l", builder.add_dir(b"l", 0)),
        ] {
            match result {
                Err(FilesError::Entry { path, reason }) => {
                    assert_eq!(path.as_bytes(), raw);
                    assert_eq!(reason, EntryError::Duplicate);
                }
                other => panic!("{other:?}"),
            }
        }
        // Through a symlink: the classic way out of an extraction directory.
        assert!(matches!(
            builder.add_file(b"l/passwd", Vec::new(), 0),
            Err(FilesError::Entry {
                reason: EntryError::ParentNotDirectory,
                ..
            })
        ));
        assert!(matches!(
            builder.add_file(b"f/x", Vec::new(), 0),
            Err(FilesError::Entry {
                reason: EntryError::ParentNotDirectory,
                ..
            })
        ));
        builder.add_dir(b"d", 0).unwrap();
        builder.add_dir(b"d/", 0).unwrap();
    }

    #[test]
    fn sizes_are_bounded_per_file_and_in_all() {
        let limits = ArchiveLimits::default()
            .with_max_file_bytes(4)
            .with_max_total_bytes(6);
        let mut builder = TreeBuilder::new(&limits);
        assert_eq!(builder.file_budget(), 4);
        assert!(matches!(
            builder.add_file(b"big", vec![0; 5], 0),
            Err(FilesError::Entry {
                reason: EntryError::FileTooLarge { size: 5, limit: 4 },
                ..
            })
        ));
        builder.add_file(b"a", vec![0; 4], 0).unwrap();
        assert_eq!(builder.file_budget(), 2);
        assert!(matches!(
            builder.add_file(b"b", vec![0; 3], 0),
            Err(FilesError::TooManyBytes { limit: 6 })
        ));
        builder.add_file(b"b", vec![0; 2], 0).unwrap();
    }

    #[test]
    fn symlinks_can_be_refused() {
        let limits = ArchiveLimits::default().with_symlinks(false);
        let mut builder = TreeBuilder::new(&limits);
        assert!(matches!(
            builder.add_symlink(b"l", b"f", 0),
            Err(FilesError::Entry {
                reason: EntryError::SymlinkRefused,
                ..
            })
        ));
    }
}
