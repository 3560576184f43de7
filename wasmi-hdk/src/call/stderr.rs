//! The plugin's stderr: split into lines, forwarded as log records, and
//! the last few KiB kept for error reports.

use std::sync::Arc;

use wasmi_pdk::protocol::LogLine;

use crate::{LogRecord, log::LogSink};

/// Longest log line forwarded; the rest of a longer line is dropped.
const MAX_LOG_LINE: usize = 8 << 10;

/// Most log lines one write to stderr forwards; the rest of that write is
/// dropped and reported as one line, so a single write of megabytes of
/// newlines cannot keep the host busy for seconds.
const MAX_LINES_PER_WRITE: usize = 4096;

#[derive(Debug)]
pub(crate) struct StderrLog {
    plugin: Arc<str>,
    sink: LogSink,
    partial: Vec<u8>,
    /// Inside a line that was already cut at `MAX_LOG_LINE`.
    discarding: bool,
    tail: Vec<u8>,
    max_tail: usize,
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
            bytes: 0,
        }
    }

    pub(crate) fn write(&mut self, mut bytes: &[u8]) {
        self.bytes += bytes.len() as u64;
        self.keep_tail(bytes);
        let mut emitted = 0;
        while !bytes.is_empty() {
            if emitted == MAX_LINES_PER_WRITE {
                bytes = self.drop_lines(bytes);
                emitted += 1;
                continue;
            }
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
                    emitted += 1;
                    self.discarding = true;
                }
            }
            if ended {
                if self.discarding {
                    self.discarding = false;
                } else {
                    self.emit();
                    emitted += 1;
                }
            }
        }
    }

    /// Drops the complete lines of `bytes` (the line in progress included)
    /// with one line saying how many; returns what follows the last newline.
    fn drop_lines<'b>(&mut self, bytes: &'b [u8]) -> &'b [u8] {
        let Some(last) = memchr::memrchr(b'\n', bytes) else {
            return bytes;
        };
        let dropped = memchr::memchr_iter(b'\n', &bytes[..=last]).count();
        self.partial.clear();
        self.discarding = false;
        self.partial.extend_from_slice(
            format!(
                "WARN {dropped} log lines dropped: more than {MAX_LINES_PER_WRITE} in one write"
            )
            .as_bytes(),
        );
        self.emit();
        &bytes[last + 1..]
    }

    /// Forwards a last unterminated line, if any.
    pub(crate) fn finish(&mut self) {
        if !self.partial.is_empty() && !self.discarding {
            self.emit();
        }
    }

    fn emit(&mut self) {
        let text = String::from_utf8_lossy(&self.partial);
        let line = LogLine::parse(&text);
        self.sink.emit(&LogRecord {
            plugin: &self.plugin,
            level: line.level,
            target: line.target,
            message: line.message,
        });
        self.partial.clear();
    }

    fn keep_tail(&mut self, bytes: &[u8]) {
        if self.max_tail == 0 {
            return;
        }
        let bytes = &bytes[bytes.len().saturating_sub(self.max_tail)..];
        self.tail.extend_from_slice(bytes);
        if self.tail.len() > 2 * self.max_tail {
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

    use wasmi_pdk::protocol::LogLevel;

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
    fn one_write_forwards_a_bounded_number_of_lines() {
        let (mut log, seen) = collecting(64);
        let mut flood = b"one\n".repeat(MAX_LINES_PER_WRITE + 10);
        flood.extend_from_slice(b"unfinished");
        log.write(&flood);
        log.write(b" line\nnext write\n");
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), MAX_LINES_PER_WRITE + 3);
        assert!(seen[..MAX_LINES_PER_WRITE].iter().all(|(_, m)| m == "one"));
        assert_eq!(
            seen[MAX_LINES_PER_WRITE],
            (
                LogLevel::Warn,
                format!("10 log lines dropped: more than {MAX_LINES_PER_WRITE} in one write")
            )
        );
        assert_eq!(seen[MAX_LINES_PER_WRITE + 1].1, "unfinished line");
        assert_eq!(seen[MAX_LINES_PER_WRITE + 2].1, "next write");
    }
}
