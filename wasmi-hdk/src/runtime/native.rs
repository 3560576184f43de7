//! Native flavour: `std::time`, a runtime-agnostic timer (`futures-timer`,
//! one parked helper thread) and the OS random source.

use core::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
    time::Duration,
};
use std::{
    sync::OnceLock,
    time::{SystemTime, UNIX_EPOCH},
};

pub(crate) use std::time::Instant;

/// A timer future; zero CPU while pending.
pub(crate) type Sleep = futures_timer::Delay;

/// The current monotonic time.
pub(crate) fn now() -> Instant {
    Instant::now()
}

/// Nanoseconds of the monotonic clock, counted from the first use in this process.
pub(crate) fn monotonic_ns() -> u64 {
    static ANCHOR: OnceLock<Instant> = OnceLock::new();
    let anchor = *ANCHOR.get_or_init(Instant::now);
    u64::try_from(anchor.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// Nanoseconds since the Unix epoch by the wall clock.
pub(crate) fn unix_time_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// Completes after `duration`.
pub(crate) fn sleep(duration: Duration) -> Sleep {
    futures_timer::Delay::new(duration)
}

/// Fills `dst` from the operating system's random source.
pub(crate) fn fill_random(dst: &mut [u8]) -> Result<(), ()> {
    getrandom::fill(dst).map_err(|_| ())
}

/// Whether a compute-bound call should yield to the executor now, at the end
/// of a fuel slice, having last yielded at `last_yield`. Natively every slice
/// ends with a yield: it is cheap and keeps multi-task executors fair.
pub(crate) fn time_to_yield(_last_yield: Instant) -> bool {
    true
}

/// Returns `Pending` once (waking itself), so the executor can run other tasks.
pub(crate) fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future of [`yield_now`].
#[derive(Debug)]
pub(crate) struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
