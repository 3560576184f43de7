//! The one reader of sizes and durations, used by every way limits are
//! written: manifests, the CLI, the JavaScript API and the mobile bindings.
//!
//! ```
//! use std::time::Duration;
//! use wasmi_hdk::units::{parse_bytes, parse_duration};
//!
//! assert_eq!(parse_bytes("64M"), Ok(64 << 20));
//! assert_eq!(parse_bytes("512KiB"), Ok(512 << 10));
//! assert_eq!(parse_bytes("65536"), Ok(65536));
//! assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
//! assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
//! assert!(parse_duration("3").is_err()); // a duration needs its unit
//! ```

use core::time::Duration;

/// Why a size or duration could not be read; its text is one line that
/// names the value and says what is expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UnitError(String);

/// Reads a byte count with an optional binary suffix: `65536`, `512K`,
/// `64M`, `1G` (also `B`, `KB`, `KiB`, `MB`, `MiB`, `GB`, `GiB`, in any
/// case; every multiple is a power of 1024).
///
/// # Errors
///
/// [`UnitError`] if `text` is not such a size or does not fit a `usize`.
pub fn parse_bytes(text: &str) -> Result<usize, UnitError> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let number: usize = number.parse().map_err(|_| {
        UnitError(format!(
            "`{text}` is not a size in bytes (try 65536, 512K, 64M, 1G)"
        ))
    })?;
    let shift = match suffix.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        _ => {
            return Err(UnitError(format!(
                "unknown size suffix `{suffix}` in `{text}` (use K, M or G)"
            )));
        }
    };
    number
        .checked_mul(1 << shift)
        .ok_or_else(|| UnitError(format!("`{text}` is too large")))
}

/// Reads a duration with its unit: `250ms`, `2s`, `1.5s`, `1m` (or
/// `min`), `1h`. A bare number is refused: it would be read as
/// milliseconds in one place and seconds in another.
///
/// # Errors
///
/// [`UnitError`] if `text` is not such a duration or is out of range.
pub fn parse_duration(text: &str) -> Result<Duration, UnitError> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| UnitError(format!("`{text}` is not a duration (try 500ms, 2s, 1m)")))?;
    let seconds_per_unit = match unit.trim() {
        "ms" => 0.001,
        "s" | "sec" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        "" => {
            return Err(UnitError(format!(
                "`{text}` has no unit (write {text}ms or {text}s)"
            )));
        }
        other => {
            return Err(UnitError(format!(
                "unknown duration unit `{other}` in `{text}` (use ms, s, m or h)"
            )));
        }
    };
    Duration::try_from_secs_f64(number * seconds_per_unit)
        .map_err(|_| UnitError(format!("`{text}` is out of range for a duration")))
}

/// The word that means "no limit" wherever a limit is written as text.
pub const UNLIMITED: &str = "unlimited";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration(" 1.5s "), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("1m"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert!(parse_duration("3").unwrap_err().0.contains("no unit"));
        assert!(parse_duration("fast").is_err());
        assert!(parse_duration("2 weeks").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("1e400s").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_bytes("65536"), Ok(65536));
        assert_eq!(parse_bytes("512K"), Ok(512 << 10));
        assert_eq!(parse_bytes("64M"), Ok(64 << 20));
        assert_eq!(parse_bytes("64MB"), Ok(64 << 20));
        assert_eq!(parse_bytes("1g"), Ok(1 << 30));
        assert_eq!(parse_bytes("16MiB"), Ok(16 << 20));
        assert!(parse_bytes("lots").is_err());
        assert!(parse_bytes("5X").is_err());
        assert!(parse_bytes("-5").is_err());
        assert!(parse_bytes("99999999999999999999G").is_err());
    }
}
