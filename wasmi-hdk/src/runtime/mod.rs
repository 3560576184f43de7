//! The executor-specific bits, in one place: time, sleeping, yielding and
//! randomness. A port to another environment swaps this module: `native`
//! (std, a timer thread, the OS random source) or `browser` (`wasm32`: the
//! JavaScript event loop).

#[cfg(not(target_arch = "wasm32"))]
mod native;

#[cfg(not(target_arch = "wasm32"))]
pub(crate) use self::native::{
    Instant, Sleep, fill_random, monotonic_ns, now, sleep, time_to_yield, unix_time_ns, yield_now,
};

#[cfg(target_arch = "wasm32")]
mod browser;

#[cfg(target_arch = "wasm32")]
pub(crate) use self::browser::{
    Instant, Sleep, fill_random, monotonic_ns, now, sleep, time_to_yield, unix_time_ns, yield_now,
};
