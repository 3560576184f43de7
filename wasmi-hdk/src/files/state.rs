//! [`Files`]: an instance's view of its preopened directories, and the
//! descriptor-level calls (`fd_*`) over it.

use super::{
    abi::{self, Fdstat, Filestat, fdflags, filetype, fstflags, rights, whence},
    cost,
    dirent::{Dirent, Listed, write_dirents},
    errno::{Errno, FsResult},
    fd_table::{DirHandle, FdTable, FileHandle, Handle, Location, Mount},
    node::{Kind, NodeId, TreeView},
    preopens::{Preopens, Source},
    scratch::{Scratch, read_at},
};

/// An instance's files: its open descriptors (from 3 on; stdio is the WASI
/// layer's) and its scratch directory. Each method is one WASI call's work
/// on plain values and slices; the caller copies from and to guest memory
/// and charges [`take_fuel`](Self::take_fuel).
#[derive(Debug)]
pub(crate) struct Files {
    pub(super) fds: FdTable,
    pub(super) scratch: Option<Scratch>,
    /// Fuel owed for the work done since the last [`take_fuel`](Self::take_fuel).
    pub(super) fuel: u64,
}

impl Files {
    /// A fresh instance's files: each preopen open at fd 3, 4, …, and an
    /// empty scratch directory.
    /// At most `max_open` descriptors are open at once (never fewer than
    /// the preopens).
    pub(crate) fn new(preopens: &Preopens, max_open: usize) -> Self {
        let now = now();
        let dirs = preopens.dirs();
        let mut files = Self {
            fds: FdTable::new(max_open.max(dirs.len())),
            scratch: None,
            fuel: 0,
        };
        for (index, preopen) in dirs.iter().enumerate() {
            let mount = match &preopen.source {
                Source::Tree(tree) => Mount::Tree(tree.clone()),
                Source::Scratch { quota } => {
                    files.scratch = Some(Scratch::new(*quota, now));
                    Mount::Scratch
                }
            };
            let handle = Handle::Dir(DirHandle {
                at: Location {
                    mount,
                    dev: index as u64 + 1,
                    node: NodeId::ROOT,
                },
                preopen: Some(preopen.name.clone()),
            });
            // The table holds at least as many as there are preopens.
            let _ = files.open_handle(handle);
        }
        files
    }

    /// Fuel for the work done since the last call (path components walked,
    /// bytes copied, entries listed), to charge the plugin.
    pub(crate) fn take_fuel(&mut self) -> u64 {
        core::mem::take(&mut self.fuel)
    }

    /// Bytes of the scratch directory's quota in use (0 without one).
    #[cfg(any(test, feature = "fuzzing"))]
    pub(crate) fn scratch_used(&self) -> u64 {
        self.scratch.as_ref().map_or(0, Scratch::used)
    }

    /// Whether `fd` is one of ours (3 and up, open).
    #[cfg(test)]
    pub(crate) fn is_open(&self, fd: i32) -> bool {
        self.fds.get(fd).is_ok()
    }

    /// The first descriptor opened since the start that is still open
    /// (anything but a preopened directory), if any: a snapshot cannot
    /// carry it, since every request starts from the preopens alone.
    pub(crate) fn left_open(&self) -> Option<u32> {
        self.fds.iter().find_map(|(fd, handle)| match handle {
            Handle::Dir(DirHandle {
                preopen: Some(_), ..
            }) => None,
            _ => Some(fd),
        })
    }

    pub(super) fn scratch_ref(&self) -> &Scratch {
        // A scratch mount exists only with its scratch directory.
        self.scratch.as_ref().expect("a scratch directory")
    }

    pub(super) fn scratch_mut(&mut self) -> &mut Scratch {
        self.scratch.as_mut().expect("a scratch directory")
    }

    /// Opens a descriptor on `handle`, counting it on its scratch node.
    pub(super) fn open_handle(&mut self, handle: Handle) -> FsResult<u32> {
        let retain = match handle.at().mount {
            Mount::Scratch => Some(handle.at().node),
            Mount::Tree(_) => None,
        };
        let fd = self.fds.insert(handle)?;
        if let Some(node) = retain {
            self.scratch_mut().retain(node);
        }
        self.fuel += cost::OPEN;
        Ok(fd)
    }

    fn release(&mut self, handle: &Handle) {
        if let Mount::Scratch = handle.at().mount {
            self.scratch_mut().release(handle.at().node);
        }
    }

