//! Whether the CLI colours what it prints: `--color auto|always|never`
//! first, then `NO_COLOR` (set and not empty: never), then whether the
//! stream is a terminal. clap's own help follows the same choice.

use std::{
    ffi::OsString,
    io::{IsTerminal, stderr, stdout},
};

use clap::ValueEnum;

/// `--color`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorWhen {
    /// Colour a terminal, unless `NO_COLOR` is set.
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

impl ColorWhen {
    /// The `--color` among `args` (the last one wins, as clap reads it),
    /// found before clap parses them so that clap's help follows it too.
    pub(crate) fn from_args(args: impl IntoIterator<Item = OsString>) -> Self {
        let mut when = Self::Auto;
        let mut args = args.into_iter().map(|a| a.to_string_lossy().into_owned());
        while let Some(arg) = args.next() {
            let value = match arg.strip_prefix("--color") {
                Some("") => args.next(),
                Some(rest) => rest.strip_prefix('=').map(str::to_owned),
                None => None,
            };
            if let Some(parsed) = value.and_then(|v| Self::from_str(&v, true).ok()) {
                when = parsed;
            }
        }
        when
    }

    /// What clap should do for its help and errors.
    pub(crate) fn for_clap(self) -> clap::ColorChoice {
        match self.resolve(None) {
            Some(true) => clap::ColorChoice::Always,
            Some(false) => clap::ColorChoice::Never,
            None => clap::ColorChoice::Auto,
        }
    }

    /// Whether to colour stdout and stderr.
    pub(crate) fn streams(self) -> Colors {
        Colors {
            stdout: self.resolve(Some(stdout().is_terminal())).unwrap_or(false),
            stderr: self.resolve(Some(stderr().is_terminal())).unwrap_or(false),
        }
    }

    /// `Some(decision)`, or `None` when it depends on a terminal not given.
    fn resolve(self, terminal: Option<bool>) -> Option<bool> {
        match self {
            Self::Always => Some(true),
            Self::Never => Some(false),
            Self::Auto if no_color() => Some(false),
            Self::Auto => terminal,
        }
    }
}

/// `NO_COLOR` is set to something (<https://no-color.org>).
fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Whether each output stream is coloured.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Colors {
    /// stdout (`check`'s table).
    pub(crate) stdout: bool,
    /// stderr (log levels, warnings, errors).
    pub(crate) stderr: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn when(args: &[&str]) -> ColorWhen {
        ColorWhen::from_args(args.iter().map(OsString::from))
    }

    #[test]
    fn the_flag_is_found_in_either_spelling_and_the_last_wins() {
        assert_eq!(when(&["wasmi-host", "call", "ping"]), ColorWhen::Auto);
        assert_eq!(
            when(&["wasmi-host", "--color", "never", "call"]),
            ColorWhen::Never
        );
        assert_eq!(
            when(&["wasmi-host", "call", "--color=always"]),
            ColorWhen::Always
        );
        assert_eq!(
            when(&["wasmi-host", "--color=never", "--color", "always"]),
            ColorWhen::Always
        );
        // A bad value is clap's to report; it changes nothing here.
        assert_eq!(
            when(&["wasmi-host", "--color", "sometimes"]),
            ColorWhen::Auto
        );
        assert!(!ColorWhen::Never.streams().stdout);
        assert!(ColorWhen::Always.streams().stderr);
    }
}
