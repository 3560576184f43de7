//! Descriptors from 3 on and paths: the plugin's preopened directories
//! (read-only trees, an optional scratch directory), served by the file
//! layer (`crate::files`). Each function here reads its arguments from
//! guest memory, calls one method of the instance's [`Files`], writes the
//! result back and charges the file layer's work in fuel. Without
//! preopened directories every descriptor from 3 on is `EBADF`, as before.

// The WASI preview 1 signatures fix the argument lists (`path_open` takes nine).
#![allow(clippy::too_many_arguments)]

use wasmi::Caller;

use super::{
    WasiView, charge,
    errno::{Errno, WasiResult, errno_of},
    memory::GuestMemory,
    stdio::is_stdio,
    with_memory,
};
use crate::files::{Files, OpenRequest};

/// Runs `body` on guest memory and the instance's files (`EBADF` without
/// any), then charges the file layer's work.
fn on_files<T: WasiView>(
    caller: &mut Caller<'_, T>,
    body: impl FnOnce(&mut GuestMemory<'_>, &mut Files) -> WasiResult,
) -> i32 {
    let result = with_memory(caller, |mem, state| match state.files() {
        Some(files) => body(mem, files),
        None => Err(Errno::BADF),
    })
    .and_then(|r| r);
    let fuel = caller.data_mut().files().map_or(0, Files::take_fuel);
    charge(caller, fuel);
    errno_of(result)
}

/// The `(ptr, len)` iovecs at `iovs`, each checked to be in memory, and
/// `out` (4 bytes) too, so a bad pointer loses nothing.
fn checked_iovecs(
    mem: &GuestMemory<'_>,
    iovs: u32,
    count: u32,
    out: u32,
) -> Result<Vec<(u32, u32)>, Errno> {
    let vecs = mem.iovecs(iovs, count)?;
    for &(ptr, len) in &vecs {
        mem.slice(ptr, len)?;
    }
    mem.slice(out, 4)?;
    Ok(vecs)
}

/// Moves bytes between the guest's iovecs and a descriptor one iovec at a
/// time (`step` gets the iovec and the bytes moved so far), stopping at a
/// short transfer as a pipe or file does; writes the total at `out`.
fn each_iovec(
    mem: &mut GuestMemory<'_>,
    (iovs, count, out): (u32, u32, u32),
    mut step: impl FnMut(&mut GuestMemory<'_>, u32, u32, u64) -> Result<usize, Errno>,
) -> WasiResult {
    let mut total = 0u32;
    for (ptr, len) in checked_iovecs(mem, iovs, count, out)? {
        let n = step(mem, ptr, len, u64::from(total))? as u32;
        total += n;
        if n < len {
            break;
        }
    }
    mem.write_u32(out, total)
}

/// [`on_files`] for a call that takes a descriptor: on stdio (0–2) it
/// answers `stdio`, what the call gives on a pipe.
fn on_fd<T: WasiView>(
    caller: &mut Caller<'_, T>,
    fd: i32,
    stdio: Errno,
    body: impl FnOnce(&mut GuestMemory<'_>, &mut Files) -> WasiResult,
) -> i32 {
    if is_stdio(fd) {
        return stdio.0;
    }
    on_files(caller, body)
}

/// The bytes of a path argument.
fn path(mem: &GuestMemory<'_>, ptr: i32, len: i32) -> Result<Vec<u8>, Errno> {
    Ok(mem.slice(ptr as u32, len as u32)?.to_vec())
}

/// `fd_read` on a descriptor from 3 on: into each iovec, stopping at a
/// short read.
pub(super) fn fd_read<T: WasiView>(
    caller: &mut Caller<'_, T>,
    fd: i32,
    iovs: u32,
    count: u32,
    nread: u32,
) -> i32 {
    on_files(caller, |mem, files| {
        each_iovec(mem, (iovs, count, nread), |mem, ptr, len, _| {
            files.read(fd, mem.slice_mut(ptr, len)?)
        })
    })
}

/// `fd_write` on a descriptor from 3 on.
pub(super) fn fd_write<T: WasiView>(
    caller: &mut Caller<'_, T>,
    fd: i32,
    iovs: u32,
    count: u32,
    nwritten: u32,
) -> i32 {
    on_files(caller, |mem, files| {
        each_iovec(mem, (iovs, count, nwritten), |mem, ptr, len, _| {
            files.write(fd, mem.slice(ptr, len)?)
        })
    })
}

pub(super) fn fd_pread<T: WasiView>(
    mut caller: Caller<'_, T>,
    fd: i32,
    iovs: i32,
    count: i32,
    offset: i64,
    nread: i32,
) -> i32 {
    let args = (iovs as u32, count as u32, nread as u32);
    on_fd(&mut caller, fd, Errno::SPIPE, |mem, files| {
        each_iovec(mem, args, |mem, ptr, len, done| {
            let at = (offset as u64).saturating_add(done);
            files.pread(fd, mem.slice_mut(ptr, len)?, at)
        })
    })
}

pub(super) fn fd_pwrite<T: WasiView>(
    mut caller: Caller<'_, T>,
    fd: i32,
    iovs: i32,
    count: i32,
    offset: i64,
    nwritten: i32,
) -> i32 {
    let args = (iovs as u32, count as u32, nwritten as u32);
    on_fd(&mut caller, fd, Errno::SPIPE, |mem, files| {
        each_iovec(mem, args, |mem, ptr, len, done| {
            let at = (offset as u64).saturating_add(done);
            files.pwrite(fd, mem.slice(ptr, len)?, at)
        })
    })
}

pub(super) fn fd_seek<T: WasiView>(
    mut caller: Caller<'_, T>,
    fd: i32,
    delta: i64,
    whence: i32,
    out: i32,
) -> i32 {
    on_fd(&mut caller, fd, Errno::SPIPE, |mem, files| {
        mem.slice(out as u32, 8)?;
        let at = files.seek(fd, delta, whence as u8)?;
        mem.write_u64(out as u32, at)
    })
}

pub(super) fn fd_tell<T: WasiView>(mut caller: Caller<'_, T>, fd: i32, out: i32) -> i32 {
    on_fd(&mut caller, fd, Errno::SPIPE, |mem, files| {
        mem.slice(out as u32, 8)?;
        let at = files.tell(fd)?;
        mem.write_u64(out as u32, at)
    })
}

pub(super) fn fd_advise<T: WasiView>(
    mut caller: Caller<'_, T>,
    fd: i32,
    offset: i64,
    len: i64,
    advice: i32,
) -> i32 {
    on_fd(&mut caller, fd, Errno::NOTSUP, |_, files| {
        files.advise(fd, offset as u64, len as u64, advice as u8)
    })
}

pub(super) fn fd_allocate<T: WasiView>(
    mut caller: Caller<'_, T>,
    fd: i32,
    offset: i64,
    len: i64,
) -> i32 {
    on_fd(&mut caller, fd, Errno::NOTSUP, |_, files| {
        files.allocate(fd, offset as u64, len as u64)
    })
}

pub(super) fn fd_sync<T: WasiView>(mut caller: Caller<'_, T>, fd: i32) -> i32 {
    on_fd(&mut caller, fd, Errno::NOTSUP, |_, files| files.sync(fd))
}

/// `fd_close` on a descriptor from 3 on.
pub(super) fn fd_close<T: WasiView>(caller: &mut Caller<'_, T>, fd: i32) -> i32 {
    on_files(caller, |_, files| files.close(fd))
}

/// `fd_fdstat_get` on a descriptor from 3 on.
pub(super) fn fd_fdstat_get<T: WasiView>(caller: &mut Caller<'_, T>, fd: i32, out: u32) -> i32 {
    on_files(caller, |mem, files| {
        mem.slice(out, 24)?;
        let stat = files.fdstat(fd)?;
        mem.write_bytes(out, &stat)
    })
}

/// `fd_fdstat_set_flags` on a descriptor from 3 on.
pub(super) fn fd_fdstat_set_flags<T: WasiView>(
    caller: &mut Caller<'_, T>,
    fd: i32,
    flags: i32,
) -> i32 {
    on_files(caller, |_, files| files.set_fd_flags(fd, flags as u16))
}

pub(super) fn fd_fdstat_set_rights<T: WasiView>(
    mut caller: Caller<'_, T>,
    fd: i32,
    _base: i64,
    _inheriting: i64,
) -> i32 {
    on_fd(&mut caller, fd, Errno::NOTSUP, |_, files| {
        files.set_rights(fd)
    })
}

/// `fd_filestat_get` on a descriptor from 3 on.
pub(super) fn fd_filestat_get<T: WasiView>(caller: &mut Caller<'_, T>, fd: i32, out: u32) -> i32 {
    on_files(caller, |mem, files| {
        mem.slice(out, 64)?;
        let stat = files.filestat(fd)?;
        mem.write_bytes(out, &stat)
    })
}

pub(super) fn fd_filestat_set_size<T: WasiView>(
    mut caller: Caller<'_, T>,
    fd: i32,
    size: i64,
) -> i32 {
    on_fd(&mut caller, fd, Errno::NOTSUP, |_, files| {
        files.set_size(fd, size as u64)
    })
}

pub(super) fn fd_filestat_set_times<T: WasiView>(
    mut caller: Caller<'_, T>,
    fd: i32,
    atim: i64,
    mtim: i64,
    flags: i32,
) -> i32 {
    on_fd(&mut caller, fd, Errno::NOTSUP, |_, files| {
        files.set_times(fd, atim as u64, mtim as u64, flags as u16)
    })
}

/// The preopened directories: `EBADF` for stdio and any other descriptor,
/// which is how wasi-libc and Rust std learn where the list ends.
pub(super) fn fd_prestat_get<T: WasiView>(mut caller: Caller<'_, T>, fd: i32, out: i32) -> i32 {
    on_fd(&mut caller, fd, Errno::BADF, |mem, files| {
        mem.slice(out as u32, 8)?;
        let stat = files.prestat(fd)?;
        mem.write_bytes(out as u32, &stat)
    })
}

pub(super) fn fd_prestat_dir_name<T: WasiView>(
    mut caller: Caller<'_, T>,
    fd: i32,
    ptr: i32,
    len: i32,
) -> i32 {
    on_fd(&mut caller, fd, Errno::BADF, |mem, files| {
        mem.slice(ptr as u32, len as u32)?;
        let name = files.prestat_dir_name(fd, len as u32)?;
        mem.write_bytes(ptr as u32, name.as_bytes())
    })
}

pub(super) fn fd_readdir<T: WasiView>(
    mut caller: Caller<'_, T>,
    fd: i32,
    buf: i32,
    len: i32,
    cookie: i64,
    used: i32,
) -> i32 {
    on_fd(&mut caller, fd, Errno::NOTSUP, |mem, files| {
        mem.slice(used as u32, 4)?;
        let n = files.readdir(fd, cookie as u64, mem.slice_mut(buf as u32, len as u32)?)?;
        mem.write_u32(used as u32, n as u32)
    })
}

/// `fd_renumber`: stdout is the protocol channel, so stdio takes no part
/// (`ENOTSUP`).
pub(super) fn fd_renumber<T: WasiView>(mut caller: Caller<'_, T>, from: i32, to: i32) -> i32 {
    if is_stdio(from) || is_stdio(to) {
        return Errno::NOTSUP.0;
    }
    on_files(&mut caller, |_, files| files.renumber(from, to))
}

pub(super) fn path_open<T: WasiView>(
    mut caller: Caller<'_, T>,
    fd: i32,
    lookup: i32,
    path_ptr: i32,
    path_len: i32,
    oflags: i32,
    rights: i64,
    _inheriting: i64,
    fdflags: i32,
    out: i32,
) -> i32 {
    on_files(&mut caller, |mem, files| {
        let path = path(mem, path_ptr, path_len)?;
        mem.slice(out as u32, 4)?;
        let request = OpenRequest {
            lookup: lookup as u32,
            oflags: oflags as u16,
            rights: rights as u64,
            fdflags: fdflags as u16,
        };
        let opened = files.open(fd, &path, request)?;
        mem.write_u32(out as u32, opened)
    })
}

pub(super) fn path_filestat_get<T: WasiView>(
    mut caller: Caller<'_, T>,
    fd: i32,
    lookup: i32,
    path_ptr: i32,
    path_len: i32,
    out: i32,
) -> i32 {
    on_files(&mut caller, |mem, files| {
        let path = path(mem, path_ptr, path_len)?;
        mem.slice(out as u32, 64)?;
        let stat = files.path_filestat(fd, lookup as u32, &path)?;
        mem.write_bytes(out as u32, &stat)
    })
}

pub(super) fn path_filestat_set_times<T: WasiView>(
    mut caller: Caller<'_, T>,
    fd: i32,
    lookup: i32,
    path_ptr: i32,
    path_len: i32,
    atim: i64,
    mtim: i64,
    flags: i32,
) -> i32 {
    on_files(&mut caller, |mem, files| {
        let path = path(mem, path_ptr, path_len)?;
        files.path_set_times(
            fd,
            lookup as u32,
            &path,
            (atim as u64, mtim as u64, flags as u16),
        )
    })
}

pub(super) fn path_create_directory<T: WasiView>(
    mut caller: Caller<'_, T>,
    fd: i32,
    ptr: i32,
    len: i32,
) -> i32 {
    on_files(&mut caller, |mem, files| {
        let path = path(mem, ptr, len)?;
        files.create_directory(fd, &path)
    })
}

pub(super) fn path_remove_directory<T: WasiView>(
    mut caller: Caller<'_, T>,
    fd: i32,
    ptr: i32,
    len: i32,
) -> i32 {
    on_files(&mut caller, |mem, files| {
        let path = path(mem, ptr, len)?;
        files.remove_directory(fd, &path)
    })
}

pub(super) fn path_unlink_file<T: WasiView>(
    mut caller: Caller<'_, T>,
    fd: i32,
    ptr: i32,
    len: i32,
) -> i32 {
    on_files(&mut caller, |mem, files| {
        let path = path(mem, ptr, len)?;
        files.unlink_file(fd, &path)
    })
}

pub(super) fn path_rename<T: WasiView>(
    mut caller: Caller<'_, T>,
    fd: i32,
    old_ptr: i32,
    old_len: i32,
    new_fd: i32,
    new_ptr: i32,
    new_len: i32,
) -> i32 {
    on_files(&mut caller, |mem, files| {
        let old = path(mem, old_ptr, old_len)?;
        let new = path(mem, new_ptr, new_len)?;
        files.rename(fd, &old, new_fd, &new)
    })
}

pub(super) fn path_link<T: WasiView>(
    mut caller: Caller<'_, T>,
    fd: i32,
    lookup: i32,
    old_ptr: i32,
    old_len: i32,
    new_fd: i32,
    new_ptr: i32,
    new_len: i32,
) -> i32 {
    on_files(&mut caller, |mem, files| {
        let old = path(mem, old_ptr, old_len)?;
        let new = path(mem, new_ptr, new_len)?;
        files.link(fd, lookup as u32, &old, new_fd, &new)
    })
}

pub(super) fn path_symlink<T: WasiView>(
    mut caller: Caller<'_, T>,
    old_ptr: i32,
    old_len: i32,
    fd: i32,
    new_ptr: i32,
    new_len: i32,
) -> i32 {
    on_files(&mut caller, |mem, files| {
        let old = path(mem, old_ptr, old_len)?;
        let new = path(mem, new_ptr, new_len)?;
        files.symlink(&old, fd, &new)
    })
}

pub(super) fn path_readlink<T: WasiView>(
    mut caller: Caller<'_, T>,
    fd: i32,
    path_ptr: i32,
    path_len: i32,
    buf: i32,
    buf_len: i32,
    used: i32,
) -> i32 {
    on_files(&mut caller, |mem, files| {
        let path = path(mem, path_ptr, path_len)?;
        mem.slice(used as u32, 4)?;
        let n = files.readlink(fd, &path, mem.slice_mut(buf as u32, buf_len as u32)?)?;
        mem.write_u32(used as u32, n as u32)
    })
}