    /// The file open at `fd`; a directory (or nothing) is `EBADF`.
    pub(super) fn file(&self, fd: i32) -> FsResult<&FileHandle> {
        match self.fds.get(fd)? {
            Handle::File(file) => Ok(file),
            Handle::Dir(_) => Err(Errno::BADF),
        }
    }

    fn file_mut(&mut self, fd: i32) -> FsResult<&mut FileHandle> {
        match self.fds.get_mut(fd)? {
            Handle::File(file) => Ok(file),
            Handle::Dir(_) => Err(Errno::BADF),
        }
    }

    /// The directory open at `fd`; a file (or nothing) is `EBADF`.
    pub(super) fn dir(&self, fd: i32) -> FsResult<&DirHandle> {
        match self.fds.get(fd)? {
            Handle::Dir(dir) => Ok(dir),
            Handle::File(_) => Err(Errno::BADF),
        }
    }

    /// The `filestat` of a node.
    pub(super) fn stat_at(&self, at: &Location) -> Filestat {
        match &at.mount {
            Mount::Tree(tree) => tree.stat(at.node, at.dev),
            Mount::Scratch => self.scratch_ref().stat(at.node, at.dev),
        }
    }

    /// A file's bytes.
    fn data_at<'a>(&'a self, at: &'a Location) -> &'a [u8] {
        match &at.mount {
            Mount::Tree(tree) => tree.data(at.node),
            Mount::Scratch => self.scratch_ref().data(at.node),
        }
    }

    /// `fd_prestat_get`: the 8-byte `prestat` of a preopened directory.
    ///
    /// # Errors
    ///
    /// `EBADF` for anything but a preopen (how wasi-libc and Rust's std
    /// find the end of the preopens).
    pub(crate) fn prestat(&self, fd: i32) -> FsResult<[u8; 8]> {
        match self.fds.get(fd)? {
            Handle::Dir(DirHandle {
                preopen: Some(name),
                ..
            }) => Ok(abi::prestat_dir(name.len() as u32)),
            _ => Err(Errno::BADF),
        }
    }

    /// `fd_prestat_dir_name`: a preopen's guest path, to copy (without NUL)
    /// into a buffer of `buf_len` bytes.
    ///
    /// # Errors
    ///
    /// `ENAMETOOLONG` if it does not fit, `ENOTDIR` for a descriptor that
    /// is not a preopen (as wasmtime), `EBADF` for none.
    pub(crate) fn prestat_dir_name(&self, fd: i32, buf_len: u32) -> FsResult<&str> {
        match self.fds.get(fd)? {
            Handle::Dir(DirHandle {
                preopen: Some(name),
                ..
            }) if name.len() > buf_len as usize => Err(Errno::NAMETOOLONG),
            Handle::Dir(DirHandle {
                preopen: Some(name),
                ..
            }) => Ok(name),
            _ => Err(Errno::NOTDIR),
        }
    }

    /// `fd_fdstat_get`: the 24-byte `fdstat`.
    ///
    /// Directories of a read-only tree have the rights to open, list and
    /// stat what is in them, and pass on those and a read-only file's;
    /// files of a read-only tree have read, seek, tell, advise, sync and
    /// stat rights, and no write right. The scratch directory adds the
    /// rights to create, rename, remove, write and resize.
    ///
    /// # Errors
    ///
    /// `EBADF`.
    pub(crate) fn fdstat(&self, fd: i32) -> FsResult<[u8; 24]> {
        let stat = match self.fds.get(fd)? {
            Handle::Dir(dir) => {
                let (base, files) = match dir.at.mount {
                    Mount::Tree(_) => (rights::DIR_READ_ONLY, rights::FILE_READ_ONLY),
                    Mount::Scratch => (rights::DIR_WRITABLE, rights::FILE_WRITABLE),
                };
                Fdstat {
                    filetype: filetype::DIRECTORY,
                    flags: 0,
                    rights_base: base,
                    rights_inheriting: base | files,
                }
            }
            Handle::File(file) => {
                let mut base = match file.at.mount {
                    Mount::Tree(_) => rights::FILE_READ_ONLY,
                    Mount::Scratch => rights::FILE_WRITABLE,
                };
                if !file.write {
                    base &= !(rights::FD_WRITE | rights::FD_FILESTAT_SET_SIZE);
                }
                if !file.read {
                    base &= !rights::FD_READ;
                }
                let mut flags = 0;
                if file.append {
                    flags |= fdflags::APPEND;
                }
                if file.nonblock {
                    flags |= fdflags::NONBLOCK;
                }
                Fdstat {
                    filetype: filetype::REGULAR_FILE,
                    flags,
                    rights_base: base,
                    rights_inheriting: 0,
                }
            }
        };
        Ok(stat.to_bytes())
    }

