use core::time::Duration;

use crate::Error;

/// What one call cost; gathered from counters the call keeps anyway.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallReport {
    /// Fuel consumed, instantiation included.
    pub fuel_consumed: u64,
    /// Wall time from the start of the call to its end (waiting for a free
    /// instance slot included).
    pub wall_time: Duration,
    /// The largest linear memory the instance had, in bytes.
    pub peak_memory: usize,
    /// Requests the plugin made to the host.
    pub host_calls: u32,
    /// Notifications the plugin sent to the host.
    pub notifications: u32,
    /// Bytes the host wrote to the plugin's stdin.
    pub bytes_in: u64,
    /// Bytes the plugin wrote to stdout.
    pub bytes_out: u64,
    /// Bytes the plugin wrote to stderr.
    pub stderr_bytes: u64,
}

/// A call's result together with its [`CallReport`]: what
/// [`Plugin::call_with`](crate::Plugin::call_with) gives on success.
#[derive(Debug, Clone, PartialEq)]
pub struct Reported<T> {
    /// The plugin's result.
    pub value: T,
    /// What the call cost.
    pub report: CallReport,
}

/// A failed call's [`Error`] together with its [`CallReport`]: what
/// [`Plugin::call_with`](crate::Plugin::call_with) gives on failure.
///
/// `?` turns it into the plain [`Error`].
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct CallFailure {
    /// What went wrong.
    #[source]
    pub error: Error,
    /// What the call cost until it failed.
    pub report: CallReport,
}

impl From<CallFailure> for Error {
    fn from(failure: CallFailure) -> Self {
        failure.error
    }
}
