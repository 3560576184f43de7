use core::time::Duration;

use serde_json::Value;

use crate::Error;

/// What one call cost; gathered from counters the call keeps anyway.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallReport {
    /// Fuel consumed, instantiation included.
    pub fuel_consumed: u64,
    /// Wall time from the start of the call to its end.
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

/// The result of a call together with its [`CallReport`].
#[derive(Debug)]
pub struct CallOutcome {
    /// The plugin's result, or what went wrong.
    pub result: Result<Value, Error>,
    /// What the call cost.
    pub report: CallReport,
}