    /// `fd_fdstat_set_flags`: sets `APPEND` and `NONBLOCK` of a file.
    ///
    /// # Errors
    ///
    /// `EINVAL` for the sync flags or unknown bits, `EBADF` for a directory
    /// (as wasmtime).
    pub(crate) fn set_fd_flags(&mut self, fd: i32, flags: u16) -> FsResult<()> {
        if flags >= 1 << 5 {
            return Err(Errno::INVAL);
        }
        let file = self.file_mut(fd)?;
        if flags & fdflags::ANY_SYNC != 0 {
            return Err(Errno::INVAL);
        }
        file.append = flags & fdflags::APPEND != 0;
        file.nonblock = flags & fdflags::NONBLOCK != 0;
        Ok(())
    }

    /// `fd_fdstat_set_rights`: not supported (rights are gone from WASI).
    ///
    /// # Errors
    ///
    /// `ENOTSUP`, or `EBADF`.
    pub(crate) fn set_rights(&self, fd: i32) -> FsResult<()> {
        self.fds.get(fd)?;
        Err(Errno::NOTSUP)
    }

    /// `fd_filestat_get`: the 64-byte `filestat` of an open file or directory.
    ///
    /// # Errors
    ///
    /// `EBADF`.
    pub(crate) fn filestat(&self, fd: i32) -> FsResult<[u8; 64]> {
        Ok(self.stat_at(self.fds.get(fd)?.at()).to_bytes())
    }

    /// `fd_filestat_set_size`: cuts or zero-extends a scratch file.
    ///
    /// # Errors
    ///
    /// `EPERM` in a read-only tree, `EINVAL` for a file not open for
    /// writing, `ENOSPC`, `EBADF` for a directory.
    pub(crate) fn set_size(&mut self, fd: i32, size: u64) -> FsResult<()> {
        let file = self.file(fd)?;
        if let Mount::Tree(_) = file.at.mount {
            return Err(Errno::PERM);
        }
        if !file.write {
            return Err(Errno::INVAL);
        }
        let node = file.at.node;
        let scratch = self.scratch_mut();
        let before = scratch.data(node).len() as u64;
        scratch.set_size(node, size, now())?;
        // Zero-filling costs as much as copying.
        self.fuel += size.abs_diff(before) / cost::BYTES_PER_FUEL;
        Ok(())
    }

    /// `fd_filestat_set_times`.
    ///
    /// # Errors
    ///
    /// `EINVAL` for contradictory flags, `EPERM` in a read-only tree, `EBADF`.
    pub(crate) fn set_times(&mut self, fd: i32, atim: u64, mtim: u64, flags: u16) -> FsResult<()> {
        let (atime, mtime) = new_times(atim, mtim, flags)?;
        let at = self.fds.get(fd)?.at();
        if let Mount::Tree(_) = at.mount {
            return Err(Errno::PERM);
        }
        let node = at.node;
        self.scratch_mut().set_times(node, atime, mtime);
        Ok(())
    }

    /// `fd_read` into one buffer: copies from the position on and moves it.
    /// The caller walks the iovecs, stopping at a short read.
    ///
    /// # Errors
    ///
    /// `EBADF` for a directory or a file not open for reading.
    pub(crate) fn read(&mut self, fd: i32, dst: &mut [u8]) -> FsResult<usize> {
        let file = self.file(fd)?;
        if !file.read {
            return Err(Errno::BADF);
        }
        let count = read_at(self.data_at(&file.at), file.pos, dst);
        self.fuel += count as u64 / cost::BYTES_PER_FUEL;
        let file = self.file_mut(fd)?;
        file.pos += count as u64;
        Ok(count)
    }

    /// `fd_pread` into one buffer: copies from `offset`, the position stays.
    ///
    /// # Errors
    ///
    /// `EBADF` for a directory or a file not open for reading.
    pub(crate) fn pread(&mut self, fd: i32, dst: &mut [u8], offset: u64) -> FsResult<usize> {
        let file = self.file(fd)?;
        if !file.read {
            return Err(Errno::BADF);
        }
        let count = read_at(self.data_at(&file.at), offset, dst);
        self.fuel += count as u64 / cost::BYTES_PER_FUEL;
        Ok(count)
    }

