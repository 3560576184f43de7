//! Our own virtual wasi_snapshot_preview1: three in-memory stdio pipes,
//! clocks, randomness, argv and environment, and the preopened directories
//! of [`files`](crate::files) (`fs.rs`); no sockets, no signals. The
//! functions and their signatures are listed once, in `table.rs`; the
//! public catalogue ([`WASI_FUNCTIONS`]) is that table.
//!
//! ```
//! use wasmi_hdk::wasi::{WasiSupport, wasi_function};
//!
//! let fd_write = wasi_function("fd_write").unwrap();
//! assert_eq!(fd_write.support, WasiSupport::Implemented);
//! assert_eq!(wasi_function("path_open").unwrap().support, WasiSupport::Implemented);
//! assert!(matches!(wasi_function("sock_accept").unwrap().support, WasiSupport::Errno(_)));
//! ```
//!
//! Reads of an empty stdin and polls that find nothing ready do not block a
//! thread: they record what they wait for (`Blocked`) and return a
//! resumable host error (`Suspend`); the call loop awaits the data or the
//! timer and then completes the operation with `complete_blocked`. Every
//! other function answers at once, never traps on bad pointers (`EFAULT`)
//! and answers unsupported operations with an errno.

mod catalog;
mod clock;
mod errno;
mod fs;
mod memory;
mod poll;
mod process;
mod stdio;
mod suspend;
mod table;
mod view;

use wasmi::{Caller, Extern};

pub(crate) use self::errno::Errno;
pub use self::{
    catalog::{ValueType, WASI_MODULE, WasiFunction, WasiSupport, wasi_function},
    table::WASI_FUNCTIONS,
};
use self::{errno::errno_of, memory::GuestMemory};
pub(crate) use self::{
    suspend::{Stop, Suspend},
    table::add_to_linker,
    view::{Blocked, StdinState, StopReason, WasiView},
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
