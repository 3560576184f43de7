//! Files for plugins: read-only trees preopened as directories (a
//! language's standard library, bundled assets) and an optional writable
//! scratch directory, below the WASI layer's `path_*` and `fd_*` calls.
//!
//! # Design
//!
//! - A [`FileTree`] is loaded once per plugin, from a tar or zip archive
//!   (bytes the embedder supplies) or natively from a host directory read
//!   at load, and shared through an `Arc` by every instance: opening,
//!   reading and listing copy nothing but what lands in guest memory.
//!   Directories keep their entries sorted, so a lookup is a binary search
//!   and `fd_readdir` lists in name order with cookies that are indices.
//! - Loading is where hostile input is met: every name is checked (UTF-8,
//!   no NUL, no backslash, relative, no `..`, ≤ 255 bytes a component),
//!   every bound of [`ArchiveLimits`] is enforced while reading (entries,
//!   bytes decompressed per file and in all, path length and depth), hard
//!   links, devices and FIFOs are refused, and symlinks are kept only if
//!   their target stays inside the tree. The refusal is a typed
//!   [`FilesError`] naming the entry and the reason.
//! - Paths resolve as wasi_snapshot_preview1 (wasmtime over cap-std) does
//!   ([`resolve`](resolve::resolve)): component by component from a
//!   directory descriptor, `..` never above it, symlinks followed (at most
//!   40) in the middle and, with `SYMLINK_FOLLOW`, at the end. A
//!   descriptor's directory is its sandbox, whatever it was opened from.
//! - [`Files`] is an instance's state: descriptors from 3 on (stdio stays
//!   the WASI layer's), at most [`Limits::max_open_files`](crate::Limits::max_open_files)
//!   open, and
//!   the scratch directory, empty when the instance starts and bounded by
//!   its quota (`ENOSPC`). Each of its methods is one WASI call on plain
//!   values and slices; the wiring reads arguments from guest memory,
//!   calls it, writes the result back, and charges
//!   [`Files::take_fuel`].
//!
//! # Errno choices
//!
//! What a call answers where a choice exists; "as wasmtime" means the
//! same as wasmtime's wasi_snapshot_preview1 (wasmtime-wasi over the
//! filesystem of WASIp2) with a read-only preopen (`DirPerms::READ`,
//! `FilePerms::READ`).
//!
//! | situation | read-only tree | scratch directory | note |
//! |---|---|---|---|
//! | path leaves its base (`..` above it, absolute path, symlink to outside) | `EPERM` | `EPERM` | as wasmtime; wasi-common answered `ENOTCAPABLE` until 2022, and CPython reads both as `PermissionError` |
//! | path not UTF-8 | `EILSEQ` | `EILSEQ` | as wasmtime |
//! | NUL byte in a path | `EINVAL` | `EINVAL` | as the host's `openat` under wasmtime |
//! | component > 255 bytes, path > 4095 | `ENAMETOOLONG` | `ENAMETOOLONG` | as Linux |
//! | missing component, empty path | `ENOENT` | `ENOENT` | |
//! | file in the middle, or before a trailing `/` | `ENOTDIR` | `ENOTDIR` | |
//! | more than 40 symlinks | `ELOOP` | — (no symlinks) | |
//! | `path_open` with `CREAT`, `TRUNC`, or the `FD_WRITE` right | `EPERM`, before resolving | creates or truncates; `EEXIST` for `CREAT\|EXCL` on an existing file, `ENOSPC` | as wasmtime |
//! | `path_open` of a symlink without `SYMLINK_FOLLOW` | `ELOOP` | — | as `O_NOFOLLOW` |
//! | `path_open` with `DIRECTORY` of a file | `ENOTDIR` | `ENOTDIR` | |
//! | `path_open` of a directory to write or truncate | (`EPERM`) | `EISDIR` | |
//! | `path_open` with `DIRECTORY` and `CREAT`/`EXCL`/`TRUNC` | (`EPERM`) `EINVAL` | `EINVAL` | as wasmtime |
//! | `path_open` with `DSYNC`/`RSYNC`/`SYNC` | `ENOTSUP` | `ENOTSUP` | as wasmtime |
//! | `path_open` from a file descriptor | `ENOTDIR` | `ENOTDIR` | as wasmtime; other `path_*` calls: `EBADF` |
//! | one more descriptor than the limit | `EMFILE` | `EMFILE` | wasmtime has no limit |
//! | `fd_write`, `fd_pwrite` | `EBADF` | `EBADF` unless opened for writing; a short write, then `ENOSPC`, at the quota | as wasmtime (its host file is open read-only) |
//! | `fd_filestat_set_size` | `EPERM` | `EINVAL` unless opened for writing; `ENOSPC` | as wasmtime |
//! | `fd_filestat_set_times`, `path_filestat_set_times` | `EPERM` | sets them | as wasmtime |
//! | `path_create_directory` | `EPERM` | `EEXIST`, `ENOSPC` | as wasmtime |
//! | `path_remove_directory` | `EPERM` | `ENOTEMPTY`, `ENOTDIR`; `.` `EINVAL` | as wasmtime, Linux |
//! | `path_unlink_file` | `EPERM` | `EISDIR` for a directory, `ENOTDIR` for `file/` | as wasmtime, Linux |
//! | `path_rename` | `EPERM` if either side is read-only | `EBUSY` for `.`/`..`, `EINVAL` into itself, `ENOTEMPTY`, `EISDIR`, `ENOTDIR` | as wasmtime, Linux |
//! | `path_symlink`, `path_link` | `EPERM` | `EPERM` (`path_link` with `SYMLINK_FOLLOW`: `EINVAL`) | no links in either |
//! | `path_readlink` of a non-symlink | `EINVAL` | `EINVAL` | |
//! | `fd_read`, `fd_pread`, `fd_seek`, `fd_tell`, `fd_advise`, `fd_allocate`, `fd_sync`, `fd_datasync`, `fd_fdstat_set_flags`, `fd_filestat_set_size` on a directory | `EBADF` | `EBADF` | as wasmtime |
//! | `fd_readdir` on a file | `EBADF` | `EBADF` | as wasmtime |
//! | `fd_seek` with a bad whence or to below 0 | `EINVAL` | `EINVAL` | as wasmtime |
//! | `fd_allocate` on a file | `ENOTSUP` | `ENOTSUP` | as wasmtime |
//! | `fd_fdstat_set_flags` with `DSYNC`/`RSYNC`/`SYNC` | `EINVAL` | `EINVAL` | as wasmtime (`APPEND`, `NONBLOCK` are kept) |
//! | `fd_fdstat_set_rights` | `ENOTSUP` | `ENOTSUP` | as wasmtime |
//! | `fd_prestat_get` of a non-preopen | `EBADF` | `EBADF` | as wasmtime |
//! | `fd_prestat_dir_name` of a non-preopen; buffer too small | `ENOTDIR`; `ENAMETOOLONG` | same | as wasmtime |
//! | `fd_renumber` unless both are open | `EBADF` | `EBADF` | as wasmtime |
//!
//! Rights (`fd_fdstat_get`): a read-only tree's directories have
//! `PATH_OPEN`, `FD_READDIR`, `PATH_READLINK`, `PATH_FILESTAT_GET`,
//! `FD_FILESTAT_GET`, and pass those and a read-only file's rights on;
//! its files have `FD_READ`, `FD_SEEK`, `FD_TELL`, `FD_ADVISE`,
//! `FD_FILESTAT_GET`, `FD_SYNC`, `FD_DATASYNC`, `FD_FDSTAT_SET_FLAGS`,
//! `POLL_FD_READWRITE` and no write right. wasmtime reports nearly all
//! rights instead; old wasi-libc checks the inherited ones it needs
//! (`FD_READ`, `FD_READDIR`), which these have.
//!
//! The wiring should answer `fd_renumber` between stdio (0–2) and one of
//! these descriptors with `ENOTSUP`: stdout is the protocol channel
//! (wasmtime allows it).
//!
//! # Wiring
//!
//! The instance state holds a [`Files`] made with [`Files::new`] from the
//! plugin's [`Preopens`]. Each WASI function keeps its stdio branch (fds
//! 0–2) and otherwise calls one method, reading paths and buffers from
//! guest memory and writing results back (`EFAULT` on a bad pointer, as
//! now), then charges [`Files::take_fuel`]:
//!
//! | function | method | guest memory |
//! |---|---|---|
//! | `fd_prestat_get` | [`prestat`](Files::prestat) | write the 8 bytes |
//! | `fd_prestat_dir_name` | [`prestat_dir_name`](Files::prestat_dir_name) | write the name |
//! | `fd_fdstat_get` | [`fdstat`](Files::fdstat) | write the 24 bytes |
//! | `fd_fdstat_set_flags` / `_set_rights` | [`set_fd_flags`](Files::set_fd_flags) / [`set_rights`](Files::set_rights) | |
//! | `fd_filestat_get` | [`filestat`](Files::filestat) | write the 64 bytes |
//! | `fd_filestat_set_size` / `_set_times` | [`set_size`](Files::set_size) / [`set_times`](Files::set_times) | |
//! | `fd_read`, `fd_pread` | [`read`](Files::read), [`pread`](Files::pread) per iovec, stop at a short one | check all iovecs first |
//! | `fd_write`, `fd_pwrite` | [`write`](Files::write), [`pwrite`](Files::pwrite) per iovec, stop at a short one | |
//! | `fd_seek`, `fd_tell` | [`seek`](Files::seek), [`tell`](Files::tell) | write the `u64` |
//! | `fd_advise`, `fd_allocate`, `fd_sync`, `fd_datasync` | [`advise`](Files::advise), [`allocate`](Files::allocate), [`sync`](Files::sync) | |
//! | `fd_readdir` | [`readdir`](Files::readdir) into the guest buffer | write `bufused` |
//! | `fd_close`, `fd_renumber` | [`close`](Files::close), [`renumber`](Files::renumber) | |
//! | `path_open` | [`open`](Files::open) with an [`OpenRequest`] | read the path, write the fd |
//! | `path_filestat_get` / `_set_times` | [`path_filestat`](Files::path_filestat) / [`path_set_times`](Files::path_set_times) | |
//! | `path_create_directory`, `path_remove_directory`, `path_unlink_file` | [`create_directory`](Files::create_directory), [`remove_directory`](Files::remove_directory), [`unlink_file`](Files::unlink_file) | |
//! | `path_rename`, `path_link`, `path_symlink`, `path_readlink` | [`rename`](Files::rename), [`link`](Files::link), [`symlink`](Files::symlink), [`readlink`](Files::readlink) | |
//! | `poll_oneoff` on a file | [`poll_nbytes`](Files::poll_nbytes): always ready | |