    /// `fd_write` of one buffer at the position (at the end in append
    /// mode), which moves past it. May write less than given when the
    /// scratch quota runs out.
    ///
    /// # Errors
    ///
    /// `EBADF` for a directory, a file of a read-only tree or one not open
    /// for writing (as wasmtime: the host file is open read-only),
    /// `ENOSPC` when nothing fits.
    pub(crate) fn write(&mut self, fd: i32, src: &[u8]) -> FsResult<usize> {
        let (node, offset) = self.writable(fd, None)?;
        let count = self.write_at(node, offset, src)?;
        self.file_mut(fd)?.pos = offset + count as u64;
        Ok(count)
    }

    /// `fd_pwrite` of one buffer at `offset` (at the end in append mode,
    /// as Linux); the position stays.
    ///
    /// # Errors
    ///
    /// As [`write`](Self::write).
    pub(crate) fn pwrite(&mut self, fd: i32, src: &[u8], offset: u64) -> FsResult<usize> {
        let (node, offset) = self.writable(fd, Some(offset))?;
        self.write_at(node, offset, src)
    }

    /// Writes into a scratch file, charging for the bytes copied and for
    /// the zeros of any gap filled.
    fn write_at(&mut self, node: NodeId, offset: u64, src: &[u8]) -> FsResult<usize> {
        let scratch = self.scratch_mut();
        let before = scratch.data(node).len() as u64;
        let count = scratch.write(node, offset, src, now())?;
        let grown = (scratch.data(node).len() as u64).saturating_sub(before);
        self.fuel += (count as u64 + grown) / cost::BYTES_PER_FUEL;
        Ok(count)
    }

    /// The scratch node of a writable file and where a write goes.
    fn writable(&self, fd: i32, offset: Option<u64>) -> FsResult<(NodeId, u64)> {
        let file = self.file(fd)?;
        if !file.write {
            return Err(Errno::BADF);
        }
        let node = file.at.node;
        let offset = if file.append {
            self.scratch_ref().data(node).len() as u64
        } else {
            offset.unwrap_or(file.pos)
        };
        Ok((node, offset))
    }

    /// `fd_seek`: moves a file's position, past the end too; returns it.
    ///
    /// # Errors
    ///
    /// `EINVAL` for a bad `whence` or a position below 0 (or past
    /// `u64::MAX`), `EBADF` for a directory (as wasmtime).
    pub(crate) fn seek(&mut self, fd: i32, delta: i64, whence: u8) -> FsResult<u64> {
        if whence > whence::END {
            return Err(Errno::INVAL);
        }
        let file = self.file(fd)?;
        let pos = match whence {
            whence::SET => u64::try_from(delta).ok(),
            whence::CUR => file.pos.checked_add_signed(delta),
            _ => (self.data_at(&file.at).len() as u64).checked_add_signed(delta),
        }
        .ok_or(Errno::INVAL)?;
        self.file_mut(fd)?.pos = pos;
        Ok(pos)
    }

    /// `fd_tell`: a file's position.
    ///
    /// # Errors
    ///
    /// `EBADF` for a directory.
    pub(crate) fn tell(&self, fd: i32) -> FsResult<u64> {
        Ok(self.file(fd)?.pos)
    }

    /// `fd_advise`: accepted and ignored for a file.
    ///
    /// # Errors
    ///
    /// `EINVAL` for an unknown advice, `EBADF` for a directory.
    pub(crate) fn advise(&self, fd: i32, _offset: u64, _len: u64, advice: u8) -> FsResult<()> {
        if advice > abi::ADVICE_MAX {
            return Err(Errno::INVAL);
        }
        self.file(fd).map(drop)
    }

    /// `fd_allocate`: not supported (as wasmtime).
    ///
    /// # Errors
    ///
    /// `ENOTSUP` for a file, `EBADF` for a directory.
    pub(crate) fn allocate(&self, fd: i32, _offset: u64, _len: u64) -> FsResult<()> {
        self.file(fd)?;
        Err(Errno::NOTSUP)
    }

    /// `fd_sync` and `fd_datasync`: nothing to do for a file in memory.
    ///
    /// # Errors
    ///
    /// `EBADF` for a directory (as wasmtime).
    pub(crate) fn sync(&self, fd: i32) -> FsResult<()> {
        self.file(fd).map(drop)
    }

