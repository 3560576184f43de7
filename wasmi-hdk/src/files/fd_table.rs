//! An instance's open files and directories, by descriptor number.

use std::sync::Arc;

use super::{
    errno::{Errno, FsResult},
    node::NodeId,
    tree::FileTree,
};

/// The first descriptor the table hands out: 0, 1 and 2 are stdio, which
/// the WASI layer serves itself.
pub(crate) const FIRST_FD: u32 = 3;

/// Which tree a descriptor is in.
#[derive(Debug, Clone)]
pub(crate) enum Mount {
    /// A read-only tree, shared with every instance of the plugin.
    Tree(FileTree),
    /// The instance's scratch directory.
    Scratch,
}

/// A node of a mount, on a device number that tells the preopens apart.
#[derive(Debug, Clone)]
pub(crate) struct Location {
    pub(crate) mount: Mount,
    pub(crate) dev: u64,
    pub(crate) node: NodeId,
}

/// An open directory.
#[derive(Debug, Clone)]
pub(crate) struct DirHandle {
    pub(crate) at: Location,
    /// The guest path it is preopened as (`fd_prestat_dir_name`); `None`
    /// for one opened with `path_open`.
    pub(crate) preopen: Option<Arc<str>>,
}

/// An open regular file and its position.
#[derive(Debug, Clone)]
pub(crate) struct FileHandle {
    pub(crate) at: Location,
    pub(crate) pos: u64,
    pub(crate) read: bool,
    pub(crate) write: bool,
    /// `fdflags::APPEND`: every write goes to the end.
    pub(crate) append: bool,
    /// `fdflags::NONBLOCK`, kept only to be reported (nothing blocks).
    pub(crate) nonblock: bool,
}

/// What a descriptor refers to.
#[derive(Debug, Clone)]
pub(crate) enum Handle {
    Dir(DirHandle),
    File(FileHandle),
}

impl Handle {
    pub(crate) fn at(&self) -> &Location {
        match self {
            Self::Dir(dir) => &dir.at,
            Self::File(file) => &file.at,
        }
    }
}

/// Descriptors from [`FIRST_FD`] on, at most `max_open` at a time; a new
/// one takes the lowest free number, as POSIX `open` does.
#[derive(Debug)]
pub(crate) struct FdTable {
    /// Indexed by descriptor less [`FIRST_FD`].
    slots: Vec<Option<Handle>>,
    open: usize,
    max_open: usize,
}

impl FdTable {
    pub(crate) fn new(max_open: usize) -> Self {
        Self {
            slots: Vec::new(),
            open: 0,
            max_open,
        }
    }

