//! The optional scratch directory: a writable tree in memory, empty when an
//! instance starts (so for each request), bounded by a byte quota.

use super::{
    abi::{Filestat, filetype},
    errno::{Errno, FsResult},
    node::{Kind, NodeId, TreeView, find_entry},
};

/// What a file or directory costs of the quota besides its bytes and its
/// name: so that empty files cannot exhaust memory either.
pub(crate) const NODE_COST: u64 = 128;

#[derive(Debug)]
enum Content {
    /// Entries sorted by name.
    Dir(Vec<(Box<str>, NodeId)>),
    File(Vec<u8>),
}

#[derive(Debug)]
struct ScratchNode {
    content: Content,
    /// The directory holding it (for a directory: to refuse moving it into
    /// itself).
    parent: NodeId,
    /// Whether a directory holds it (it may live on, unlinked, while open).
    linked: bool,
    /// Descriptors open on it.
    opens: u32,
    /// Bytes of its name, part of what it costs.
    name_len: u64,
    atime: u64,
    mtime: u64,
}

/// A writable in-memory tree with a quota of bytes: file contents, names
/// and [`NODE_COST`] per node count against it, and whatever would exceed
/// it fails with `ENOSPC` (a write past it is cut short first). No
/// symlinks or hard links. A file or directory removed while open lives on
/// until closed, as on POSIX, and counts until then.
#[derive(Debug)]
pub(crate) struct Scratch {
    nodes: Vec<Option<ScratchNode>>,
    free: Vec<NodeId>,
    used: u64,
    quota: u64,
}

impl Scratch {
    /// An empty root directory, with `quota` bytes to fill.
    pub(crate) fn new(quota: u64, now: u64) -> Self {
        Self {
            nodes: vec![Some(ScratchNode {
                content: Content::Dir(Vec::new()),
                parent: NodeId::ROOT,
                linked: true,
                opens: 0,
                name_len: 0,
                atime: now,
                mtime: now,
            })],
            free: Vec::new(),
            used: 0,
            quota,
        }
    }

    /// Bytes of the quota in use.
    #[cfg(any(test, feature = "fuzzing"))]
    pub(crate) fn used(&self) -> u64 {
        self.used
    }

    fn node(&self, id: NodeId) -> &ScratchNode {
        // Ids come from lookups and open descriptors, which keep their
        // node alive: a dead id is a bug.
        self.nodes[id.index()]
            .as_ref()
            .expect("a live scratch node")
    }

    fn node_mut(&mut self, id: NodeId) -> &mut ScratchNode {
        self.nodes[id.index()]
            .as_mut()
            .expect("a live scratch node")
    }

    /// A directory's entries, sorted by name; empty for a file.
    pub(crate) fn entries(&self, dir: NodeId) -> &[(Box<str>, NodeId)] {
        match &self.node(dir).content {
            Content::Dir(entries) => entries,
            Content::File(_) => &[],
        }
    }

    /// A file's bytes; empty for a directory.
    pub(crate) fn data(&self, file: NodeId) -> &[u8] {
        match &self.node(file).content {
            Content::File(data) => data,
            Content::Dir(_) => &[],
        }
    }

    /// The node's `filestat`, on device `dev`.
    pub(crate) fn stat(&self, id: NodeId, dev: u64) -> Filestat {
        let node = self.node(id);
        let (filetype, size) = match &node.content {
            Content::Dir(_) => (filetype::DIRECTORY, 0),
            Content::File(data) => (filetype::REGULAR_FILE, data.len() as u64),
        };
        Filestat {
            dev,
            ino: id.ino(),
            filetype,
            nlink: u64::from(node.linked),
            size,
            atim: node.atime,
            mtim: node.mtime,
            ctim: node.mtime,
        }
    }

    /// Counts a descriptor opened on `id`.
    pub(crate) fn retain(&mut self, id: NodeId) {
        self.node_mut(id).opens += 1;
    }

    /// Counts a descriptor on `id` closed; frees the node if it was the
    /// last and no directory holds it.
    pub(crate) fn release(&mut self, id: NodeId) {
        let node = self.node_mut(id);
        node.opens = node.opens.saturating_sub(1);
        self.free_if_dead(id);
    }

