//! The limits of a call: the values ([`Limits`]), a partial set of them
//! read from a manifest, the CLI, JavaScript or the mobile bindings
//! ([`LimitsOverlay`]), and the one parser of their sizes and durations
//! ([`units`]).

mod overlay;
pub mod units;

use core::time::Duration;

pub use self::overlay::LimitsOverlay;

/// The limits one call of a plugin runs under; exceeding one stops the
/// instance and fails the call with its own [`Error`](crate::Error) variant.
///
/// ```
/// use std::time::Duration;
/// use wasmi_hdk::Limits;
///
/// let limits = Limits::default()
///     .with_fuel(1_000_000_000)
///     .with_timeout(Duration::from_secs(5))
///     .with_max_memory(16 << 20);
/// assert_eq!(limits.max_memory(), 16 << 20);
/// assert_eq!(limits.fuel(), Some(1_000_000_000));
/// assert_eq!(Limits::default().without_timeout().timeout(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    fuel: Option<u64>,
    timeout: Option<Duration>,
    max_memory: usize,
    max_message: usize,
    max_stderr: usize,
    fuel_slice: u64,
    max_open_files: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            fuel: None,
            timeout: Some(Duration::from_secs(30)),
            max_memory: 64 << 20,
            max_message: 16 << 20,
            max_stderr: 8 << 10,
            fuel_slice: 250_000,
            max_open_files: 1024,
        }
    }
}

impl Limits {
    /// Total fuel (roughly, Wasm instructions) a call may use, instantiation
    /// included; unlimited by default. → [`Error::OutOfFuel`](crate::Error::OutOfFuel)
    #[must_use]
    pub fn with_fuel(mut self, fuel: u64) -> Self {
        self.fuel = Some(fuel);
        self
    }

    /// No fuel budget (the default): a call may compute until its timeout.
    #[must_use]
    pub fn without_fuel(mut self) -> Self {
        self.fuel = None;
        self
    }

    /// Wall-clock time a call may take, waits included; default 30 s.
    /// A timeout too long to represent as a deadline is no timeout.
    /// → [`Error::Timeout`](crate::Error::Timeout)
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// No wall-clock limit: only the fuel budget (if any) and cancellation
    /// stop a call.
    #[must_use]
    pub fn without_timeout(mut self) -> Self {
        self.timeout = None;
        self
    }

    /// Bytes of linear memory an instance may have; default 64 MiB.
    /// → [`Error::MemoryLimit`](crate::Error::MemoryLimit)
    #[must_use]
    pub fn with_max_memory(mut self, bytes: usize) -> Self {
        self.max_memory = bytes;
        self
    }

    /// Bytes of one protocol line, either way; default 16 MiB.
    #[must_use]
    pub fn with_max_message(mut self, bytes: usize) -> Self {
        self.max_message = bytes;
        self
    }

    /// Bytes of stderr kept for error reports (the tail); default 8 KiB.
    #[must_use]
    pub fn with_max_stderr(mut self, bytes: usize) -> Self {
        self.max_stderr = bytes;
        self
    }

    /// Fuel run between two yields to the executor; default 250 000
    /// (about a quarter of a millisecond natively), at least 1 and at most
    /// [`MAX_FUEL_SLICE`](Self::MAX_FUEL_SLICE). Smaller slices make a busy
    /// plugin share its thread more finely; the timeout and cancellation
    /// are checked between slices.
    #[must_use]
    pub fn with_fuel_slice(mut self, fuel: u64) -> Self {
        self.fuel_slice = fuel.clamp(1, Self::MAX_FUEL_SLICE);
        self
    }

    /// Descriptors an instance may hold open at once, its preopened
    /// directories included; default 1024 (the usual `ulimit -n`). More
    /// fail with `EMFILE` in the plugin; without preopened directories
    /// there is nothing to open.
    #[must_use]
    pub fn with_max_open_files(mut self, files: usize) -> Self {
        self.max_open_files = files;
        self
    }

    /// The largest fuel slice (about 10 ms natively), so that the timeout
    /// and cancellation always act within a bounded time.
    pub const MAX_FUEL_SLICE: u64 = 10_000_000;

    /// The fuel budget.
    pub fn fuel(&self) -> Option<u64> {
        self.fuel
    }

    /// The wall-clock timeout.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// The linear-memory cap in bytes.
    pub fn max_memory(&self) -> usize {
        self.max_memory
    }

    /// The protocol line cap in bytes.
    pub fn max_message(&self) -> usize {
        self.max_message
    }

    /// How much stderr is kept for error reports.
    pub fn max_stderr(&self) -> usize {
        self.max_stderr
    }

    /// The fuel run between yields.
    pub fn fuel_slice(&self) -> u64 {
        self.fuel_slice
    }

    /// How many descriptors an instance may hold open.
    pub fn max_open_files(&self) -> usize {
        self.max_open_files
    }
}
