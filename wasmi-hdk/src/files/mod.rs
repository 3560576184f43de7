//! Files for plugins: read-only trees preopened as directories (a
//! language's standard library, bundled assets) and an optional writable
//! scratch directory, below the WASI layer's `path_*` and `fd_*` calls.
//!
//! Give a plugin its directories on the builder; it opens them as it
//! would any preopened directory (`std::fs`, `fopen`, `open()`):
//!
//! ```
//! use wasmi_hdk::{Limits, Plugin, files::{ArchiveLimits, FileTree}};
//!
//! # let archive: Vec<u8> = { let mut t = tar::Builder::new(Vec::new());
//! #     let mut h = tar::Header::new_gnu(); h.set_size(2); h.set_mode(0o644);
//! #     t.append_data(&mut h, "hello.txt", &b"hi"[..]).unwrap(); t.into_inner().unwrap() };
//! let plugin = Plugin::builder()
//!     // A tar or zip archive's contents at /assets, read-only.
//!     .with_archive("/assets", archive.clone())
//!     // A writable /tmp, empty at every request, at most 1 MiB.
//!     .with_scratch("/tmp", 1 << 20)
//!     .with_limits(Limits::default().with_max_open_files(64))
//!     .build(test_plugin_artifacts::FILES_PLUGIN)?;
//!
//! // A tree loaded once can be shared by plugins, with bounds of one's own.
//! let tree = FileTree::from_archive(&archive, &ArchiveLimits::default().with_max_entries(1000))?;
//! let other = Plugin::builder().with_preopen("/assets", tree).build(test_plugin_artifacts::FILES_PLUGIN)?;
//! # let _ = (plugin, other);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Natively, `PluginBuilder::with_dir` and `with_archive_file` read a host
//! directory or an archive file at load; a manifest's `[files]` table and
//! the CLI's `--dir`, `--archive` and `--scratch` say the same.
//!
//! # How it works
//!
//! - A [`FileTree`] is loaded once per plugin, from a tar or zip archive
//!   or natively from a host directory read at load (later changes to the
//!   directory are not seen), and shared through an `Arc` by every
//!   instance: opening, reading and listing copy nothing but what lands in
//!   guest memory. Directories keep their entries sorted, so a lookup is a
//!   binary search and `fd_readdir` lists in name order with cookies that
//!   are indices.
//! - Loading is where hostile input is met: every name is checked (UTF-8,
//!   no NUL, no backslash, relative, no `..`, ≤ 255 bytes a component),
//!   every bound of [`ArchiveLimits`] is enforced while reading (entries,
//!   bytes decompressed per file and in all, path length and depth), hard
//!   links, devices and FIFOs are refused, and symlinks are kept only if
//!   their target stays inside the tree. The refusal is a typed
//!   [`FilesError`] naming the entry and the reason.
//! - Paths resolve as wasi_snapshot_preview1 (wasmtime over cap-std) does:
//!   component by component from a directory descriptor, `..` never above
//!   it, symlinks followed (at most 40) in the middle and, with
//!   `SYMLINK_FOLLOW`, at the end. A descriptor's directory is its
//!   sandbox, whatever it was opened from.
//! - Each instance has its own descriptors (from 3 on; stdio stays the
//!   WASI layer's), at most [`Limits::max_open_files`](crate::Limits::max_open_files)
//!   open, and its own scratch directory, empty when the instance starts
//!   and bounded by its quota (`ENOSPC`). Bytes copied, path components
//!   walked, descriptors opened and entries listed are charged as fuel.
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
//! `fd_renumber` between stdio (0–2) and one of these descriptors is
//! `ENOTSUP`: stdout is the protocol channel (wasmtime allows it).

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
