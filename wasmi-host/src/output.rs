//! What goes to stdout (JSON results) and the human-readable numbers of
//! reports and tables.

use std::io::{self, IsTerminal, Write};

use serde_json::Value;
use wasmi_hdk::CallReport;

/// How to print JSON on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JsonStyle {
    /// Indented, for people.
    Pretty,
    /// One line, for programs.
    Compact,
}

impl JsonStyle {
    /// Pretty when asked or when stdout is a terminal; compact otherwise.
    pub(crate) fn choose(pretty: bool, compact: bool) -> Self {
        if pretty || (!compact && io::stdout().is_terminal()) {
            Self::Pretty
        } else {
            Self::Compact
        }
    }
}

/// Writes `value` and a newline to stdout.
pub(crate) fn print_json(value: &Value, style: JsonStyle) -> io::Result<()> {
    let text = match style {
        JsonStyle::Pretty => serde_json::to_string_pretty(value),
        JsonStyle::Compact => serde_json::to_string(value),
    }
    .map_err(io::Error::other)?;
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.write_all(b"\n")?;
    out.flush()
}

/// The call report as an indented block for stderr.
pub(crate) fn format_report(report: &CallReport) -> String {
    let CallReport {
        fuel_consumed,
        wall_time,
        peak_memory,
        host_calls,
        notifications,
        bytes_in,
        bytes_out,
        stderr_bytes,
    } = report;
    format!(
        "report:\n  \
         fuel        {fuel_consumed}\n  \
         time        {wall_time:.3?}\n  \
         memory      {} peak\n  \
         host calls  {host_calls} requests, {notifications} notifications\n  \
         bytes       {bytes_in} to stdin, {bytes_out} from stdout, {stderr_bytes} from stderr\n",
        human_bytes(*peak_memory as u64)
    )
}

/// `1536` → `1.5 KiB`; exact below 1 KiB.
pub(crate) fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_well() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(64 << 20), "64.0 MiB");
    }

    #[test]
    fn the_report_names_every_counter() {
        let text = format_report(&CallReport {
            fuel_consumed: 1234,
            host_calls: 3,
            ..CallReport::default()
        });
        for word in [
            "fuel        1234",
            "time",
            "memory",
            "3 requests",
            "to stdin",
        ] {
            assert!(text.contains(word), "{text}");
        }
    }
}
