use core::fmt;
use std::sync::Arc;

use wasmi_plugin_protocol::LogLevel;

use crate::{MaybeSend, MaybeSync};

/// The `tracing` target of plugin log lines (when no log handler is set)
/// and of the host kit's own messages about plugins, such as a refused
/// host call: filter on it (`RUST_LOG=wasmi_plugin=debug`).
pub const PLUGIN_LOG_TARGET: &str = "wasmi_plugin";

/// One line a plugin wrote to stderr, read as described in `PROTOCOL.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogRecord<'a> {
    /// The plugin's name.
    pub plugin: &'a str,
    /// The level from the line's prefix (`Info` if it had none).
    pub level: LogLevel,
    /// The target from the line's prefix, if any.
    pub target: Option<&'a str>,
    /// The text.
    pub message: &'a str,
}

/// Where plugin log lines go.
#[derive(Clone, Default)]
pub(crate) enum LogSink {
    /// `tracing` events with target [`PLUGIN_LOG_TARGET`] and fields `plugin`, `target`.
    #[default]
    Tracing,
    /// A user callback.
    Callback(LogCallback),
}

/// A user's log callback: `Send + Sync` natively; on `wasm32` it may hold
/// JavaScript values.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) type LogCallback = Arc<dyn Fn(&LogRecord<'_>) + Send + Sync>;
#[cfg(target_arch = "wasm32")]
pub(crate) type LogCallback = Arc<dyn Fn(&LogRecord<'_>)>;

impl fmt::Debug for LogSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Tracing => f.write_str("Tracing"),
            Self::Callback(_) => f.write_str("Callback(..)"),
        }
    }
}

impl LogSink {
    /// A sink calling `handler`.
    pub(crate) fn callback(
        handler: impl Fn(&LogRecord<'_>) + MaybeSend + MaybeSync + 'static,
    ) -> Self {
        Self::Callback(Arc::new(handler))
    }

    pub(crate) fn emit(&self, record: &LogRecord<'_>) {
        match self {
            Self::Callback(callback) => callback(record),
            Self::Tracing => {
                let LogRecord {
                    plugin,
                    target,
                    message,
                    ..
                } = *record;
                let target = target.unwrap_or("");
                match record.level {
                    LogLevel::Error => {
                        tracing::error!(target: PLUGIN_LOG_TARGET, plugin, target, "{message}")
                    }
                    LogLevel::Warn => {
                        tracing::warn!(target: PLUGIN_LOG_TARGET, plugin, target, "{message}")
                    }
                    LogLevel::Info => {
                        tracing::info!(target: PLUGIN_LOG_TARGET, plugin, target, "{message}")
                    }
                    LogLevel::Debug => {
                        tracing::debug!(target: PLUGIN_LOG_TARGET, plugin, target, "{message}")
                    }
                    LogLevel::Trace => {
                        tracing::trace!(target: PLUGIN_LOG_TARGET, plugin, target, "{message}")
                    }
                }
            }
        }
    }
}
