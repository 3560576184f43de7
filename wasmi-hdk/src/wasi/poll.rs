//! `poll_oneoff`: clock subscriptions become timers, a stdin read
//! subscription waits for host data; the instance is suspended meanwhile.

use core::time::Duration;

use wasmi::{Caller, Error};

use super::{
    Blocked, StdinState, Stop, StopReason, Suspend, WasiView, charge,
    clock::{CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME, CLOCK_REALTIME, CLOCK_THREAD_CPUTIME},
    cost,
    errno::{Errno, WasiResult},
    memory::GuestMemory,
    with_memory,
};
use crate::runtime::{self, Instant};

const SUBSCRIPTION_SIZE: u32 = 48;
const EVENT_SIZE: u32 = 32;
const EVENTTYPE_CLOCK: u8 = 0;
const EVENTTYPE_FD_READ: u8 = 1;
const EVENTTYPE_FD_WRITE: u8 = 2;
const SUBCLOCKFLAGS_ABSTIME: u16 = 1;
const EVENTRWFLAGS_HANGUP: u16 = 1;

#[derive(Debug, Clone, Copy)]
enum Want {
    Clock(Instant),
    Read(u32),
    Write(u32),
    /// Answered at once with this errno (bad clock id, unknown tag).
    Invalid(u8, Errno),
}

#[derive(Debug, Clone, Copy)]
struct Subscription {
    userdata: u64,
    want: Want,
}

/// A poll that found nothing ready, kept while the instance is suspended.
#[derive(Debug, Clone)]
pub(crate) struct PendingPoll {
    subscriptions: Vec<Subscription>,
    out: u32,
    nevents: u32,
    /// The earliest clock deadline, if any clock was subscribed.
    pub(crate) deadline: Option<Instant>,
    /// Whether a read of stdin was subscribed.
    pub(crate) wants_stdin: bool,
}

struct Event {
    userdata: u64,
    error: Errno,
    kind: u8,
    nbytes: u64,
    flags: u16,
}

fn read_subscriptions(
    mem: &GuestMemory<'_>,
    input: u32,
    count: u32,
    now: Instant,
) -> Result<Vec<Subscription>, Errno> {
    let size = count.checked_mul(SUBSCRIPTION_SIZE).ok_or(Errno::FAULT)?;
    mem.slice(input, size)?;
    (0..count)
        .map(|i| {
            let at = input + i * SUBSCRIPTION_SIZE;
            let userdata = mem.read_u64(at)?;
            let want = match mem.read_u8(at + 8)? {
                EVENTTYPE_CLOCK => clock_deadline(mem, at + 16, now)?,
                EVENTTYPE_FD_READ => Want::Read(mem.read_u32(at + 16)?),
                EVENTTYPE_FD_WRITE => Want::Write(mem.read_u32(at + 16)?),
                other => Want::Invalid(other, Errno::INVAL),
            };
            Ok(Subscription { userdata, want })
        })
        .collect()
}

fn clock_deadline(mem: &GuestMemory<'_>, at: u32, now: Instant) -> Result<Want, Errno> {
    let id = mem.read_u32(at)?;
    let timeout = mem.read_u64(at + 8)?;
    let absolute = mem.read_u16(at + 24)? & SUBCLOCKFLAGS_ABSTIME != 0;
    let wait = if !absolute {
        timeout
    } else {
        match id {
            CLOCK_REALTIME => timeout.saturating_sub(runtime::unix_time_ns()),
            CLOCK_MONOTONIC => timeout.saturating_sub(runtime::monotonic_ns()),
            CLOCK_PROCESS_CPUTIME | CLOCK_THREAD_CPUTIME => timeout,
            _ => return Ok(Want::Invalid(EVENTTYPE_CLOCK, Errno::INVAL)),
        }
    };
    if id > CLOCK_THREAD_CPUTIME {
        return Ok(Want::Invalid(EVENTTYPE_CLOCK, Errno::INVAL));
    }
    Ok(Want::Clock(now + Duration::from_nanos(wait)))
}