    /// Creates an empty file `name` in `dir`.
    ///
    /// # Errors
    ///
    /// `EEXIST`, `ENOENT` if `dir` was removed, `ENOSPC`.
    pub(crate) fn create_file(&mut self, dir: NodeId, name: &str, now: u64) -> FsResult<NodeId> {
        self.create(dir, name, Content::File(Vec::new()), now)
    }

    /// Creates an empty directory `name` in `dir`.
    ///
    /// # Errors
    ///
    /// `EEXIST`, `ENOENT` if `dir` was removed, `ENOSPC`.
    pub(crate) fn create_dir(&mut self, dir: NodeId, name: &str, now: u64) -> FsResult<NodeId> {
        self.create(dir, name, Content::Dir(Vec::new()), now)
    }

    fn create(&mut self, dir: NodeId, name: &str, content: Content, now: u64) -> FsResult<NodeId> {
        let slot = match find_entry(self.entries(dir), name) {
            Ok(_) => return Err(Errno::EXIST),
            Err(slot) => slot,
        };
        if !self.node(dir).linked {
            return Err(Errno::NOENT);
        }
        self.charge(NODE_COST + name.len() as u64)?;
        let node = ScratchNode {
            content,
            parent: dir,
            linked: true,
            opens: 0,
            name_len: name.len() as u64,
            atime: now,
            mtime: now,
        };
        let id = match self.free.pop() {
            Some(id) => {
                self.nodes[id.index()] = Some(node);
                id
            }
            None => {
                let id = NodeId(u32::try_from(self.nodes.len()).map_err(|_| Errno::NOSPC)?);
                self.nodes.push(Some(node));
                id
            }
        };
        let parent = self.node_mut(dir);
        parent.mtime = now;
        if let Content::Dir(entries) = &mut parent.content {
            entries.insert(slot, (name.into(), id));
        }
        Ok(id)
    }

    /// Removes the file `name` from `dir`.
    ///
    /// # Errors
    ///
    /// `ENOENT`, `EISDIR` for a directory.
    pub(crate) fn unlink(&mut self, dir: NodeId, name: &str, now: u64) -> FsResult<()> {
        let id = self.lookup(dir, name).ok_or(Errno::NOENT)?;
        if self.kind(id) == Kind::Dir {
            return Err(Errno::ISDIR);
        }
        self.detach(dir, name, now);
        Ok(())
    }

    /// Removes the empty directory `name` from `dir`.
    ///
    /// # Errors
    ///
    /// `ENOENT`, `ENOTDIR` for a file, `ENOTEMPTY`.
    pub(crate) fn remove_dir(&mut self, dir: NodeId, name: &str, now: u64) -> FsResult<()> {
        let id = self.lookup(dir, name).ok_or(Errno::NOENT)?;
        if self.kind(id) != Kind::Dir {
            return Err(Errno::NOTDIR);
        }
        if !self.entries(id).is_empty() {
            return Err(Errno::NOTEMPTY);
        }
        self.detach(dir, name, now);
        Ok(())
    }

