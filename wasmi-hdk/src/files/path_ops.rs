//! The path-level calls (`path_*`) of [`Files`]: a path resolved from a
//! directory descriptor, never above it.

use super::{
    abi::{fdflags, lookupflags, oflags, rights},
    cost,
    errno::{Errno, FsResult},
    fd_table::{DirHandle, FileHandle, Handle, Location, Mount},
    node::{Kind, TreeView},
    resolve::{Last, ParentOf, Walked, guest_path, resolve, resolve_parent},
    state::{Files, new_times, now},
};

/// What `path_open` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OpenRequest {
    /// `lookupflags`.
    pub(crate) lookup: u32,
    /// `oflags`.
    pub(crate) oflags: u16,
    /// `fs_rights_base`: only `FD_READ` and `FD_WRITE` matter (the rights
    /// system is gone from WASI; wasmtime reads these two alone).
    pub(crate) rights: u64,
    /// `fdflags`.
    pub(crate) fdflags: u16,
}

impl Files {
    /// The directory `fd` for a path call, and the path as text; the
    /// checks in wasmtime's order.
    fn dir_and_path<'p>(&self, fd: i32, path: &'p [u8]) -> FsResult<(DirHandle, &'p str)> {
        let dir = self.dir(fd)?.clone();
        let path = guest_path(path)?;
        Ok((dir, path))
    }

    /// Resolves `path` from `dir`; see [`resolve`].
    fn resolve_from(&mut self, dir: &DirHandle, path: &str, follow: bool) -> FsResult<Location> {
        let mut work = 0;
        let walked = match &dir.at.mount {
            Mount::Tree(tree) => resolve(tree, dir.at.node, path, follow, &mut work),
            Mount::Scratch => resolve(self.scratch_ref(), dir.at.node, path, follow, &mut work),
        };
        self.fuel += work * cost::PATH_STEP;
        let Walked { node, .. } = walked?;
        Ok(Location {
            mount: dir.at.mount.clone(),
            dev: dir.at.dev,
            node,
        })
    }

    /// Resolves all of `path` but its last component in the scratch
    /// directory `dir`; see [`resolve_parent`].
    fn scratch_parent<'p>(&mut self, dir: &DirHandle, path: &'p str) -> FsResult<ParentOf<'p>> {
        let mut work = 0;
        let parent = resolve_parent(self.scratch_ref(), dir.at.node, path, &mut work);
        self.fuel += work * cost::PATH_STEP;
        parent
    }

    /// `path_open`: opens a file or directory and returns its descriptor.
    ///
    /// In a read-only tree, creating, truncating or asking for `FD_WRITE`
    /// is `EPERM` before the path is looked at (as wasmtime's read-only
    /// preopens). The last component is followed if it is a symlink and
    /// `SYMLINK_FOLLOW` is set; otherwise opening a symlink is `ELOOP`.
    ///
    /// # Errors
    ///
    /// `EILSEQ`/`EINVAL`/`ENAMETOOLONG` for the path, `ENOTDIR` if `fd` is a
    /// file, `EBADF` if it is not ours, `EMFILE`, `ENOTSUP` for the sync
    /// fdflags, `EINVAL` for `DIRECTORY` with `CREAT`/`EXCL`/`TRUNC`, the
    /// errors of [`resolve`], `EEXIST` (`CREAT|EXCL`), `EISDIR` (a
    /// directory to write, or created as a file), `ENOTDIR` (`DIRECTORY`
    /// on a file), `ENOSPC`.
    pub(crate) fn open(&mut self, fd: i32, path: &[u8], request: OpenRequest) -> FsResult<u32> {
        let path = guest_path(path)?;
        let dir = match self.fds.get(fd)? {
            Handle::Dir(dir) => dir.clone(),
            Handle::File(_) => return Err(Errno::NOTDIR),
        };
        self.fds.check_room()?;
        let OpenRequest {
            lookup,
            oflags: flags,
            rights: wanted,
            fdflags: fd_flags,
        } = request;
        let create = flags & oflags::CREAT != 0;
        let truncate = flags & oflags::TRUNC != 0;
        let exclusive = flags & oflags::EXCL != 0;
        let directory = flags & oflags::DIRECTORY != 0;
        let want_write = wanted & rights::FD_WRITE != 0;
        if flags >= 1 << 4 || fd_flags >= 1 << 5 || lookup >= 1 << 1 {
            return Err(Errno::INVAL);
        }
        if matches!(dir.at.mount, Mount::Tree(_)) && (create || truncate || want_write) {
            return Err(Errno::PERM);
        }
        if fd_flags & fdflags::ANY_SYNC != 0 {
            return Err(Errno::NOTSUP);
        }
        if directory && (create || exclusive || truncate) {
            return Err(Errno::INVAL);
        }
        let follow = lookup & lookupflags::SYMLINK_FOLLOW != 0;
        let at = if create {
            self.create_for_open(&dir, path, exclusive)?
        } else {
            self.resolve_from(&dir, path, follow)?
        };
        let kind = match &at.mount {
            Mount::Tree(tree) => tree.kind(at.node),
            Mount::Scratch => self.scratch_ref().kind(at.node),
        };
        let handle = match kind {
            Kind::Symlink => return Err(Errno::LOOP),
            Kind::Dir if want_write || truncate => return Err(Errno::ISDIR),
            Kind::Dir => Handle::Dir(DirHandle { at, preopen: None }),
            Kind::File if directory => return Err(Errno::NOTDIR),
            Kind::File => {
                if truncate {
                    self.scratch_mut().set_size(at.node, 0, now())?;
                }
                // As wasmtime: creating or truncating opens for writing,
                // and a file not opened for writing is open for reading.
                let write = want_write || create || truncate;
                Handle::File(FileHandle {
                    at,
                    pos: 0,
                    read: wanted & rights::FD_READ != 0 || !want_write,
                    write,
                    append: fd_flags & fdflags::APPEND != 0,
                    nonblock: fd_flags & fdflags::NONBLOCK != 0,
                })
            }
        };
        self.open_handle(handle)
    }

    /// `O_CREAT` in the scratch directory: the existing node, or a new file.
    fn create_for_open(
        &mut self,
        dir: &DirHandle,
        path: &str,
        exclusive: bool,
    ) -> FsResult<Location> {
        let parent = self.scratch_parent(dir, path)?;
        let existing = match parent.last {
            Last::Dot => Some(parent.dir),
            // `resolve_parent` refuses `..` at the base.
            Last::DotDot => Some(self.resolve_from(dir, path, true)?.node),
            Last::Name(name) => self.scratch_ref().lookup(parent.dir, name),
        };
        let node = match (existing, parent.last) {
            (Some(_), _) if exclusive => return Err(Errno::EXIST),
            (Some(node), _) => {
                if parent.trailing_slash && self.scratch_ref().kind(node) != Kind::Dir {
                    return Err(Errno::NOTDIR);
                }
                if self.scratch_ref().kind(node) == Kind::Dir {
                    return Err(Errno::ISDIR);
                }
                node
            }
            (None, Last::Name(_)) if parent.trailing_slash => return Err(Errno::ISDIR),
            (None, Last::Name(name)) => self.scratch_mut().create_file(parent.dir, name, now())?,
            (None, _) => return Err(Errno::NOENT),
        };
        Ok(Location {
            mount: Mount::Scratch,
            dev: dir.at.dev,
            node,
        })
    }

    /// `path_filestat_get`: the `filestat` of what `path` names, following
    /// a last symlink if `lookup` says so.
    ///
    /// # Errors
    ///
    /// `EBADF` if `fd` is not a directory, the path's and [`resolve`]'s errors.
    pub(crate) fn path_filestat(
        &mut self,
        fd: i32,
        lookup: u32,
        path: &[u8],
    ) -> FsResult<[u8; 64]> {
        let (dir, path) = self.dir_and_path(fd, path)?;
        let at = self.resolve_from(&dir, path, lookup & lookupflags::SYMLINK_FOLLOW != 0)?;
        Ok(self.stat_at(&at).to_bytes())
    }

    /// `path_filestat_set_times`.
    ///
    /// # Errors
    ///
    /// `EINVAL` for contradictory flags, `EPERM` in a read-only tree, the
    /// path's and [`resolve`]'s errors.
    pub(crate) fn path_set_times(
        &mut self,
        fd: i32,
        lookup: u32,
        path: &[u8],
        (atim, mtim, flags): (u64, u64, u16),
    ) -> FsResult<()> {
        let (atime, mtime) = new_times(atim, mtim, flags)?;
        let (dir, path) = self.writable_dir(fd, path)?;
        let at = self.resolve_from(&dir, path, lookup & lookupflags::SYMLINK_FOLLOW != 0)?;
        self.scratch_mut().set_times(at.node, atime, mtime);
        Ok(())
    }

    /// The directory `fd` and `path` of a call that changes the tree:
    /// `EPERM` in a read-only one.
    fn writable_dir<'p>(&self, fd: i32, path: &'p [u8]) -> FsResult<(DirHandle, &'p str)> {
        let (dir, path) = self.dir_and_path(fd, path)?;
        match dir.at.mount {
            Mount::Tree(_) => Err(Errno::PERM),
            Mount::Scratch => Ok((dir, path)),
        }
    }

    /// `path_create_directory`.
    ///
    /// # Errors
    ///
    /// `EPERM` in a read-only tree, `EEXIST`, `ENOSPC`, the path's and
    /// [`resolve`]'s errors.
    pub(crate) fn create_directory(&mut self, fd: i32, path: &[u8]) -> FsResult<()> {
        let (dir, path) = self.writable_dir(fd, path)?;
        let parent = self.scratch_parent(&dir, path)?;
        match parent.last {
            Last::Dot | Last::DotDot => Err(Errno::EXIST),
            Last::Name(name) => {
                self.fuel += cost::OPEN;
                self.scratch_mut()
                    .create_dir(parent.dir, name, now())
                    .map(drop)
            }
        }
    }

    /// `path_remove_directory`.
    ///
    /// # Errors
    ///
    /// `EPERM` in a read-only tree, `ENOTEMPTY`, `ENOTDIR`, `EINVAL` for
    /// `.`, the path's and [`resolve`]'s errors.
    pub(crate) fn remove_directory(&mut self, fd: i32, path: &[u8]) -> FsResult<()> {
        let (dir, path) = self.writable_dir(fd, path)?;
        let parent = self.scratch_parent(&dir, path)?;
        match parent.last {
            Last::Dot => Err(Errno::INVAL),
            Last::DotDot => Err(Errno::NOTEMPTY),
            Last::Name(name) => self.scratch_mut().remove_dir(parent.dir, name, now()),
        }
    }

    /// `path_unlink_file`.
    ///
    /// # Errors
    ///
    /// `EPERM` in a read-only tree, `EISDIR` for a directory (as Linux),
    /// `ENOTDIR` for a file named with a trailing `/`, the path's and
    /// [`resolve`]'s errors.
    pub(crate) fn unlink_file(&mut self, fd: i32, path: &[u8]) -> FsResult<()> {
        let (dir, path) = self.writable_dir(fd, path)?;
        let parent = self.scratch_parent(&dir, path)?;
        let Last::Name(name) = parent.last else {
            return Err(Errno::ISDIR);
        };
        if parent.trailing_slash {
            return Err(match self.scratch_ref().lookup(parent.dir, name) {
                None => Errno::NOENT,
                Some(node) if self.scratch_ref().kind(node) == Kind::Dir => Errno::ISDIR,
                Some(_) => Errno::NOTDIR,
            });
        }
        self.scratch_mut().unlink(parent.dir, name, now())
    }

    /// `path_rename`, within the scratch directory.
    ///
    /// # Errors
    ///
    /// `EPERM` if either side is a read-only tree, `EBUSY` for `.` or `..`
    /// (as Linux), the errors of [`Scratch::rename`](super::scratch::Scratch::rename),
    /// the paths' and [`resolve`]'s errors.
    pub(crate) fn rename(
        &mut self,
        fd: i32,
        path: &[u8],
        new_fd: i32,
        new_path: &[u8],
    ) -> FsResult<()> {
        let (from_dir, path) = self.dir_and_path(fd, path)?;
        let (to_dir, new_path) = self.dir_and_path(new_fd, new_path)?;
        let scratch = |d: &DirHandle| matches!(d.at.mount, Mount::Scratch);
        if !scratch(&from_dir) || !scratch(&to_dir) {
            return Err(Errno::PERM);
        }
        let from = self.scratch_parent(&from_dir, path)?;
        let to = self.scratch_parent(&to_dir, new_path)?;
        let (Last::Name(from_name), Last::Name(to_name)) = (from.last, to.last) else {
            return Err(Errno::BUSY);
        };
        let dir_only = from.trailing_slash || to.trailing_slash;
        self.scratch_mut()
            .rename((from.dir, from_name), (to.dir, to_name), dir_only, now())
    }

    /// `path_link`: hard links exist in neither kind of tree.
    ///
    /// # Errors
    ///
    /// `EPERM` (after `EBADF` and the paths' errors), or `EINVAL` when
    /// asked to follow a symlink in the scratch directory (as wasmtime).
    pub(crate) fn link(
        &mut self,
        fd: i32,
        lookup: u32,
        path: &[u8],
        new_fd: i32,
        new_path: &[u8],
    ) -> FsResult<()> {
        let (from, _) = self.dir_and_path(fd, path)?;
        let (to, _) = self.dir_and_path(new_fd, new_path)?;
        let scratch = |d: &DirHandle| matches!(d.at.mount, Mount::Scratch);
        if scratch(&from) && scratch(&to) && lookup & lookupflags::SYMLINK_FOLLOW != 0 {
            return Err(Errno::INVAL);
        }
        Err(Errno::PERM)
    }

    /// `path_symlink`: symlinks cannot be made in either kind of tree.
    ///
    /// # Errors
    ///
    /// `EPERM` (after `EBADF` and the paths' errors).
    pub(crate) fn symlink(&mut self, old_path: &[u8], fd: i32, new_path: &[u8]) -> FsResult<()> {
        let (_, _) = self.dir_and_path(fd, new_path)?;
        guest_path(old_path)?;
        Err(Errno::PERM)
    }

    /// `path_readlink`: copies a symlink's target (cut to `out`, no NUL)
    /// and returns its length.
    ///
    /// # Errors
    ///
    /// `EINVAL` if the path names no symlink, the path's and [`resolve`]'s errors.
    pub(crate) fn readlink(&mut self, fd: i32, path: &[u8], out: &mut [u8]) -> FsResult<usize> {
        let (dir, path) = self.dir_and_path(fd, path)?;
        let at = self.resolve_from(&dir, path, false)?;
        let Mount::Tree(tree) = &at.mount else {
            return Err(Errno::INVAL);
        };
        if tree.kind(at.node) != Kind::Symlink {
            return Err(Errno::INVAL);
        }
        let target = tree.link_target(at.node).as_bytes();
        let count = target.len().min(out.len());
        out[..count].copy_from_slice(&target[..count]);
        Ok(count)
    }
}