    /// `poll_oneoff`'s readiness of a file: always ready, with the bytes
    /// left to read from the position.
    ///
    /// # Errors
    ///
    /// `EBADF` for a directory.
    pub(crate) fn poll_nbytes(&self, fd: i32) -> FsResult<u64> {
        let file = self.file(fd)?;
        Ok((self.data_at(&file.at).len() as u64).saturating_sub(file.pos))
    }

    /// `fd_readdir`: writes the directory's entries from `cookie` on into
    /// `out` (see [`write_dirents`]); returns the bytes written.
    ///
    /// # Errors
    ///
    /// `EBADF` for a file (as wasmtime).
    pub(crate) fn readdir(&mut self, fd: i32, cookie: u64, out: &mut [u8]) -> FsResult<usize> {
        let at = &self.dir(fd)?.at;
        let ino = at.node.ino();
        let listed = match &at.mount {
            Mount::Tree(tree) => {
                let entries = tree.entries(at.node);
                list(out, cookie, ino, entries, tree)
            }
            Mount::Scratch => {
                let scratch = self.scratch_ref();
                list(out, cookie, ino, scratch.entries(at.node), scratch)
            }
        };
        self.fuel +=
            listed.entries as u64 * cost::ENTRY + listed.bytes as u64 / cost::BYTES_PER_FUEL;
        Ok(listed.bytes)
    }

    /// `fd_close`. A preopen can be closed too.
    ///
    /// # Errors
    ///
    /// `EBADF`.
    pub(crate) fn close(&mut self, fd: i32) -> FsResult<()> {
        let handle = self.fds.remove(fd)?;
        self.release(&handle);
        Ok(())
    }

    /// `fd_renumber` between two of our descriptors: `to` is closed and
    /// `from` takes its number.
    ///
    /// # Errors
    ///
    /// `EBADF` unless both are open.
    pub(crate) fn renumber(&mut self, from: i32, to: i32) -> FsResult<()> {
        if let Some(closed) = self.fds.renumber(from, to)? {
            self.release(&closed);
        }
        Ok(())
    }
}

fn list<T: TreeView>(
    out: &mut [u8],
    cookie: u64,
    ino: u64,
    entries: &[(Box<str>, NodeId)],
    tree: &T,
) -> Listed {
    write_dirents(out, cookie, ino, entries.len(), |index| {
        let (name, node) = &entries[index];
        Dirent {
            name,
            ino: node.ino(),
            filetype: match tree.kind(*node) {
                Kind::Dir => filetype::DIRECTORY,
                Kind::File => filetype::REGULAR_FILE,
                Kind::Symlink => filetype::SYMBOLIC_LINK,
            },
        }
    })
}

/// The times `fst_flags` sets: `(atime, mtime)`, `None` to keep.
///
/// # Errors
///
/// `EINVAL` for a time both given and "now", or unknown bits.
pub(super) fn new_times(atim: u64, mtim: u64, flags: u16) -> FsResult<(Option<u64>, Option<u64>)> {
    if flags >= 1 << 4 {
        return Err(Errno::INVAL);
    }
    let pick = |time, set, set_now| match (flags & set != 0, flags & set_now != 0) {
        (true, true) => Err(Errno::INVAL),
        (true, false) => Ok(Some(time)),
        (false, true) => Ok(Some(now())),
        (false, false) => Ok(None),
    };
    Ok((
        pick(atim, fstflags::ATIM, fstflags::ATIM_NOW)?,
        pick(mtim, fstflags::MTIM, fstflags::MTIM_NOW)?,
    ))
}

/// The wall-clock time, for the scratch directory's timestamps.
pub(super) fn now() -> u64 {
    crate::runtime::unix_time_ns()
}

#[cfg(any(test, feature = "fuzzing"))]
impl Files {
    /// Panics unless the scratch directory's bookkeeping agrees with the
    /// open descriptors (see [`Scratch::check`]).
    pub(crate) fn check(&self) {
        let Some(scratch) = &self.scratch else {
            return;
        };
        let mut opens = Vec::new();
        for (_, handle) in self.fds.iter() {
            if let Mount::Scratch = handle.at().mount {
                let index = handle.at().node.index();
                if opens.len() <= index {
                    opens.resize(index + 1, 0);
                }
                opens[index] += 1;
            }
        }
        scratch.check(&opens);
    }
}