    /// Moves `from_name` of `from_dir` to `to_name` of `to_dir`, replacing
    /// what is there as POSIX `rename` does. `dir_only` (a path ended with
    /// `/`) requires the source to be a directory.
    ///
    /// # Errors
    ///
    /// `ENOENT`, `ENOTDIR`/`EISDIR` for a directory over a file or the
    /// reverse, `ENOTEMPTY` over a non-empty directory, `EINVAL` for a
    /// directory into itself, `ENOSPC` for a longer name past the quota.
    pub(crate) fn rename(
        &mut self,
        (from_dir, from_name): (NodeId, &str),
        (to_dir, to_name): (NodeId, &str),
        dir_only: bool,
        now: u64,
    ) -> FsResult<()> {
        let source = self.lookup(from_dir, from_name).ok_or(Errno::NOENT)?;
        if !self.node(to_dir).linked {
            return Err(Errno::NOENT);
        }
        let is_dir = self.kind(source) == Kind::Dir;
        if dir_only && !is_dir {
            return Err(Errno::NOTDIR);
        }
        let target = self.lookup(to_dir, to_name);
        if target == Some(source) {
            return Ok(());
        }
        if is_dir {
            let mut at = to_dir;
            loop {
                if at == source {
                    return Err(Errno::INVAL);
                }
                if at == NodeId::ROOT {
                    break;
                }
                at = self.node(at).parent;
            }
        }
        if let Some(target) = target {
            match (is_dir, self.kind(target)) {
                (true, Kind::Dir) if !self.entries(target).is_empty() => {
                    return Err(Errno::NOTEMPTY);
                }
                (true, Kind::Dir) | (false, Kind::File | Kind::Symlink) => {}
                (true, _) => return Err(Errno::NOTDIR),
                (false, Kind::Dir) => return Err(Errno::ISDIR),
            }
        }
        let (old_len, new_len) = (from_name.len() as u64, to_name.len() as u64);
        self.charge(new_len.saturating_sub(old_len))?;
        self.refund(old_len.saturating_sub(new_len));
        if target.is_some() {
            self.detach(to_dir, to_name, now);
        }
        if let Content::Dir(entries) = &mut self.node_mut(from_dir).content
            && let Ok(at) = find_entry(entries, from_name)
        {
            entries.remove(at);
        }
        self.node_mut(from_dir).mtime = now;
        let to = self.node_mut(to_dir);
        to.mtime = now;
        if let Content::Dir(entries) = &mut to.content
            && let Err(at) = find_entry(entries, to_name)
        {
            entries.insert(at, (to_name.into(), source));
        }
        let moved = self.node_mut(source);
        moved.parent = to_dir;
        moved.name_len = new_len;
        Ok(())
    }

    /// Writes `src` into file `id` at `offset`, zero-filling any gap,
    /// as far as the quota allows; returns how many bytes it wrote.
    ///
    /// # Errors
    ///
    /// `ENOSPC` if not even one byte fits, `EFBIG` past `u64::MAX`.
    pub(crate) fn write(
        &mut self,
        id: NodeId,
        offset: u64,
        src: &[u8],
        now: u64,
    ) -> FsResult<usize> {
        if src.is_empty() {
            return Ok(0);
        }
        let len = self.data(id).len() as u64;
        let end = offset.checked_add(src.len() as u64).ok_or(Errno::FBIG)?;
        let max_end = len + self.room();
        if offset >= max_end {
            return Err(Errno::NOSPC);
        }
        let end = end.min(max_end);
        self.grow_to(id, end)?;
        let count = (end - offset) as usize;
        let node = self.node_mut(id);
        node.mtime = now;
        if let Content::File(data) = &mut node.content {
            let start = offset as usize;
            data[start..start + count].copy_from_slice(&src[..count]);
        }
        Ok(count)
    }

    /// Makes file `id` `size` bytes long: cut, or zero-filled.
    ///
    /// # Errors
    ///
    /// `ENOSPC` past the quota.
    pub(crate) fn set_size(&mut self, id: NodeId, size: u64, now: u64) -> FsResult<()> {
        let len = self.data(id).len() as u64;
        if size > len {
            self.grow_to(id, size)?;
        } else {
            self.refund(len - size);
            if let Content::File(data) = &mut self.node_mut(id).content {
                data.truncate(size as usize);
                if data.capacity() > 2 * data.len() + 4096 {
                    data.shrink_to_fit();
                }
            }
        }
        self.node_mut(id).mtime = now;
        Ok(())
    }

    /// Sets a node's access and modification times (`None` keeps one).
    pub(crate) fn set_times(&mut self, id: NodeId, atime: Option<u64>, mtime: Option<u64>) {
        let node = self.node_mut(id);
        if let Some(atime) = atime {
            node.atime = atime;
        }
        if let Some(mtime) = mtime {
            node.mtime = mtime;
        }
    }

    /// Grows file `id` to `end` bytes (zero-filled), charging the quota;
    /// capacity grows by doubling but never past what the quota allows.
    fn grow_to(&mut self, id: NodeId, end: u64) -> FsResult<()> {
        let len = self.data(id).len() as u64;
        if end <= len {
            return Ok(());
        }
        let limit = len + self.room();
        self.charge(end - len)?;
        let end = usize::try_from(end).map_err(|_| Errno::NOSPC)?;
        if let Content::File(data) = &mut self.node_mut(id).content {
            if end > data.capacity() {
                let doubled = (data.capacity() as u64 * 2).min(limit) as usize;
                data.reserve_exact(end.max(doubled) - data.len());
            }
            data.resize(end, 0);
        }
        Ok(())
    }

