//! The plugin's stderr: split into lines, forwarded as log records, and
//! the last few KiB kept for error reports.

use std::{panic::AssertUnwindSafe, sync::Arc};

use wasmi_plugin_protocol::LogLine;

use crate::{LogRecord, log::LogSink};

/// Longest log line forwarded; the rest of a longer line is dropped.
const MAX_LOG_LINE: usize = 8 << 10;

#[derive(Debug)]
pub(crate) struct StderrLog {
    plugin: Arc<str>,
    sink: LogSink,
    partial: Vec<u8>,
    /// Inside a line that was already cut at `MAX_LOG_LINE`.
    discarding: bool,
    tail: Vec<u8>,
    max_tail: usize,
    /// The log handler panicked: this call's later lines are not forwarded.
    sink_panicked: bool,
    pub(crate) bytes: u64,
}

impl StderrLog {
    pub(crate) fn new(plugin: Arc<str>, sink: LogSink, max_tail: usize) -> Self {
        Self {
            plugin,
            sink,
            partial: Vec::new(),
            discarding: false,
            tail: Vec::new(),
            max_tail,
            sink_panicked: false,
            bytes: 0,
        }
    }

    /// Takes bytes written to stderr. `fd_write` hands over at most 4096
    /// lines at a time, which bounds the log records one write makes.
    pub(crate) fn write(&mut self, mut bytes: &[u8]) {
        self.bytes += bytes.len() as u64;
        self.keep_tail(bytes);
        while !bytes.is_empty() {
            let (chunk, rest, ended) = match memchr::memchr(b'\n', bytes) {
                Some(i) => (&bytes[..i], &bytes[i + 1..], true),
                None => (bytes, &[][..], false),
            };
            bytes = rest;
            if !self.discarding {
                let room = MAX_LOG_LINE - self.partial.len();
                self.partial
                    .extend_from_slice(&chunk[..chunk.len().min(room)]);
                if chunk.len() > room {
                    self.partial.extend_from_slice(" [cut]".as_bytes());
                    self.emit();
                    self.discarding = true;
                }
            }
            if ended {
                if self.discarding {
                    self.discarding = false;
                } else {
                    self.emit();
                }
            }
        }
    }

    /// Forwards a last unterminated line, if any.
    pub(crate) fn finish(&mut self) {
        if !self.partial.is_empty() && !self.discarding {
            self.emit();
        }
    }

    /// Forwards the line in `partial` to the log sink. The sink is the
    /// application's code running inside a WASI call, where wasmi cannot
    /// unwind: a panic in it is caught here (and the sink left alone for
    /// the rest of the call) instead of aborting the process.
    fn emit(&mut self) {
        if !self.sink_panicked {
            let text = String::from_utf8_lossy(&self.partial);
            let line = LogLine::parse(&text);
            let record = LogRecord {
                plugin: &self.plugin,
                level: line.level,
                target: line.target,
                message: line.message,
            };
            let sink = &self.sink;
            self.sink_panicked =
                std::panic::catch_unwind(AssertUnwindSafe(|| sink.emit(&record))).is_err();
        }
        self.partial.clear();
    }

    fn keep_tail(&mut self, bytes: &[u8]) {
        if self.max_tail == 0 {
            return;
        }
        let bytes = &bytes[bytes.len().saturating_sub(self.max_tail)..];
        self.tail.extend_from_slice(bytes);
        if self.tail.len() > self.max_tail.saturating_mul(2) {
            let cut = self.tail.len() - self.max_tail;
            self.tail.drain(..cut);
        }
    }

    /// The last `max_tail` bytes of stderr, starting at a line boundary when one is near.
    pub(crate) fn tail(&self) -> String {
        let start = self.tail.len().saturating_sub(self.max_tail);
        let mut kept = &self.tail[start..];
        if start > 0
            && let Some(nl) = memchr::memchr(b'\n', kept)
            && nl + 1 < kept.len()
        {
            kept = &kept[nl + 1..];
        }
        String::from_utf8_lossy(kept).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use wasmi_plugin_protocol::LogLevel;

    use super::*;

    type Seen = Arc<Mutex<Vec<(LogLevel, String)>>>;

    fn collecting(max_tail: usize) -> (StderrLog, Seen) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink_seen = seen.clone();
        let sink = LogSink::Callback(Arc::new(move |r: &LogRecord<'_>| {
            sink_seen
                .lock()
                .unwrap()
                .push((r.level, r.message.to_owned()));
        }));
        (StderrLog::new("p".into(), sink, max_tail), seen)
    }

    #[test]
    fn splits_lines_across_writes_and_reads_levels() {
        let (mut log, seen) = collecting(64);
        log.write(b"WARN t: one\nplain ");
        log.write(b"two\nERROR three");
        log.finish();
        assert_eq!(
            *seen.lock().unwrap(),
            [
                (LogLevel::Warn, "one".to_owned()),
                (LogLevel::Info, "plain two".to_owned()),
                (LogLevel::Error, "three".to_owned())
            ]
        );
    }

    #[test]
    fn cuts_long_lines_and_keeps_a_bounded_tail() {
        let (mut log, seen) = collecting(16);
        let long = vec![b'x'; MAX_LOG_LINE * 3];
        log.write(&long);
        log.write(b"\nlast line\n");
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 2);
        assert!(seen[0].1.ends_with("[cut]"));
        assert_eq!(seen[0].1.len(), MAX_LOG_LINE + " [cut]".len());
        assert_eq!(seen[1].1, "last line");
        assert_eq!(log.tail(), "last line\n");
        assert!(log.tail.len() <= 32);
    }

    #[test]
    fn a_panicking_sink_is_caught_and_left_alone() {
        let calls = Arc::new(Mutex::new(0));
        let counted = calls.clone();
        let sink = LogSink::Callback(Arc::new(move |_: &LogRecord<'_>| {
            *counted.lock().unwrap() += 1;
            panic!("log handler bug");
        }));
        let mut log = StderrLog::new("p".into(), sink, 64);
        log.write(b"one\ntwo\nthree\n");
        assert_eq!(*calls.lock().unwrap(), 1);
        assert_eq!(log.tail(), "one\ntwo\nthree\n");
    }

    #[test]
    fn an_unbounded_tail_does_not_overflow() {
        let (mut log, _) = collecting(usize::MAX);
        log.write(b"kept\n");
        assert_eq!(log.tail(), "kept\n");
    }
}
