//! Clocks, randomness, argv and environment.

use wasmi::Caller;

use super::{
    WasiView, charge, cost,
    errno::{Errno, WasiResult, errno_of},
    memory::GuestMemory,
    with_memory,
};
use crate::runtime;

pub(super) const CLOCK_REALTIME: u32 = 0;
pub(super) const CLOCK_MONOTONIC: u32 = 1;
pub(super) const CLOCK_PROCESS_CPUTIME: u32 = 2;
pub(super) const CLOCK_THREAD_CPUTIME: u32 = 3;

fn clock_now<T: WasiView>(state: &T, id: u32) -> Result<u64, Errno> {
    if id <= CLOCK_THREAD_CPUTIME
        && let Some(fixed) = state.fixed_clock(id)
    {
        return Ok(fixed);
    }
    match id {
        CLOCK_REALTIME => Ok(runtime::unix_time_ns()),
        CLOCK_MONOTONIC => Ok(runtime::monotonic_ns()),
        CLOCK_PROCESS_CPUTIME | CLOCK_THREAD_CPUTIME => {
            let elapsed = runtime::now().saturating_duration_since(state.started());
            Ok(u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX))
        }
        _ => Err(Errno::INVAL),
    }
}

pub(super) fn clock_time_get<T: WasiView>(
    mut caller: Caller<'_, T>,
    id: i32,
    _precision: i64,
    out: i32,
) -> i32 {
    errno_of(
        with_memory(&mut caller, |mem, state| {
            let now = clock_now(state, id as u32)?;
            mem.write_u64(out as u32, now)
        })
        .and_then(|r| r),
    )
}

pub(super) fn clock_res_get<T: WasiView>(mut caller: Caller<'_, T>, id: i32, out: i32) -> i32 {
    if id as u32 > CLOCK_THREAD_CPUTIME {
        return Errno::INVAL.0;
    }
    errno_of(with_memory(&mut caller, |mem, _| mem.write_u64(out as u32, 1_000)).and_then(|r| r))
}

pub(super) fn random_get<T: WasiView>(mut caller: Caller<'_, T>, buf: i32, len: i32) -> i32 {
    let filled = with_memory(&mut caller, |mem, state| {
        let dst = mem.slice_mut(buf as u32, len as u32)?;
        state.fill_random(dst).map_err(|()| Errno::IO)
    })
    .and_then(|r| r);
    if filled.is_ok() {
        charge(&mut caller, u64::from(len as u32) * cost::RANDOM_BYTE);
    }
    errno_of(filled)
}

/// Writes a NUL-terminated string list the way `args_get`/`environ_get` do.
fn write_list(mem: &mut GuestMemory<'_>, items: &[Box<[u8]>], ptrs: u32, buf: u32) -> WasiResult {
    let mut at = buf;
    for (i, item) in (0u32..).zip(items) {
        mem.write_u32(ptrs.checked_add(i * 4).ok_or(Errno::FAULT)?, at)?;
        mem.write_bytes(at, item)?;
        at = at.checked_add(item.len() as u32).ok_or(Errno::FAULT)?;
    }
    Ok(())
}

fn write_sizes(
    mem: &mut GuestMemory<'_>,
    items: &[Box<[u8]>],
    count: u32,
    size: u32,
) -> WasiResult {
    let bytes: usize = items.iter().map(|i| i.len()).sum();
    mem.write_u32(count, items.len() as u32)?;
    mem.write_u32(size, bytes as u32)
}

pub(super) fn args_get<T: WasiView>(mut caller: Caller<'_, T>, argv: i32, buf: i32) -> i32 {
    errno_of(
        with_memory(&mut caller, |mem, state| {
            write_list(mem, state.args(), argv as u32, buf as u32)
        })
        .and_then(|r| r),
    )
}

pub(super) fn args_sizes_get<T: WasiView>(mut caller: Caller<'_, T>, count: i32, size: i32) -> i32 {
    errno_of(
        with_memory(&mut caller, |mem, state| {
            write_sizes(mem, state.args(), count as u32, size as u32)
        })
        .and_then(|r| r),
    )
}

pub(super) fn environ_get<T: WasiView>(mut caller: Caller<'_, T>, environ: i32, buf: i32) -> i32 {
    errno_of(
        with_memory(&mut caller, |mem, state| {
            write_list(mem, state.environ(), environ as u32, buf as u32)
        })
        .and_then(|r| r),
    )
}

pub(super) fn environ_sizes_get<T: WasiView>(
    mut caller: Caller<'_, T>,
    count: i32,
    size: i32,
) -> i32 {
    errno_of(
        with_memory(&mut caller, |mem, state| {
            write_sizes(mem, state.environ(), count as u32, size as u32)
        })
        .and_then(|r| r),
    )
}