    /// Takes `name` out of `dir` and frees its node unless it is open.
    fn detach(&mut self, dir: NodeId, name: &str, now: u64) {
        let parent = self.node_mut(dir);
        parent.mtime = now;
        let Content::Dir(entries) = &mut parent.content else {
            return;
        };
        let Ok(at) = find_entry(entries, name) else {
            return;
        };
        let (_, id) = entries.remove(at);
        self.node_mut(id).linked = false;
        self.free_if_dead(id);
    }

    fn free_if_dead(&mut self, id: NodeId) {
        let node = self.node(id);
        if node.linked || node.opens > 0 || id == NodeId::ROOT {
            return;
        }
        let bytes = NODE_COST + node.name_len + self.data(id).len() as u64;
        self.refund(bytes);
        self.nodes[id.index()] = None;
        self.free.push(id);
    }

    fn room(&self) -> u64 {
        self.quota.saturating_sub(self.used)
    }

    fn charge(&mut self, bytes: u64) -> FsResult<()> {
        if bytes > self.room() {
            return Err(Errno::NOSPC);
        }
        self.used += bytes;
        Ok(())
    }

    fn refund(&mut self, bytes: u64) {
        self.used = self.used.saturating_sub(bytes);
    }
}

impl TreeView for Scratch {
    fn kind(&self, node: NodeId) -> Kind {
        match self.node(node).content {
            Content::Dir(_) => Kind::Dir,
            Content::File(_) => Kind::File,
        }
    }

    fn lookup(&self, dir: NodeId, name: &str) -> Option<NodeId> {
        let entries = self.entries(dir);
        find_entry(entries, name).ok().map(|at| entries[at].1)
    }

    fn link_target(&self, _node: NodeId) -> &str {
        ""
    }
}

/// Copies `data` from `offset` into `dst`; how many bytes.
pub(crate) fn read_at(data: &[u8], offset: u64, dst: &mut [u8]) -> usize {
    let start = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(data.len());
    let count = dst.len().min(data.len() - start);
    dst[..count].copy_from_slice(&data[start..start + count]);
    count
}

#[cfg(any(test, feature = "fuzzing"))]
impl Scratch {
    /// Panics unless the bookkeeping holds: the quota counts exactly what
    /// live nodes cost and is not exceeded, every node a directory holds
    /// is linked and knows its parent, and a node no directory holds is
    /// kept only while open (`opens[i]`: descriptors on node `i`).
    pub(crate) fn check(&self, opens: &[u32]) {
        let mut reached = vec![false; self.nodes.len()];
        reached[0] = true;
        let mut pending = vec![NodeId::ROOT];
        while let Some(dir) = pending.pop() {
            let entries = self.entries(dir);
            assert!(
                entries.windows(2).all(|w| w[0].0 < w[1].0),
                "sorted, unique names"
            );
            for (_, id) in entries {
                assert!(
                    !core::mem::replace(&mut reached[id.index()], true),
                    "one place"
                );
                let node = self.node(*id);
                assert!(node.linked && node.parent == dir);
                if let Content::Dir(_) = node.content {
                    pending.push(*id);
                }
            }
        }
        let mut used = 0;
        for (index, slot) in self.nodes.iter().enumerate() {
            let Some(node) = slot else {
                assert!(self.free.contains(&NodeId(index as u32)));
                continue;
            };
            assert_eq!(
                node.opens,
                opens.get(index).copied().unwrap_or(0),
                "open count of {index}"
            );
            if !reached[index] {
                assert!(!node.linked && node.opens > 0, "node {index} is lost");
            }
            if index != 0 {
                used += NODE_COST + node.name_len + self.data(NodeId(index as u32)).len() as u64;
            }
        }
        assert_eq!(used, self.used);
        assert!(self.used <= self.quota);
    }
}
