use std::io::Write;

use log::{LevelFilter, Log, Metadata, Record};

use crate::protocol::LogLevel;

/// Writes `log` records to stderr in the `LEVEL target: message` form of
/// `PROTOCOL.md`, one write per record, one prefixed line per message line.
struct StderrLogger;

static LOGGER: StderrLogger = StderrLogger;

impl Log for StderrLogger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let level = match record.level() {
            log::Level::Error => LogLevel::Error,
            log::Level::Warn => LogLevel::Warn,
            log::Level::Info => LogLevel::Info,
            log::Level::Debug => LogLevel::Debug,
            log::Level::Trace => LogLevel::Trace,
        };
        let message = record.args().to_string();
        let mut text = String::with_capacity(message.len() + 32);
        for line in message.lines() {
            text.push_str(level.as_str());
            text.push(' ');
            text.push_str(record.target());
            text.push_str(": ");
            text.push_str(line);
            text.push('\n');
        }
        // Logging must never fail the plugin; a closed stderr drops the line.
        let _ = std::io::stderr().write_all(text.as_bytes());
    }

    fn flush(&self) {}
}

/// Installs the stderr logger and a panic hook that logs the panic at `ERROR`.
///
/// The level comes from the `PLUGIN_LOG` environment variable (`off`,
/// `error`, `warn`, `info`, `debug`, `trace`); `info` when unset. [`serve`]
/// calls this; calling it again does nothing.
///
/// [`serve`]: crate::serve
pub fn init_logger() {
    if log::set_logger(&LOGGER).is_err() {
        return;
    }
    let level = std::env::var(crate::protocol::LOG_FILTER_ENV)
        .ok()
        .and_then(|v| v.parse::<LevelFilter>().ok())
        .unwrap_or(LevelFilter::Info);
    log::set_max_level(level);
    std::panic::set_hook(Box::new(|info| {
        log::error!(target: "panic", "{info}");
    }));
}
