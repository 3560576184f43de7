//! The data of one instance's `Store`: the stdio pipes and what the plugin
//! has said on them so far.

use std::sync::Arc;

use serde_json::Value;
use wasmi::Memory;
use wasmi_plugin_protocol::{Id, Message, MessageError, Response, RpcError};

use super::{limiter::MemoryLimiter, stderr::StderrLog};
use crate::{
    ProtocolViolation,
    runtime::Instant,
    wasi::{Blocked, StdinState, WasiView},
};

/// The id of the one request the host sends per instance.
pub(crate) const REQUEST_ID: i64 = 1;

/// How much of an offending line an error quotes.
const QUOTE_LEN: usize = 200;

/// What the host keeps per request or notification of the plugin beyond
/// its bytes (the parsed message, the running host method), for the backlog.
const MESSAGE_OVERHEAD: usize = 256;

/// The most host-side data one instance may have waiting: its messages the
/// host has not finished serving and the answers it has not read, four
/// messages of the largest size but at least 16 MiB. A plugin that writes
/// requests without ever waiting for answers hits it instead of growing the
/// host's memory without bound.
pub(crate) fn backlog_limit(max_message: usize) -> usize {
    max_message.saturating_mul(4).max(16 << 20)
}

/// argv and environment, prepared once per plugin as NUL-terminated strings.
#[derive(Debug, Default)]
pub(crate) struct WasiEnv {
    pub(crate) args: Vec<Box<[u8]>>,
    pub(crate) environ: Vec<Box<[u8]>>,
}

impl WasiEnv {
    pub(crate) fn new<'a>(
        args: impl IntoIterator<Item = &'a str>,
        env: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Self {
        let nul = |s: String| s.into_bytes().into_iter().chain([0]).collect();
        Self {
            args: args.into_iter().map(|a| nul(a.to_owned())).collect(),
            environ: env
                .into_iter()
                .map(|(k, v)| nul(format!("{k}={v}")))
                .collect(),
        }
    }
}

#[derive(Debug)]
pub(crate) struct InstanceState {
    pub(crate) memory: Option<Memory>,
    pub(crate) limiter: MemoryLimiter,
    pub(crate) stderr: StderrLog,
    env: Arc<WasiEnv>,
    started: Instant,
    stdin: Vec<u8>,
    stdin_pos: usize,
    stdout_line: Vec<u8>,
    max_message: usize,
    /// The plugin's answer, once written.
    pub(crate) response: Option<Result<Value, RpcError>>,
    /// Requests and notifications the plugin wrote that the host has not
    /// taken yet, with what each counts in the backlog.
    pub(crate) outgoing: Vec<(Message, usize)>,
    /// Bytes of the plugin's messages the host has not finished serving
    /// (see [`backlog_limit`]).
    pub(crate) backlog: usize,
    /// Plugin requests taken but not yet answered.
    pub(crate) outstanding: usize,
    pub(crate) violation: Option<ProtocolViolation>,
    pub(crate) blocked: Option<Blocked>,
    pub(crate) bytes_in: u64,
    pub(crate) bytes_out: u64,
    pub(crate) host_calls: u32,
    pub(crate) notifications: u32,
    /// Fuel WASI calls charged beyond what was left in their slice.
    pub(crate) fuel_overdraft: u64,
}

impl InstanceState {
    pub(crate) fn new(
        request_line: Vec<u8>,
        env: Arc<WasiEnv>,
        stderr: StderrLog,
        max_memory: usize,
        max_message: usize,
    ) -> Self {
        Self {
            memory: None,
            limiter: MemoryLimiter::new(max_memory),
            stderr,
            env,
            started: crate::runtime::now(),
            bytes_in: request_line.len() as u64,
            stdin: request_line,
            stdin_pos: 0,
            stdout_line: Vec::new(),
            max_message,
            response: None,
            outgoing: Vec::new(),
            backlog: 0,
            outstanding: 0,
            violation: None,
            blocked: None,
            bytes_out: 0,
            host_calls: 0,
            notifications: 0,
            fuel_overdraft: 0,
        }
    }

    /// Queues a line on the plugin's stdin: `write` appends it (without
    /// newline) unless it would be longer than `max`, in which case
    /// `instead` writes a replacement. Returns the line's length.
    pub(crate) fn push_stdin_line(
        &mut self,
        max: usize,
        write: impl FnOnce(&mut Vec<u8>),
        instead: impl FnOnce(&mut Vec<u8>, usize),
    ) {
        // Drop what the plugin has read once it is at least half of the
        // buffer, so the buffer stays within twice what is unread (which
        // the backlog bounds), at an amortised cost of one copy per byte.
        if self.stdin_pos > 0 && self.stdin_pos >= self.stdin.len() / 2 {
            self.stdin.drain(..self.stdin_pos);
            self.stdin_pos = 0;
        }
        let start = self.stdin.len();
        write(&mut self.stdin);
        let len = self.stdin.len() - start;
        if len > max {
            self.stdin.truncate(start);
            instead(&mut self.stdin, len);
        }
        self.stdin.push(b'\n');
        self.bytes_in += (self.stdin.len() - start) as u64;
    }

    fn violate(&mut self, violation: ProtocolViolation) -> Result<(), ()> {
        self.violation.get_or_insert(violation);
        Err(())
    }

