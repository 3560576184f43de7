use core::fmt;

/// The environment variable a host sets to choose which levels a plugin
/// logs: `off`, `error`, `warn`, `info` (the kits' default), `debug` or `trace`.
pub const LOG_FILTER_ENV: &str = "PLUGIN_LOG";

/// The level of a log line a plugin writes to stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    /// `ERROR`
    Error,
    /// `WARN`
    Warn,
    /// `INFO` (also what unprefixed lines get)
    Info,
    /// `DEBUG`
    Debug,
    /// `TRACE`
    Trace,
}

impl LogLevel {
    /// The prefix word as written on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "ERROR",
            Self::Warn => "WARN",
            Self::Info => "INFO",
            Self::Debug => "DEBUG",
            Self::Trace => "TRACE",
        }
    }

    /// Reads a prefix word (case-sensitive, as written by [`LogLevel::as_str`]).
    pub fn from_prefix(word: &str) -> Option<Self> {
        Some(match word {
            "ERROR" => Self::Error,
            "WARN" => Self::Warn,
            "INFO" => Self::Info,
            "DEBUG" => Self::Debug,
            "TRACE" => Self::Trace,
            _ => return None,
        })
    }
}

impl fmt::Display for LogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One stderr line, read as `LEVEL target: message`, `LEVEL message` or
/// just `message` (level [`LogLevel::Info`]).
///
/// A target is the word before the first `": "` when that word has no
/// whitespace in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogLine<'a> {
    /// The level from the prefix, or `Info`.
    pub level: LogLevel,
    /// The target (module path or component), when given.
    pub target: Option<&'a str>,
    /// The text after the prefix.
    pub message: &'a str,
}

impl<'a> LogLine<'a> {
    /// Reads one line (without its trailing newline).
    pub fn parse(line: &'a str) -> Self {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let Some((word, rest)) = line.split_once(' ') else {
            return Self::plain(line);
        };
        let Some(level) = LogLevel::from_prefix(word) else {
            return Self::plain(line);
        };
        if let Some((target, message)) = rest.split_once(": ")
            && !target.is_empty()
            && !target.contains(char::is_whitespace)
        {
            return Self {
                level,
                target: Some(target),
                message,
            };
        }
        Self {
            level,
            target: None,
            message: rest,
        }
    }

    fn plain(line: &'a str) -> Self {
        Self {
            level: LogLevel::Info,
            target: None,
            message: line,
        }
    }
}

impl fmt::Display for LogLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.target {
            Some(target) => write!(f, "{} {target}: {}", self.level, self.message),
            None => write!(f, "{} {}", self.level, self.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_form() {
        assert_eq!(
            LogLine::parse("WARN my_plugin::db: slow query: 3s"),
            LogLine {
                level: LogLevel::Warn,
                target: Some("my_plugin::db"),
                message: "slow query: 3s"
            }
        );
        assert_eq!(
            LogLine::parse("DEBUG hello world: x"),
            LogLine {
                level: LogLevel::Debug,
                target: None,
                message: "hello world: x"
            }
        );
        assert_eq!(
            LogLine::parse("thread 'main' panicked"),
            LogLine {
                level: LogLevel::Info,
                target: None,
                message: "thread 'main' panicked"
            }
        );
        assert_eq!(LogLine::parse("info lower case").level, LogLevel::Info);
        assert_eq!(LogLine::parse("ERROR").message, "ERROR");
    }

    #[test]
    fn display_round_trips() {
        let line = LogLine {
            level: LogLevel::Trace,
            target: Some("t"),
            message: "m: n",
        };
        assert_eq!(LogLine::parse(&line.to_string()), line);
    }
}