mod abi;
mod builder;
mod dirent;
mod errno;
mod error;
mod fd_table;
#[cfg(not(target_arch = "wasm32"))]
mod from_dir;
mod from_tar;
mod from_zip;
#[cfg(feature = "fuzzing")]
pub mod fuzz;
mod limits;
mod node;
mod path_ops;
mod preopens;
mod resolve;
mod scratch;
mod state;
mod tree;

#[cfg(test)]
mod tests;

#[cfg(any(test, feature = "fuzzing"))]
pub(crate) use self::errno::Errno;
pub use self::{
    error::{ArchiveFormat, EntryError, FilesError, SourceError},
    limits::ArchiveLimits,
    tree::FileTree,
};
pub(crate) use self::{path_ops::OpenRequest, preopens::Preopens, state::Files};

/// What the work of a file call costs in fuel, roughly a unit per
/// nanosecond of host time like the WASI layer's own costs.
mod cost {
    /// Bytes copied (read, written, listed) per unit of fuel.
    pub(super) const BYTES_PER_FUEL: u64 = 8;
    /// Fuel per path component walked (a binary search in a directory).
    pub(super) const PATH_STEP: u64 = 16;
    /// Fuel per directory entry listed.
    pub(super) const ENTRY: u64 = 16;
    /// Fuel per descriptor opened or directory created (an allocation).
    pub(super) const OPEN: u64 = 64;
}
