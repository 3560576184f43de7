//! The pass/fail table `check` prints.

use core::fmt::Write as _;

/// How one check went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Status {
    /// Follows the protocol.
    Pass,
    /// Allowed, but worth a look.
    Warn,
    /// Breaks the protocol.
    Fail,
    /// Could not be checked.
    Skip,
}

impl Status {
    fn label(self) -> &'static str {
        match self {
            Self::Pass => "PASS",
            Self::Warn => "WARN",
            Self::Fail => "FAIL",
            Self::Skip => "SKIP",
        }
    }

    fn color(self) -> &'static str {
        match self {
            Self::Pass => "32",
            Self::Warn => "33",
            Self::Fail => "1;31",
            Self::Skip => "2",
        }
    }
}

/// One line of the table: what was checked, how it went, and why.
#[derive(Debug, Clone)]
pub(super) struct Row {
    pub(super) status: Status,
    pub(super) check: String,
    pub(super) detail: String,
}

impl Row {
    pub(super) fn new(status: Status, check: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            status,
            check: check.into(),
            detail: detail.into(),
        }
    }
}

/// The table with a heading and a summary line.
pub(super) fn render(heading: &str, rows: &[Row], color: bool) -> String {
    let width = rows.iter().map(|r| r.check.len()).max().unwrap_or(0);
    let mut out = format!("{heading}\n\n");
    for row in rows {
        let label = if color {
            format!("\x1b[{}m{}\x1b[0m", row.status.color(), row.status.label())
        } else {
            row.status.label().to_owned()
        };
        let detail = one_line(&row.detail);
        let _ = writeln!(out, "  {label}  {:width$}  {detail}", row.check);
    }
    let count = |status| rows.iter().filter(|r| r.status == status).count();
    let _ = writeln!(
        out,
        "\n{} checks: {} pass, {} warn, {} fail, {} skipped",
        rows.len(),
        count(Status::Pass),
        count(Status::Warn),
        count(Status::Fail),
        count(Status::Skip),
    );
    out
}

/// The detail on one line, cut to a readable length.
fn one_line(text: &str) -> String {
    const MAX: usize = 160;
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    match flat.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}...", &flat[..cut]),
        None => flat,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_rows_and_counts() {
        let rows = [
            Row::new(Status::Pass, "a", "fine"),
            Row::new(Status::Fail, "longer name", "broken\nacross lines"),
        ];
        let text = render("heading", &rows, false);
        assert!(text.contains("  PASS  a            fine\n"), "{text}");
        assert!(
            text.contains("FAIL  longer name  broken across lines"),
            "{text}"
        );
        assert!(
            text.contains("2 checks: 1 pass, 0 warn, 1 fail, 0 skipped"),
            "{text}"
        );
    }
}
