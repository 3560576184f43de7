use wasmi_hdk::{Limits, LimitsOverlay};

use crate::{PluginError, error::to_u64};

/// The limits a call runs under: the host kit's limit fields under the same
/// names (`LimitsOverlay`), read by the kit's own rules; exceeding one fails
/// the call with its own [`PluginError`].
///
/// Every field has the host kit's default, so `PluginLimits(fuel: 1_000_000)`
/// in Swift or `PluginLimits(fuel = 1_000_000uL)` in Kotlin changes just that.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, uniffi::Record)]
pub struct PluginLimits {
    /// Fuel (≈ Wasm instructions) per call, instantiation included; `None`
    /// is unlimited. → `PluginError.OutOfFuel`
    #[uniffi(default = None)]
    pub fuel: Option<u64>,
    /// Wall-clock time per call in milliseconds, waits included; `None` is
    /// unlimited. → `PluginError.Timeout`
    #[uniffi(default = Some(30000))]
    pub timeout: Option<u64>,
    /// Bytes of linear memory an instance may have. → `PluginError.MemoryLimit`
    #[uniffi(default = 67108864)]
    pub max_memory: u64,
    /// Bytes of one protocol line, either direction.
    #[uniffi(default = 16777216)]
    pub max_message: u64,
    /// Bytes of stderr kept for error reports (the tail).
    #[uniffi(default = 8192)]
    pub max_stderr: u64,
    /// Fuel run between two yields to the caller's executor.
    #[uniffi(default = 250000)]
    pub fuel_slice: u64,
    /// Files and directories an instance may hold open at once, its
    /// `files` included.
    #[uniffi(default = 1024)]
    pub max_open_files: u64,
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
            timeout: limits
                .timeout()
                .map(|t| u64::try_from(t.as_millis()).unwrap_or(u64::MAX)),
            max_memory: to_u64(limits.max_memory()),
            max_message: to_u64(limits.max_message()),
            max_stderr: to_u64(limits.max_stderr()),
            fuel_slice: limits.fuel_slice(),
            max_open_files: to_u64(limits.max_open_files()),
        }
    }
}

impl PluginLimits {
    /// The host kit's limits these describe, read through the kit's one
    /// reader of limits (a `null` fuel or timeout is unlimited).
    ///
    /// # Errors
    ///
    /// `InvalidOptions` naming a field this platform cannot hold (a size
    /// past `usize` on a 32-bit device).
    pub(crate) fn to_limits(&self) -> Result<Limits, PluginError> {
        // Serialising a record of numbers cannot fail.
        let fields = serde_json::to_value(self).unwrap_or_default();
        let overlay = LimitsOverlay::from_json(fields).map_err(PluginError::from)?;
        Ok(overlay.apply(&Limits::default()))
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
            timeout: None,
            max_memory: 1 << 20,
            max_message: 4096,
            max_stderr: 100,
            fuel_slice: 9,
            max_open_files: 5,
        };
        assert_eq!(PluginLimits::from(&limits.to_limits().unwrap()), limits);
    }

    /// The field names are the host kit's limit names.
    #[test]
    fn fields_are_the_kits_names() {
        let written = serde_json::to_value(PluginLimits::default()).unwrap();
        let mut names: Vec<&str> = written
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        names.sort_unstable();
        let mut fields = LimitsOverlay::FIELDS.to_vec();
        fields.sort_unstable();
        assert_eq!(names, fields);
    }

    /// The literal defaults the foreign languages see (`#[uniffi(default)]`)
    /// must be the host kit's.
    #[test]
    fn literal_defaults_match_the_host_kit() {
        let limits = PluginLimits::default();
        assert_eq!(limits.fuel, None);
        assert_eq!(limits.timeout, Some(30_000));
        assert_eq!(limits.max_memory, 67_108_864);
        assert_eq!(limits.max_message, 16_777_216);
        assert_eq!(limits.max_stderr, 8192);
        assert_eq!(limits.fuel_slice, 250_000);
        assert_eq!(limits.max_open_files, 1024);
    }
}