    /// How many descriptors are open.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.open
    }

    /// Fails with `EMFILE` unless one more descriptor may be opened.
    ///
    /// # Errors
    ///
    /// `EMFILE` when `max_open` are open.
    pub(crate) fn check_room(&self) -> FsResult<()> {
        if self.open >= self.max_open {
            return Err(Errno::MFILE);
        }
        Ok(())
    }

    /// Opens a descriptor on `handle`: the lowest free number.
    ///
    /// # Errors
    ///
    /// `EMFILE` when `max_open` are open.
    pub(crate) fn insert(&mut self, handle: Handle) -> FsResult<u32> {
        self.check_room()?;
        let index = match self.slots.iter().position(Option::is_none) {
            Some(index) => index,
            None => {
                self.slots.push(None);
                self.slots.len() - 1
            }
        };
        self.slots[index] = Some(handle);
        self.open += 1;
        // At most `max_open` slots are ever used by insertions, and
        // `renumber` only reuses open numbers.
        Ok(FIRST_FD + index as u32)
    }

    fn index(fd: i32) -> FsResult<usize> {
        let fd = u32::try_from(fd).map_err(|_| Errno::BADF)?;
        fd.checked_sub(FIRST_FD)
            .map(|i| i as usize)
            .ok_or(Errno::BADF)
    }

    /// The handle of `fd`.
    ///
    /// # Errors
    ///
    /// `EBADF` if `fd` is not open here.
    pub(crate) fn get(&self, fd: i32) -> FsResult<&Handle> {
        self.slots
            .get(Self::index(fd)?)
            .and_then(Option::as_ref)
            .ok_or(Errno::BADF)
    }

    /// The handle of `fd`, to change.
    ///
    /// # Errors
    ///
    /// `EBADF` if `fd` is not open here.
    pub(crate) fn get_mut(&mut self, fd: i32) -> FsResult<&mut Handle> {
        self.slots
            .get_mut(Self::index(fd)?)
            .and_then(Option::as_mut)
            .ok_or(Errno::BADF)
    }

    /// Closes `fd`, returning its handle.
    ///
    /// # Errors
    ///
    /// `EBADF` if `fd` is not open here.
    pub(crate) fn remove(&mut self, fd: i32) -> FsResult<Handle> {
        let index = Self::index(fd)?;
        let handle = self
            .slots
            .get_mut(index)
            .and_then(Option::take)
            .ok_or(Errno::BADF)?;
        self.open -= 1;
        while self.slots.last().is_some_and(Option::is_none) {
            self.slots.pop();
        }
        Ok(handle)
    }

    /// Moves `from` to `to`, closing what `to` was (returned), as
    /// wasmtime's `fd_renumber`: both must be open; `from == to` changes
    /// nothing.
    ///
    /// # Errors
    ///
    /// `EBADF` unless both are open here.
    pub(crate) fn renumber(&mut self, from: i32, to: i32) -> FsResult<Option<Handle>> {
        self.get(from)?;
        self.get(to)?;
        if from == to {
            return Ok(None);
        }
        let handle = self.remove(from)?;
        let slot = self.get_mut(to)?;
        Ok(Some(core::mem::replace(slot, handle)))
    }

    /// Every open descriptor and its handle.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u32, &Handle)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, slot)| slot.as_ref().map(|h| (FIRST_FD + i as u32, h)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> Handle {
        Handle::Dir(DirHandle {
            at: Location {
                mount: Mount::Scratch,
                dev: 1,
                node: NodeId::ROOT,
            },
            preopen: Some(name.into()),
        })
    }

    fn name(table: &FdTable, fd: i32) -> String {
        match table.get(fd).unwrap() {
            Handle::Dir(d) => d.preopen.as_deref().unwrap().to_owned(),
            Handle::File(_) => unreachable!(),
        }
    }

    #[test]
    fn numbers_start_at_3_and_reuse_the_lowest_free() {
        let mut table = FdTable::new(8);
        assert_eq!(table.insert(dir("a")), Ok(3));
        assert_eq!(table.insert(dir("b")), Ok(4));
        assert_eq!(table.insert(dir("c")), Ok(5));
        assert!(table.remove(3).is_ok());
        assert!(table.remove(4).is_ok());
        assert_eq!(table.insert(dir("d")), Ok(3));
        assert_eq!(name(&table, 3), "d");
        assert_eq!(table.len(), 2);
        assert_eq!(table.iter().map(|(fd, _)| fd).collect::<Vec<_>>(), [3, 5]);
    }

    #[test]
    fn bad_descriptors_are_ebadf() {
        let mut table = FdTable::new(8);
        table.insert(dir("a")).unwrap();
        for fd in [-1, 0, 1, 2, 4, i32::MAX, i32::MIN] {
            assert_eq!(table.get(fd).err(), Some(Errno::BADF), "{fd}");
            assert_eq!(table.remove(fd).err(), Some(Errno::BADF), "{fd}");
        }
        assert!(table.remove(3).is_ok());
        assert_eq!(table.remove(3).err(), Some(Errno::BADF));
    }

    #[test]
    fn at_most_max_open_are_open() {
        let mut table = FdTable::new(2);
        table.insert(dir("a")).unwrap();
        table.insert(dir("b")).unwrap();
        assert_eq!(table.insert(dir("c")), Err(Errno::MFILE));
        assert_eq!(table.check_room(), Err(Errno::MFILE));
        table.remove(3).unwrap();
        assert_eq!(table.insert(dir("c")), Ok(3));
    }

    #[test]
    fn renumber_moves_and_closes_the_target() {
        let mut table = FdTable::new(8);
        for n in ["a", "b", "c"] {
            table.insert(dir(n)).unwrap();
        }
        let closed = table.renumber(3, 5).unwrap();
        assert!(matches!(closed, Some(Handle::Dir(d)) if d.preopen.as_deref() == Some("c")));
        assert_eq!(name(&table, 5), "a");
        assert_eq!(table.get(3).err(), Some(Errno::BADF));
        assert_eq!(table.len(), 2);
        assert!(table.renumber(4, 4).unwrap().is_none());
        assert_eq!(name(&table, 4), "b");
        // Both must be open.
        assert_eq!(table.renumber(4, 3).err(), Some(Errno::BADF));
        assert_eq!(table.renumber(3, 4).err(), Some(Errno::BADF));
        assert_eq!(table.renumber(4, 1).err(), Some(Errno::BADF));
        assert_eq!(name(&table, 4), "b");
    }
}
