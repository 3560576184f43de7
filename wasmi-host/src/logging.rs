//! The CLI's stderr: plugin log lines (`[plugin LEVEL target] message`),
//! the CLI's own `tracing` diagnostics, and the final `error:` line, all
//! filtered by `-q` / `-v`.

use std::io::Write;

use tracing::{Event, Level, Subscriber, field::Field};
use tracing_subscriber::{
    EnvFilter, Layer,
    filter::filter_fn,
    layer::{Context, SubscriberExt as _},
    util::SubscriberInitExt as _,
};
// The `tracing` target of the log lines of a plugin set's plugins (and of
// the set's notes about them, such as a refused host call).
use wasmi_hdk::{LogLevel, PLUGIN_LOG_TARGET as PLUGIN_TARGET};

use crate::color::Colors;

/// How much to show on stderr, from `-q` and `-v`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Verbosity {
    /// The most detailed plugin log level shown; `None` hides them all.
    max: Option<LogLevel>,
    /// How many `-v` were given.
    verbose: u8,
    /// Whether to colour the level (`--color`, `NO_COLOR`, a terminal).
    color: bool,
    /// Whether stdout is coloured (`check`'s table).
    stdout_color: bool,
}

impl Verbosity {
    /// `-q` hides plugin logs; none shows info and up; `-v` debug; `-vv` trace.
    pub(crate) fn from_flags(quiet: bool, verbose: u8, colors: Colors) -> Self {
        let max = match (quiet, verbose) {
            (true, _) => None,
            (false, 0) => Some(LogLevel::Info),
            (false, 1) => Some(LogLevel::Debug),
            (false, _) => Some(LogLevel::Trace),
        };
        Self {
            max,
            verbose,
            color: colors.stderr,
            stdout_color: colors.stdout,
        }
    }

    /// Whether what goes to stdout may be coloured.
    pub(crate) fn stdout_color(self) -> bool {
        self.stdout_color
    }

    /// The `PLUGIN_LOG` to give plugins so they write what is shown (the
    /// Rust kit logs at info unless told otherwise).
    pub(crate) fn plugin_log_env(self) -> Option<&'static str> {
        match self.max {
            Some(LogLevel::Debug) => Some("debug"),
            Some(LogLevel::Trace) => Some("trace"),
            _ => None,
        }
    }

    /// Sends the CLI's own `tracing` events to stderr: errors only with
    /// `-q`, warnings by default, more with `-v`; `RUST_LOG` overrides.
    /// The logs of a plugin set's plugins, which the set sends to
    /// `tracing`, are printed like those of a single plugin.
    pub(crate) fn init_tracing(self) {
        let default = match (self.max, self.verbose) {
            (None, _) => "error",
            (Some(_), 0) => "warn",
            (Some(_), 1) => "info,wasmi_host=debug,wasmi_hdk=debug",
            (Some(_), _) => "debug",
        };
        let filter = EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| EnvFilter::new(default))
            .add_directive(
                format!("{PLUGIN_TARGET}=off")
                    .parse()
                    .expect("a valid directive"),
            );
        let diagnostics = tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_ansi(self.color)
            .without_time()
            .with_filter(filter);
        let plugin_logs = PluginLogs { verbosity: self }
            .with_filter(filter_fn(|meta| meta.target() == PLUGIN_TARGET));
        // Fails only if a subscriber is already set, which it is not.
        let _ = tracing_subscriber::registry()
            .with(diagnostics)
            .with(plugin_logs)
            .try_init();
    }

    /// Prints one plugin log line if its level is shown.
    pub(crate) fn print(self, plugin: &str, level: LogLevel, target: Option<&str>, message: &str) {
        if self.max.is_none_or(|max| level > max) {
            return;
        }
        let level = if self.color {
            format!("\x1b[{}m{level}\x1b[0m", color_code(level))
        } else {
            level.to_string()
        };
        let line = match target {
            Some(target) => format!("[{plugin} {level} {target}] {message}\n"),
            None => format!("[{plugin} {level}] {message}\n"),
        };
        // A closed stderr is no reason to stop the plugin.
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }

    /// Prints a `warning: ...` line, unless `-q`.
    pub(crate) fn print_warning(self, message: &str) {
        if self.max.is_none() {
            return;
        }
        let prefix = if self.color {
            "\x1b[1;33mwarning\x1b[0m"
        } else {
            "warning"
        };
        let _ = writeln!(std::io::stderr().lock(), "{prefix}: {message}");
    }

    /// Prints a line about what the command did on stderr, unless `-q`.
    pub(crate) fn print_note(self, message: &str) {
        if self.max.is_some() {
            let _ = writeln!(std::io::stderr().lock(), "{message}");
        }
    }

    /// Prints the final `error: ...` line (always, even with `-q`).
    pub(crate) fn print_error(self, message: &str) {
        let prefix = if self.color {
            "\x1b[1;31merror\x1b[0m"
        } else {
            "error"
        };
        let _ = writeln!(std::io::stderr().lock(), "{prefix}: {message}");
    }
}

/// Prints the `tracing` events of [`PLUGIN_TARGET`] as plugin log lines.
struct PluginLogs {
    verbosity: Verbosity,
}

impl<S: Subscriber> Layer<S> for PluginLogs {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut fields = PluginFields::default();
        event.record(&mut fields);
        let level = match *event.metadata().level() {
            Level::ERROR => LogLevel::Error,
            Level::WARN => LogLevel::Warn,
            Level::INFO => LogLevel::Info,
            Level::DEBUG => LogLevel::Debug,
            Level::TRACE => LogLevel::Trace,
        };
        self.verbosity.print(
            fields.plugin.as_deref().unwrap_or("plugin"),
            level,
            fields.target.as_deref().filter(|t| !t.is_empty()),
            &fields.message,
        );
    }
}

/// The fields of a plugin log event: `plugin`, `target` and the message.
#[derive(Default)]
struct PluginFields {
    plugin: Option<String>,
    target: Option<String>,
    message: String,
}

impl tracing::field::Visit for PluginFields {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "plugin" => self.plugin = Some(value.to_owned()),
            "target" => self.target = Some(value.to_owned()),
            "message" => value.clone_into(&mut self.message),
            _ => {}
        }
    }

    // `plugin` and `target` are strings; the message is `format_args!`.
    fn record_debug(&mut self, field: &Field, value: &dyn core::fmt::Debug) {
        if field.name() == "message" {
            self.message = format!("{value:?}");
        }
    }
}

fn color_code(level: LogLevel) -> &'static str {
    match level {
        LogLevel::Error => "31",
        LogLevel::Warn => "33",
        LogLevel::Info => "32",
        LogLevel::Debug => "34",
        LogLevel::Trace => "35",
    }
}