/// The events of `subscriptions` that are ready at `now`.
fn ready_events<T: WasiView>(
    subscriptions: &[Subscription],
    state: &T,
    now: Instant,
) -> Vec<Event> {
    let event = |s: &Subscription, kind, error, nbytes, flags| Event {
        userdata: s.userdata,
        error,
        kind,
        nbytes,
        flags,
    };
    subscriptions
        .iter()
        .filter_map(|s| match s.want {
            Want::Clock(deadline) => {
                (now >= deadline).then(|| event(s, EVENTTYPE_CLOCK, Errno::SUCCESS, 0, 0))
            }
            Want::Read(0) => match state.stdin_state() {
                StdinState::Ready => Some(event(
                    s,
                    EVENTTYPE_FD_READ,
                    Errno::SUCCESS,
                    state.stdin_len() as u64,
                    0,
                )),
                StdinState::Eof => Some(event(
                    s,
                    EVENTTYPE_FD_READ,
                    Errno::SUCCESS,
                    0,
                    EVENTRWFLAGS_HANGUP,
                )),
                StdinState::Pending | StdinState::Finished => None,
            },
            // A file is always ready, as on any OS.
            Want::Read(fd) => Some(match file_ready(state, fd) {
                Ok(nbytes) => event(s, EVENTTYPE_FD_READ, Errno::SUCCESS, nbytes, 0),
                Err(errno) => event(s, EVENTTYPE_FD_READ, errno, 0, 0),
            }),
            Want::Write(1 | 2) => Some(event(s, EVENTTYPE_FD_WRITE, Errno::SUCCESS, 0, 0)),
            Want::Write(fd) => Some(match file_ready(state, fd) {
                Ok(_) => event(s, EVENTTYPE_FD_WRITE, Errno::SUCCESS, 0, 0),
                Err(errno) => event(s, EVENTTYPE_FD_WRITE, errno, 0, 0),
            }),
            Want::Invalid(kind, errno) => Some(event(s, kind, errno, 0, 0)),
        })
        .collect()
}

/// The bytes a read of file `fd` would find (`EBADF` if it is not one).
fn file_ready<T: WasiView>(state: &T, fd: u32) -> Result<u64, Errno> {
    let fd = i32::try_from(fd).map_err(|_| Errno::BADF)?;
    match state.files_ref() {
        Some(files) if fd > 2 => files.poll_nbytes(fd),
        _ => Err(Errno::BADF),
    }
}

fn write_events(mem: &mut GuestMemory<'_>, out: u32, nevents: u32, events: &[Event]) -> WasiResult {
    let count = u32::try_from(events.len()).map_err(|_| Errno::INVAL)?;
    mem.slice(out, count.checked_mul(EVENT_SIZE).ok_or(Errno::FAULT)?)?;
    for (i, e) in (0..).zip(events) {
        let at = out + i * EVENT_SIZE;
        mem.slice_mut(at, EVENT_SIZE)?.fill(0);
        mem.write_u64(at, e.userdata)?;
        mem.write_u16(at + 8, e.error.0 as u16)?;
        mem.write_bytes(at + 10, &[e.kind])?;
        mem.write_u64(at + 16, e.nbytes)?;
        mem.write_u16(at + 24, e.flags)?;
    }
    mem.write_u32(nevents, count)
}

pub(super) fn poll_oneoff<T: WasiView>(
    mut caller: Caller<'_, T>,
    input: i32,
    out: i32,
    nsubscriptions: i32,
    nevents: i32,
) -> Result<i32, Error> {
    let (input, out, count, nevents) = (
        input as u32,
        out as u32,
        nsubscriptions as u32,
        nevents as u32,
    );
    if count == 0 {
        return Ok(Errno::INVAL.0);
    }
    let now = runtime::now();
    let outcome = with_memory(&mut caller, |mem, state| {
        let subscriptions = read_subscriptions(mem, input, count, now)?;
        // The output must be writable for every subscription before we suspend.
        mem.slice(out, count.checked_mul(EVENT_SIZE).ok_or(Errno::FAULT)?)?;
        mem.slice(nevents, 4)?;
        let events = ready_events(&subscriptions, state, now);
        if !events.is_empty() {
            write_events(mem, out, nevents, &events)?;
            return Ok(None);
        }
        let wants_stdin = subscriptions
            .iter()
            .any(|s| matches!(s.want, Want::Read(0)));
        let deadline = subscriptions
            .iter()
            .filter_map(|s| match s.want {
                Want::Clock(at) => Some(at),
                _ => None,
            })
            .min();
        Ok(Some(PendingPoll {
            subscriptions,
            out,
            nevents,
            deadline,
            wants_stdin,
        }))
    })
    .and_then(|r| r);
    if outcome.is_ok() {
        charge(&mut caller, u64::from(count) * cost::ITEM);
    }
    match outcome {
        Err(errno) => Ok(errno.0),
        Ok(None) => Ok(Errno::SUCCESS.0),
        Ok(Some(pending)) => {
            if pending.wants_stdin && caller.data().stdin_state() == StdinState::Finished {
                return Err(Error::host(Stop(StopReason::Answered)));
            }
            if caller.data().initializing() {
                let reason = StopReason::Forbidden("waiting in `poll_oneoff`".to_owned());
                return Err(Error::host(Stop(reason)));
            }
            caller.data_mut().block(Blocked::Poll(pending));
            Err(Error::host(Suspend))
        }
    }
}

/// Completes a suspended poll: writes the events ready now.
pub(crate) fn complete_poll<T: WasiView>(
    pending: &PendingPoll,
    mem: &mut GuestMemory<'_>,
    state: &mut T,
) -> WasiResult {
    let events = ready_events(&pending.subscriptions, state, runtime::now());
    write_events(mem, pending.out, pending.nevents, &events)
}
