use crate::error::to_u64;

/// What one call cost (see `wasmi_hdk::CallReport`).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CallReport {
    /// Fuel consumed, instantiation included.
    pub fuel_consumed: u64,
    /// Wall time of the call, in milliseconds.
    pub wall_time: f64,
    /// The largest linear memory the instance had, in bytes.
    pub peak_memory: u64,
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

impl From<&wasmi_hdk::CallReport> for CallReport {
    fn from(report: &wasmi_hdk::CallReport) -> Self {
        Self {
            fuel_consumed: report.fuel_consumed,
            wall_time: report.wall_time.as_secs_f64() * 1000.0,
            peak_memory: to_u64(report.peak_memory),
            host_calls: report.host_calls,
            notifications: report.notifications,
            bytes_in: report.bytes_in,
            bytes_out: report.bytes_out,
            stderr_bytes: report.stderr_bytes,
        }
    }
}

/// A call's result together with its report.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CallResult {
    /// The plugin's result as JSON text.
    pub result_json: String,
    /// What the call cost.
    pub report: CallReport,
}
