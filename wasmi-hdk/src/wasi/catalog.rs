//! The catalogue of wasi_snapshot_preview1 functions: their signatures and
//! what this runtime does for each. Loading checks a plugin's imports against
//! it; tools (e.g. `wasmi-host inspect`) show it.

use wasmi::ValType::{self, I32, I64};

/// The import module name of WASI preview 1.
pub const WASI_MODULE: &str = "wasi_snapshot_preview1";

/// How this runtime answers one WASI function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WasiSupport {
    /// Implemented for the virtual stdio, clocks, random, args and environment.
    Implemented,
    /// Present so plugins link and start, but answers an errno: there is no
    /// filesystem, no sockets and no signals. The text says which errno.
    Errno(&'static str),
}

/// One function of wasi_snapshot_preview1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WasiFunction {
    /// The import name, e.g. `fd_write`.
    pub name: &'static str,
    /// Parameter types.
    pub params: &'static [ValType],
    /// Result types (`proc_exit` has none).
    pub results: &'static [ValType],
    /// What this runtime does for it.
    pub support: WasiSupport,
}

const fn f(
    name: &'static str,
    params: &'static [ValType],
    results: &'static [ValType],
    support: WasiSupport,
) -> WasiFunction {
    WasiFunction {
        name,
        params,
        results,
        support,
    }
}

const YES: WasiSupport = WasiSupport::Implemented;
const FD: WasiSupport = WasiSupport::Errno("ENOTSUP on stdio, EBADF on other fds");
const NO_FS: WasiSupport = WasiSupport::Errno("EBADF: there are no directories");
const NO_SOCK: WasiSupport = WasiSupport::Errno("ENOTSUP on stdio, EBADF on other fds");
const R: &[ValType] = &[I32];

/// Every wasi_snapshot_preview1 function, in the order of the specification.
pub const WASI_FUNCTIONS: &[WasiFunction] = &[
    f("args_get", &[I32, I32], R, YES),
    f("args_sizes_get", &[I32, I32], R, YES),
    f("environ_get", &[I32, I32], R, YES),
    f("environ_sizes_get", &[I32, I32], R, YES),
    f("clock_res_get", &[I32, I32], R, YES),
    f("clock_time_get", &[I32, I64, I32], R, YES),
    f("fd_advise", &[I32, I64, I64, I32], R, FD),
    f("fd_allocate", &[I32, I64, I64], R, FD),
    f("fd_close", &[I32], R, YES),
    f("fd_datasync", &[I32], R, FD),
    f("fd_fdstat_get", &[I32, I32], R, YES),
    f("fd_fdstat_set_flags", &[I32, I32], R, YES),
    f("fd_fdstat_set_rights", &[I32, I64, I64], R, FD),
    f("fd_filestat_get", &[I32, I32], R, YES),
    f("fd_filestat_set_size", &[I32, I64], R, FD),
    f("fd_filestat_set_times", &[I32, I64, I64, I32], R, FD),
    f(
        "fd_pread",
        &[I32, I32, I32, I64, I32],
        R,
        WasiSupport::Errno("ESPIPE on stdio, EBADF on other fds"),
    ),
    f("fd_prestat_get", &[I32, I32], R, YES),
    f("fd_prestat_dir_name", &[I32, I32, I32], R, YES),
    f(
        "fd_pwrite",
        &[I32, I32, I32, I64, I32],
        R,
        WasiSupport::Errno("ESPIPE on stdio, EBADF on other fds"),
    ),
    f("fd_read", &[I32, I32, I32, I32], R, YES),
    f("fd_readdir", &[I32, I32, I32, I64, I32], R, FD),
    f("fd_renumber", &[I32, I32], R, FD),
    f(
        "fd_seek",
        &[I32, I64, I32, I32],
        R,
        WasiSupport::Errno("ESPIPE on stdio, EBADF on other fds"),
    ),
    f("fd_sync", &[I32], R, FD),
    f(
        "fd_tell",
        &[I32, I32],
        R,
        WasiSupport::Errno("ESPIPE on stdio, EBADF on other fds"),
    ),
    f("fd_write", &[I32, I32, I32, I32], R, YES),
    f("path_create_directory", &[I32, I32, I32], R, NO_FS),
    f("path_filestat_get", &[I32, I32, I32, I32, I32], R, NO_FS),
    f(
        "path_filestat_set_times",
        &[I32, I32, I32, I32, I64, I64, I32],
        R,
        NO_FS,
    ),
    f("path_link", &[I32, I32, I32, I32, I32, I32, I32], R, NO_FS),
    f(
        "path_open",
        &[I32, I32, I32, I32, I32, I64, I64, I32, I32],
        R,
        NO_FS,
    ),
    f("path_readlink", &[I32, I32, I32, I32, I32, I32], R, NO_FS),
    f("path_remove_directory", &[I32, I32, I32], R, NO_FS),
    f("path_rename", &[I32, I32, I32, I32, I32, I32], R, NO_FS),
    f("path_symlink", &[I32, I32, I32, I32, I32], R, NO_FS),
    f("path_unlink_file", &[I32, I32, I32], R, NO_FS),
    f("poll_oneoff", &[I32, I32, I32, I32], R, YES),
    f("proc_exit", &[I32], &[], YES),
    f(
        "proc_raise",
        &[I32],
        R,
        WasiSupport::Errno("ENOSYS: there are no signals"),
    ),
    f("sched_yield", &[], R, YES),
    f("random_get", &[I32, I32], R, YES),
    f("sock_accept", &[I32, I32, I32], R, NO_SOCK),
    f("sock_recv", &[I32, I32, I32, I32, I32, I32], R, NO_SOCK),
    f("sock_send", &[I32, I32, I32, I32, I32], R, NO_SOCK),
    f("sock_shutdown", &[I32, I32], R, NO_SOCK),
];

/// Looks up a wasi_snapshot_preview1 function by import name.
pub fn wasi_function(name: &str) -> Option<&'static WasiFunction> {
    WASI_FUNCTIONS.iter().find(|f| f.name == name)
}
