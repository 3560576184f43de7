use core::time::Duration;

use wasmi_hdk::Limits;

use crate::error::{to_u64, to_usize};

/// The limits a call runs under (see `wasmi_hdk::Limits`); exceeding one
/// fails the call with its own [`PluginError`](crate::PluginError).
///
/// Every field has the host kit's default, so `PluginLimits(fuel: 1_000_000)`
/// in Swift or `PluginLimits(fuel = 1_000_000uL)` in Kotlin changes just that.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PluginLimits {
    /// Fuel (≈ Wasm instructions) per call, instantiation included; `None`
    /// is unlimited. → `PluginError.OutOfFuel`
    #[uniffi(default = None)]
    pub fuel: Option<u64>,
    /// Wall-clock time per call in milliseconds, waits included; `None` is
    /// unlimited. → `PluginError.Timeout`
    #[uniffi(default = Some(30000))]
    pub timeout_ms: Option<u64>,
    /// Bytes of linear memory an instance may have. → `PluginError.MemoryLimit`
    #[uniffi(default = 67108864)]
    pub max_memory_bytes: u64,
    /// Bytes of one protocol line, either direction.
    #[uniffi(default = 16777216)]
    pub max_message_bytes: u64,
    /// Bytes of stderr kept for error reports (the tail).
    #[uniffi(default = 8192)]
    pub max_stderr_bytes: u64,
    /// Fuel run between two yields to the caller's executor.
    #[uniffi(default = 250000)]
    pub fuel_slice: u64,
}

impl Default for PluginLimits {
    fn default() -> Self {
        Self::from(&Limits::default())
    }
}

impl From<&Limits> for PluginLimits {
    fn from(limits: &Limits) -> Self {
        Self {
            fuel: limits.fuel(),
            timeout_ms: limits
                .timeout()
                .map(|t| u64::try_from(t.as_millis()).unwrap_or(u64::MAX)),
            max_memory_bytes: to_u64(limits.max_memory()),
            max_message_bytes: to_u64(limits.max_message()),
            max_stderr_bytes: to_u64(limits.max_stderr()),
            fuel_slice: limits.fuel_slice(),
        }
    }
}

impl From<&PluginLimits> for Limits {
    fn from(limits: &PluginLimits) -> Self {
        Limits::default()
            .with_fuel(limits.fuel)
            .with_timeout(limits.timeout_ms.map(Duration::from_millis))
            .with_max_memory(to_usize(limits.max_memory_bytes))
            .with_max_message(to_usize(limits.max_message_bytes))
            .with_max_stderr(to_usize(limits.max_stderr_bytes))
            .with_fuel_slice(limits.fuel_slice)
    }
}

/// The host kit's default limits (what `PluginLimits()` gives in Swift,
/// Kotlin and Python).
#[uniffi::export]
pub fn default_limits() -> PluginLimits {
    PluginLimits::default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_the_host_kit() {
        let limits = PluginLimits {
            fuel: Some(7),
            timeout_ms: None,
            max_memory_bytes: 1 << 20,
            max_message_bytes: 4096,
            max_stderr_bytes: 100,
            fuel_slice: 9,
        };
        assert_eq!(PluginLimits::from(&Limits::from(&limits)), limits);
    }

    /// The literal defaults the foreign languages see (`#[uniffi(default)]`)
    /// must be the host kit's.
    #[test]
    fn literal_defaults_match_the_host_kit() {
        let limits = PluginLimits::default();
        assert_eq!(limits.fuel, None);
        assert_eq!(limits.timeout_ms, Some(30_000));
        assert_eq!(limits.max_memory_bytes, 67_108_864);
        assert_eq!(limits.max_message_bytes, 16_777_216);
        assert_eq!(limits.max_stderr_bytes, 8192);
        assert_eq!(limits.fuel_slice, 250_000);
    }
}
