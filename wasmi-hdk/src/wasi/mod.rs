//! Our own virtual wasi_snapshot_preview1: three in-memory stdio pipes,
//! clocks, randomness, argv and environment, nothing else.
//!
//! Reads of an empty stdin and polls that find nothing ready do not block a
//! thread: they record what they wait for ([`Blocked`]) and return a
//! resumable host error ([`Suspend`]); the call loop awaits the data or the
//! timer and then completes the operation with [`complete_blocked`]. Every
//! other function answers at once, never traps on bad pointers (`EFAULT`)
//! and answers unsupported operations with an errno.

mod catalog;
mod clock;
mod errno;
mod memory;
mod poll;
mod stdio;
mod suspend;
mod view;

use wasmi::{Caller, Error, Extern, Linker};

pub use self::catalog::{WASI_FUNCTIONS, WASI_MODULE, WasiFunction, WasiSupport, wasi_function};
use self::{
    errno::{Errno, errno_of},
    memory::GuestMemory,
    stdio::unsupported_on,
};
pub(crate) use self::{
    suspend::{Stop, Suspend},
    view::{Blocked, StdinState, WasiView},
};

/// Runs `f` on the guest's memory and the instance state at once.
fn with_memory<T: WasiView, R>(
    caller: &mut Caller<'_, T>,
    f: impl FnOnce(&mut GuestMemory<'_>, &mut T) -> R,
) -> Result<R, Errno> {
    let memory = match caller.data().memory() {
        Some(memory) => memory,
        // Before `_start` (e.g. from a start section) the export is looked up.
        None => caller
            .get_export("memory")
            .and_then(Extern::into_memory)
            .ok_or(Errno::FAULT)?,
    };
    let (bytes, state) = memory.data_and_store_mut(caller);
    Ok(f(&mut GuestMemory(bytes), state))
}

/// What the work a WASI call does for the plugin costs in fuel, roughly a
/// unit per nanosecond of host time like Wasm instructions: the bytes of
/// stdio it moves (and the host parses), the random bytes it draws, the
/// buffers (iovecs) and subscriptions it walks, the log lines it emits.
mod cost {
    /// Stdio bytes per unit of fuel.
    pub(super) const STDIO_BYTES_PER_FUEL: u64 = 8;
    /// Fuel per random byte (the OS source is far slower than a copy).
    pub(super) const RANDOM_BYTE: u64 = 1;
    /// Fuel per iovec or subscription.
    pub(super) const ITEM: u64 = 16;
    /// Fuel per line written to stderr (each becomes a log record).
    pub(super) const LOG_LINE: u64 = 256;
}

/// Charges the plugin `fuel` for work a WASI call did on its behalf, so that
/// a loop of expensive calls ends its fuel slice like a loop of
/// instructions and the run loop checks the timeout, cancellation and the
/// budget in time. What exceeds the fuel left in the slice is recorded as
/// an overdraft and counts against the budget.
fn charge<T: WasiView>(caller: &mut Caller<'_, T>, fuel: u64) {
    if let Ok(left) = caller.get_fuel() {
        // Fuel metering is always on in our engine config, so this cannot fail.
        let _ = caller.set_fuel(left.saturating_sub(fuel));
        if fuel > left {
            caller.data_mut().overdraw_fuel(fuel - left);
        }
    }
}

/// Completes the operation a suspended instance was blocked in, now that
/// its data or time has come; returns the import's errno result.
pub(crate) fn complete_blocked<T: WasiView>(
    blocked: &Blocked,
    bytes: &mut [u8],
    state: &mut T,
) -> i32 {
    let mem = &mut GuestMemory(bytes);
    errno_of(match blocked {
        Blocked::Read {
            iovs,
            iovs_len,
            nread,
        } => stdio::read_into(mem, state, *iovs, *iovs_len, *nread),
        Blocked::Poll(pending) => poll::complete_poll(pending, mem, state),
    })
}

/// Defines every wasi_snapshot_preview1 function (see [`WASI_FUNCTIONS`]) in `linker`.
pub(crate) fn add_to_linker<T: WasiView>(linker: &mut Linker<T>) -> Result<(), Error> {
    let m = WASI_MODULE;
    linker.func_wrap(m, "args_get", clock::args_get::<T>)?;
    linker.func_wrap(m, "args_sizes_get", clock::args_sizes_get::<T>)?;
    linker.func_wrap(m, "environ_get", clock::environ_get::<T>)?;
    linker.func_wrap(m, "environ_sizes_get", clock::environ_sizes_get::<T>)?;
    linker.func_wrap(m, "clock_res_get", clock::clock_res_get::<T>)?;
    linker.func_wrap(m, "clock_time_get", clock::clock_time_get::<T>)?;
    linker.func_wrap(m, "random_get", clock::random_get::<T>)?;

    linker.func_wrap(m, "fd_read", stdio::fd_read::<T>)?;
    linker.func_wrap(m, "fd_write", stdio::fd_write::<T>)?;
    linker.func_wrap(m, "fd_close", stdio::fd_close::<T>)?;
    linker.func_wrap(m, "fd_fdstat_get", stdio::fd_fdstat_get::<T>)?;
    linker.func_wrap(m, "fd_fdstat_set_flags", stdio::fd_fdstat_set_flags::<T>)?;
    linker.func_wrap(m, "fd_filestat_get", stdio::fd_filestat_get::<T>)?;
    linker.func_wrap(m, "fd_prestat_get", stdio::fd_prestat_get::<T>)?;
    linker.func_wrap(m, "fd_prestat_dir_name", stdio::fd_prestat_dir_name::<T>)?;
    linker.func_wrap(m, "poll_oneoff", poll::poll_oneoff::<T>)?;
    linker.func_wrap(
        m,
        "proc_exit",
        |_: Caller<'_, T>, code: i32| -> Result<(), Error> { Err(Error::i32_exit(code)) },
    )?;
    linker.func_wrap(m, "sched_yield", |_: Caller<'_, T>| -> i32 { 0 })?;
    linker.func_wrap(m, "proc_raise", |_: Caller<'_, T>, _sig: i32| -> i32 {
        Errno::NOSYS.0
    })?;

    // Positional I/O on a pipe: ESPIPE, so e.g. Zig falls back to streaming.
    let spipe = |fd| unsupported_on(fd, Errno::SPIPE);
    linker.func_wrap(
        m,
        "fd_seek",
        move |_: Caller<'_, T>, fd: i32, _: i64, _: i32, _: i32| -> i32 { spipe(fd) },
    )?;
    linker.func_wrap(
        m,
        "fd_tell",
        move |_: Caller<'_, T>, fd: i32, _: i32| -> i32 { spipe(fd) },
    )?;
    linker.func_wrap(
        m,
        "fd_pread",
        move |_: Caller<'_, T>, fd: i32, _: i32, _: i32, _: i64, _: i32| -> i32 { spipe(fd) },
    )?;
    linker.func_wrap(
        m,
        "fd_pwrite",
        move |_: Caller<'_, T>, fd: i32, _: i32, _: i32, _: i64, _: i32| -> i32 { spipe(fd) },
    )?;

    // File operations pipes do not have.
    let notsup = |fd| unsupported_on(fd, Errno::NOTSUP);
    linker.func_wrap(
        m,
        "fd_advise",
        move |_: Caller<'_, T>, fd: i32, _: i64, _: i64, _: i32| -> i32 { notsup(fd) },
    )?;
    linker.func_wrap(
        m,
        "fd_allocate",
        move |_: Caller<'_, T>, fd: i32, _: i64, _: i64| -> i32 { notsup(fd) },
    )?;
    linker.func_wrap(m, "fd_datasync", move |_: Caller<'_, T>, fd: i32| -> i32 {
        notsup(fd)
    })?;
    linker.func_wrap(m, "fd_sync", move |_: Caller<'_, T>, fd: i32| -> i32 {
        notsup(fd)
    })?;
    linker.func_wrap(
        m,
        "fd_fdstat_set_rights",
        move |_: Caller<'_, T>, fd: i32, _: i64, _: i64| -> i32 { notsup(fd) },
    )?;
    linker.func_wrap(
        m,
        "fd_filestat_set_size",
        move |_: Caller<'_, T>, fd: i32, _: i64| -> i32 { notsup(fd) },
    )?;
    linker.func_wrap(
        m,
        "fd_filestat_set_times",
        move |_: Caller<'_, T>, fd: i32, _: i64, _: i64, _: i32| -> i32 { notsup(fd) },
    )?;
    linker.func_wrap(
        m,
        "fd_readdir",
        move |_: Caller<'_, T>, fd: i32, _: i32, _: i32, _: i64, _: i32| -> i32 { notsup(fd) },
    )?;
    linker.func_wrap(
        m,
        "fd_renumber",
        move |_: Caller<'_, T>, fd: i32, _: i32| -> i32 { notsup(fd) },
    )?;
    linker.func_wrap(
        m,
        "sock_accept",
        move |_: Caller<'_, T>, fd: i32, _: i32, _: i32| -> i32 { notsup(fd) },
    )?;
    linker.func_wrap(
        m,
        "sock_recv",
        move |_: Caller<'_, T>, fd: i32, _: i32, _: i32, _: i32, _: i32, _: i32| -> i32 {
            notsup(fd)
        },
    )?;
    linker.func_wrap(
        m,
        "sock_send",
        move |_: Caller<'_, T>, fd: i32, _: i32, _: i32, _: i32, _: i32| -> i32 { notsup(fd) },
    )?;
    linker.func_wrap(
        m,
        "sock_shutdown",
        move |_: Caller<'_, T>, fd: i32, _: i32| -> i32 { notsup(fd) },
    )?;

    // No directories exist, so every path is relative to a bad fd.
    let badf = Errno::BADF.0;
    linker.func_wrap(
        m,
        "path_create_directory",
        move |_: Caller<'_, T>, _: i32, _: i32, _: i32| -> i32 { badf },
    )?;
    linker.func_wrap(
        m,
        "path_filestat_get",
        move |_: Caller<'_, T>, _: i32, _: i32, _: i32, _: i32, _: i32| -> i32 { badf },
    )?;
    linker.func_wrap(
        m,
        "path_filestat_set_times",
        move |_: Caller<'_, T>, _: i32, _: i32, _: i32, _: i32, _: i64, _: i64, _: i32| -> i32 {
            badf
        },
    )?;
    linker.func_wrap(
        m,
        "path_link",
        move |_: Caller<'_, T>, _: i32, _: i32, _: i32, _: i32, _: i32, _: i32, _: i32| -> i32 {
            badf
        },
    )?;
    linker.func_wrap(
        m,
        "path_open",
        move |_: Caller<'_, T>,
              _: i32,
              _: i32,
              _: i32,
              _: i32,
              _: i32,
              _: i64,
              _: i64,
              _: i32,
              _: i32|
              -> i32 { badf },
    )?;
    linker.func_wrap(
        m,
        "path_readlink",
        move |_: Caller<'_, T>, _: i32, _: i32, _: i32, _: i32, _: i32, _: i32| -> i32 { badf },
    )?;
    linker.func_wrap(
        m,
        "path_remove_directory",
        move |_: Caller<'_, T>, _: i32, _: i32, _: i32| -> i32 { badf },
    )?;
    linker.func_wrap(
        m,
        "path_rename",
        move |_: Caller<'_, T>, _: i32, _: i32, _: i32, _: i32, _: i32, _: i32| -> i32 { badf },
    )?;
    linker.func_wrap(
        m,
        "path_symlink",
        move |_: Caller<'_, T>, _: i32, _: i32, _: i32, _: i32, _: i32| -> i32 { badf },
    )?;
    linker.func_wrap(
        m,
        "path_unlink_file",
        move |_: Caller<'_, T>, _: i32, _: i32, _: i32| -> i32 { badf },
    )?;
    Ok(())
}