    /// Reads one complete stdout line.
    fn take_line(&mut self, line: &[u8]) -> Result<(), ()> {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        let quote = || String::from_utf8_lossy(&line[..line.len().min(QUOTE_LEN)]).into_owned();
        match Message::from_slice(line) {
            Ok(Message::Response(Response { id, outcome })) => {
                if self.response.is_some() {
                    return self.violate(ProtocolViolation::DuplicateResponse);
                }
                if id != Id::Number(REQUEST_ID) {
                    return self.violate(ProtocolViolation::WrongResponseId {
                        expected: Id::Number(REQUEST_ID),
                        got: id,
                    });
                }
                self.response = Some(outcome);
            }
            Ok(Message::Request(_) | Message::Notification(_)) if self.response.is_some() => {
                // After its answer a plugin may write nothing more (PROTOCOL.md §2):
                // the call is over, so nothing is served.
                tracing::debug!("ignored a message written after the response");
            }
            Ok(message @ (Message::Request(_) | Message::Notification(_))) => {
                let cost = line.len() + MESSAGE_OVERHEAD;
                let limit = backlog_limit(self.max_message);
                if self.backlog + cost + self.stdin_len() > limit {
                    return self.violate(ProtocolViolation::HostCallBacklog { limit });
                }
                if matches!(message, Message::Request(_)) {
                    self.host_calls = self.host_calls.saturating_add(1);
                    self.outstanding += 1;
                } else {
                    self.notifications = self.notifications.saturating_add(1);
                }
                self.backlog += cost;
                self.outgoing.push((message, cost));
            }
            // JSON, but not a message (an id of 1.0, a duplicate member):
            // invalid rather than not JSON.
            Err(MessageError::Json(e))
                if serde_json::from_slice::<serde::de::IgnoredAny>(line).is_ok() =>
            {
                return self.violate(ProtocolViolation::InvalidMessage {
                    line: quote(),
                    reason: e.to_string(),
                });
            }
            Err(MessageError::Json(e)) => {
                return self.violate(ProtocolViolation::NotJson {
                    line: quote(),
                    error: e.to_string(),
                });
            }
            Err(MessageError::Invalid(reason)) => {
                return self.violate(ProtocolViolation::InvalidMessage {
                    line: quote(),
                    reason: reason.to_owned(),
                });
            }
        }
        Ok(())
    }
}

impl WasiView for InstanceState {
    fn memory(&self) -> Option<Memory> {
        self.memory
    }

    fn started(&self) -> Instant {
        self.started
    }

    fn args(&self) -> &[Box<[u8]>] {
        &self.env.args
    }

    fn environ(&self) -> &[Box<[u8]>] {
        &self.env.environ
    }

    fn stdin_state(&self) -> StdinState {
        if self.response.is_some() {
            StdinState::Finished
        } else if self.stdin_pos < self.stdin.len() {
            StdinState::Ready
        } else if self.outstanding > 0 || !self.outgoing.is_empty() {
            StdinState::Pending
        } else {
            StdinState::Eof
        }
    }

    fn stdin_len(&self) -> usize {
        self.stdin.len() - self.stdin_pos
    }

    fn read_stdin(&mut self, dst: &mut [u8]) -> usize {
        let waiting = &self.stdin[self.stdin_pos..];
        let n = waiting.len().min(dst.len());
        dst[..n].copy_from_slice(&waiting[..n]);
        self.stdin_pos += n;
        n
    }

    fn write_stdout(&mut self, mut bytes: &[u8]) -> Result<(), ()> {
        self.bytes_out += bytes.len() as u64;
        while let Some(newline) = memchr::memchr(b'\n', bytes) {
            let (head, rest) = (&bytes[..newline], &bytes[newline + 1..]);
            bytes = rest;
            if self.stdout_line.is_empty() {
                if head.len() > self.max_message {
                    return self.violate(ProtocolViolation::MessageTooLarge {
                        limit: self.max_message,
                    });
                }
                self.take_line(head)?;
            } else {
                self.stdout_line.extend_from_slice(head);
                let line = core::mem::take(&mut self.stdout_line);
                if line.len() > self.max_message {
                    return self.violate(ProtocolViolation::MessageTooLarge {
                        limit: self.max_message,
                    });
                }
                self.take_line(&line)?;
            }
        }
        if self.stdout_line.len() + bytes.len() > self.max_message {
            return self.violate(ProtocolViolation::MessageTooLarge {
                limit: self.max_message,
            });
        }
        self.stdout_line.extend_from_slice(bytes);
        Ok(())
    }

    fn write_stderr(&mut self, bytes: &[u8]) {
        self.stderr.write(bytes);
    }

    fn block(&mut self, blocked: Blocked) {
        self.blocked = Some(blocked);
    }

    fn overdraw_fuel(&mut self, fuel: u64) {
        self.fuel_overdraft = self.fuel_overdraft.saturating_add(fuel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::LogSink;

    #[test]
    fn stdin_keeps_at_most_twice_what_is_unread() {
        let stderr = StderrLog::new("p".into(), LogSink::default(), 0);
        let mut state = InstanceState::new(
            b"request\n".to_vec(),
            Arc::default(),
            stderr,
            1 << 20,
            1 << 20,
        );
        let mut sink = vec![0u8; 4096];
        // A plugin that always leaves the last 8 bytes unread: without
        // dropping what was read, the buffer would grow by 4 KiB a round.
        for _ in 0..1000 {
            state.push_stdin_line(1 << 20, |out| out.extend([b'a'; 4095]), |_, _| {});
            let unread = state.stdin_len();
            state.read_stdin(&mut sink[..unread - 8]);
            assert!(state.stdin.len() <= 2 * 4096 + 8, "{}", state.stdin.len());
        }
        let mut rest = [0u8; 8];
        assert_eq!(state.read_stdin(&mut rest), 8);
        assert_eq!(&rest, b"aaaaaaa\n");
    }
}
