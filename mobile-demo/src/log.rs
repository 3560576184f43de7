use wasmi_hdk::LogRecord;

/// Receives the plugin's log: one call per line it writes to stderr.
///
/// Called synchronously while the plugin runs, on the thread that is
/// driving the call: keep it quick (append to a list, hand it to `os_log`
/// or `android.util.Log`).
#[uniffi::export(with_foreign)]
pub trait LogHandler: Send + Sync {
    /// One log line.
    fn on_log(&self, line: LogLine);
}

/// One line a plugin wrote to stderr, read as `PROTOCOL.md` §5 describes.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LogLine {
    /// The plugin's name.
    pub plugin: String,
    /// The level from the line's prefix (`Info` if it had none).
    pub level: LogLevel,
    /// The target from the line's prefix, if any.
    pub target: Option<String>,
    /// The text.
    pub message: String,
}

/// A log line's level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum LogLevel {
    /// `ERROR`
    Error,
    /// `WARN`
    Warn,
    /// `INFO`, also what unprefixed lines get
    Info,
    /// `DEBUG`
    Debug,
    /// `TRACE`
    Trace,
}

impl From<wasmi_hdk::LogLevel> for LogLevel {
    fn from(level: wasmi_hdk::LogLevel) -> Self {
        match level {
            wasmi_hdk::LogLevel::Error => Self::Error,
            wasmi_hdk::LogLevel::Warn => Self::Warn,
            wasmi_hdk::LogLevel::Info => Self::Info,
            wasmi_hdk::LogLevel::Debug => Self::Debug,
            wasmi_hdk::LogLevel::Trace => Self::Trace,
        }
    }
}

impl From<&LogRecord<'_>> for LogLine {
    fn from(record: &LogRecord<'_>) -> Self {
        Self {
            plugin: record.plugin.to_owned(),
            level: record.level.into(),
            target: record.target.map(str::to_owned),
            message: record.message.to_owned(),
        }
    }
}
