//! The messages of one call, and their bookkeeping in one place.
//!
//! The host writes the request to the plugin's stdin; the plugin writes
//! lines to stdout: host calls and notifications (which the run loop takes
//! with [`Exchange::take_outgoing`] and answers with [`Exchange::deliver`])
//! and, once, its answer. Everything the host holds for the plugin counts
//! in a backlog with one limit; when nothing more can arrive, the run loop
//! says so ([`Exchange::close_input`]) and the plugin's reads see EOF.

use serde_json::Value;
use wasmi_plugin_protocol::{Dialect, Id, Message, MessageError, Response, RpcError};

use super::{
    stdin::StdinPipe,
    stdout::{LineSplitter, LineTooLong},
};
use crate::{
    ProtocolViolation,
    wasi::{StdinState, StopReason},
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

/// A request or notification the plugin sent to its host.
#[derive(Debug)]
pub(crate) struct HostRequest {
    /// The plugin's id for it; `None` for a notification.
    pub(crate) id: Option<Id>,
    pub(crate) method: String,
    pub(crate) params: Option<Value>,
    /// What it counts in the backlog until its answer is delivered.
    pub(crate) cost: usize,
}

/// The host's answer to a [`HostRequest`].
#[derive(Debug)]
pub(crate) struct HostAnswer {
    pub(crate) id: Option<Id>,
    pub(crate) cost: usize,
    pub(crate) outcome: Result<Value, RpcError>,
}

/// What the exchange saw, for the call's report.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct ExchangeCounts {
    pub(crate) bytes_in: u64,
    pub(crate) bytes_out: u64,
    pub(crate) host_calls: u32,
    pub(crate) notifications: u32,
}

/// The messages of one call: the plugin's stdin and stdout and what was
/// said on them.
#[derive(Debug)]
pub(crate) struct Exchange {
    stdin: StdinPipe,
    stdout: LineSplitter,
    ledger: Ledger,
}

/// Everything about the messages but the pipes' bytes.
#[derive(Debug)]
struct Ledger {
    dialect: Dialect,
    max_message: usize,
    /// The plugin's answer, once written.
    response: Option<Result<Value, RpcError>>,
    /// Messages read from stdout and not taken by the run loop yet.
    outgoing: Vec<HostRequest>,
    /// Bytes of the plugin's messages the host has not finished serving.
    backlog: usize,
    /// Plugin requests taken but not answered yet.
    awaiting: usize,
    /// No answer will be delivered any more.
    input_closed: bool,
    counts: ExchangeCounts,
}

impl Exchange {
    /// The exchange of a call whose request is `request_line` (without its
    /// newline), read in `dialect`, with lines of at most `max_message` bytes.
    pub(crate) fn new(mut request_line: Vec<u8>, max_message: usize, dialect: Dialect) -> Self {
        request_line.push(b'\n');
        let counts = ExchangeCounts {
            bytes_in: request_line.len() as u64,
            ..ExchangeCounts::default()
        };
        Self {
            stdin: StdinPipe::new(request_line),
            stdout: LineSplitter::new(max_message),
            ledger: Ledger {
                dialect,
                max_message,
                response: None,
                outgoing: Vec::new(),
                backlog: 0,
                awaiting: 0,
                input_closed: false,
                counts,
            },
        }
    }

    /// What a read of stdin would find now.
    pub(crate) fn stdin_state(&self) -> StdinState {
        let ledger = &self.ledger;
        if ledger.response.is_some() {
            StdinState::Finished
        } else if self.stdin.unread() > 0 {
            StdinState::Ready
        } else if !ledger.input_closed && (ledger.awaiting > 0 || !ledger.outgoing.is_empty()) {
            StdinState::Pending
        } else {
            StdinState::Eof
        }
    }

    /// Bytes waiting on stdin.
    pub(crate) fn stdin_len(&self) -> usize {
        self.stdin.unread()
    }

    /// The plugin reads up to `dst.len()` bytes of stdin.
    pub(crate) fn read_stdin(&mut self, dst: &mut [u8]) -> usize {
        self.stdin.read(dst)
    }

    /// The plugin writes `bytes` to stdout; every line they complete is
    /// read as a message. `Err` says why the instance must stop.
    pub(crate) fn write_stdout(&mut self, bytes: &[u8]) -> Result<(), StopReason> {
        self.ledger.counts.bytes_out += bytes.len() as u64;
        let stdin = &self.stdin;
        let ledger = &mut self.ledger;
        let limit = ledger.max_message;
        match self
            .stdout
            .feed(bytes, |line| ledger.take_line(line, stdin.unread()))
        {
            Ok(()) => Ok(()),
            Err(LineError::TooLong) => {
                Err(StopReason::Violation(ProtocolViolation::MessageTooLarge {
                    limit,
                }))
            }
            Err(LineError::Stop(reason)) => Err(reason),
        }
    }

    /// The requests and notifications the plugin wrote since the last call.
    pub(crate) fn take_outgoing(&mut self) -> Vec<HostRequest> {
        core::mem::take(&mut self.ledger.outgoing)
    }

    /// Moves the requests and notifications the plugin wrote since the last
    /// call to the end of `batch`, and keeps `batch`'s buffer if it is the
    /// larger: a caller that hands back the same, drained, vector each
    /// time allocates for the first message only.
    pub(crate) fn take_outgoing_into(&mut self, batch: &mut Vec<HostRequest>) {
        let outgoing = &mut self.ledger.outgoing;
        if batch.is_empty() && batch.capacity() >= outgoing.capacity() {
            core::mem::swap(batch, outgoing);
        } else {
            batch.append(outgoing);
        }
    }

    /// Whether requests or notifications wait to be taken.
    #[cfg(test)]
    pub(crate) fn has_outgoing(&self) -> bool {
        !self.ledger.outgoing.is_empty()
    }

    /// Hands the plugin the host's answer (a notification's outcome is only
    /// logged). An answer longer than the message limit is replaced by an
    /// error saying so.
    ///
    /// # Errors
    ///
    /// [`ProtocolViolation::HostCallBacklog`] if the answers the plugin has
    /// not read and the calls still served exceed the backlog limit.
    pub(crate) fn deliver(&mut self, answer: HostAnswer) -> Result<(), ProtocolViolation> {
        let ledger = &mut self.ledger;
        ledger.backlog = ledger.backlog.saturating_sub(answer.cost);
        let Some(id) = answer.id else {
            if let Err(e) = answer.outcome {
                tracing::debug!("host notification handler failed: {e}");
            }
            return Ok(());
        };
        ledger.awaiting = ledger.awaiting.saturating_sub(1);
        let max = ledger.max_message;
        let response = Response {
            id,
            outcome: answer.outcome,
        };
        let written = self.stdin.push_line(
            max,
            |out| response.write_line(out),
            |out, len| {
                Response {
                    id: response.id.clone(),
                    outcome: Err(RpcError::internal(format!(
                        "the host's answer ({len} bytes) exceeds the message limit ({max} bytes)"
                    ))),
                }
                .write_line(out);
            },
        );
        ledger.counts.bytes_in += written as u64;
        ledger.check_backlog(0, self.stdin.unread())
    }

    /// No answer will come any more: the plugin's next read of an empty
    /// stdin sees EOF instead of waiting.
    pub(crate) fn close_input(&mut self) {
        self.ledger.input_closed = true;
    }

    /// Whether the plugin has written its answer.
    pub(crate) fn has_answered(&self) -> bool {
        self.ledger.response.is_some()
    }

    /// The plugin's answer, if it wrote one.
    pub(crate) fn take_response(&mut self) -> Option<Result<Value, RpcError>> {
        self.ledger.response.take()
    }

    /// What the exchange saw.
    pub(crate) fn counts(&self) -> ExchangeCounts {
        self.ledger.counts
    }
}

/// [`LineTooLong`] or the reason a line stopped the instance.
enum LineError {
    TooLong,
    Stop(StopReason),
}

impl From<LineTooLong> for LineError {
    fn from(_: LineTooLong) -> Self {
        Self::TooLong
    }
}

impl Ledger {
    /// Fails once what the host holds for the plugin, plus `adding`, would
    /// exceed the backlog limit.
    fn check_backlog(&self, adding: usize, stdin_unread: usize) -> Result<(), ProtocolViolation> {
        let limit = backlog_limit(self.max_message);
        if self.backlog + adding + stdin_unread > limit {
            return Err(ProtocolViolation::HostCallBacklog { limit });
        }
        Ok(())
    }

    /// Queues a message of the plugin for the host, within the backlog.
    fn queue(
        &mut self,
        id: Option<Id>,
        method: String,
        params: Option<Value>,
        len: usize,
        stdin_unread: usize,
    ) -> Result<(), LineError> {
        let cost = len + MESSAGE_OVERHEAD;
        self.check_backlog(cost, stdin_unread)
            .map_err(|v| LineError::Stop(StopReason::Violation(v)))?;
        self.backlog += cost;
        self.outgoing.push(HostRequest {
            id,
            method,
            params,
            cost,
        });
        Ok(())
    }

    /// Reads one complete stdout line.
    fn take_line(&mut self, line: &[u8], stdin_unread: usize) -> Result<(), LineError> {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        let violation = |v| Err(LineError::Stop(StopReason::Violation(v)));
        let quote = || String::from_utf8_lossy(&line[..line.len().min(QUOTE_LEN)]).into_owned();
        match self.dialect.parse_line(line) {
            Ok(Message::Response(Response { id, outcome })) => {
                if self.response.is_some() {
                    return violation(ProtocolViolation::DuplicateResponse);
                }
                if id != Id::Number(REQUEST_ID) {
                    return violation(ProtocolViolation::WrongResponseId {
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
            Ok(Message::Request(r)) => {
                self.queue(Some(r.id), r.method, r.params, line.len(), stdin_unread)?;
                self.counts.host_calls = self.counts.host_calls.saturating_add(1);
                self.awaiting += 1;
            }
            Ok(Message::Notification(n)) => {
                self.queue(None, n.method, n.params, line.len(), stdin_unread)?;
                self.counts.notifications = self.counts.notifications.saturating_add(1);
            }
            // JSON, but not a message (an id of 1.0, a duplicate member):
            // invalid rather than not JSON.
            Err(MessageError::Json(e))
                if serde_json::from_slice::<serde::de::IgnoredAny>(line).is_ok() =>
            {
                return violation(ProtocolViolation::InvalidMessage {
                    line: quote(),
                    reason: e.to_string(),
                });
            }
            Err(MessageError::Json(e)) => {
                return violation(ProtocolViolation::NotJson {
                    line: quote(),
                    error: e.to_string(),
                });
            }
            Err(MessageError::Invalid(reason)) => {
                return violation(ProtocolViolation::InvalidMessage {
                    line: quote(),
                    reason: reason.to_owned(),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn exchange() -> Exchange {
        Exchange::new(
            br#"{"jsonrpc":"2.0","id":1,"method":"m"}"#.to_vec(),
            1 << 10,
            Dialect::JsonRpc,
        )
    }

    fn read_all(exchange: &mut Exchange) -> String {
        let mut buffer = vec![0; exchange.stdin_len()];
        let n = exchange.read_stdin(&mut buffer);
        String::from_utf8(buffer[..n].to_vec()).unwrap()
    }

    fn violation(result: Result<(), StopReason>) -> ProtocolViolation {
        match result {
            Err(StopReason::Violation(v)) => v,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_call_with_one_host_request_end_to_end() {
        let mut ex = exchange();
        assert_eq!(ex.stdin_state(), StdinState::Ready);
        assert!(read_all(&mut ex).contains(r#""method":"m""#));
        assert_eq!(ex.stdin_state(), StdinState::Eof);
        // A host call split across two writes, then a notification.
        ex.write_stdout(br#"{"jsonrpc":"2.0","id":7,"#).unwrap();
        ex.write_stdout(
            b"\"method\":\"host.echo\",\"params\":[1]}\n{\"jsonrpc\":\"2.0\",\"method\":\"n\"}\n",
        )
        .unwrap();
        assert_eq!(ex.stdin_state(), StdinState::Pending);
        let taken = ex.take_outgoing();
        assert_eq!(taken.len(), 2);
        assert_eq!(
            (taken[0].id.clone(), taken[0].method.as_str()),
            (Some(Id::Number(7)), "host.echo")
        );
        assert_eq!(taken[1].id, None);
        assert_eq!(ex.stdin_state(), StdinState::Pending);
        let mut answers = taken.into_iter().map(|r| HostAnswer {
            id: r.id,
            cost: r.cost,
            outcome: Ok(json!("ok")),
        });
        ex.deliver(answers.next().unwrap()).unwrap();
        ex.deliver(answers.next().unwrap()).unwrap();
        assert_eq!(ex.stdin_state(), StdinState::Ready);
        assert_eq!(
            read_all(&mut ex),
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":\"ok\"}\n"
        );
        assert_eq!(ex.stdin_state(), StdinState::Eof);
        ex.write_stdout(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":5}\n")
            .unwrap();
        assert!(ex.has_answered());
        assert_eq!(ex.stdin_state(), StdinState::Finished);
        // Messages after the answer are not served.
        ex.write_stdout(b"{\"jsonrpc\":\"2.0\",\"method\":\"late\"}\n")
            .unwrap();
        assert!(!ex.has_outgoing());
        let counts = ex.counts();
        assert_eq!((counts.host_calls, counts.notifications), (1, 1));
        assert_eq!(ex.take_response(), Some(Ok(json!(5))));
    }

    #[test]
    fn batches_taken_into_one_vector_reuse_two_buffers() {
        let mut ex = exchange();
        read_all(&mut ex);
        let mut batch = Vec::new();
        let request = b"{\"jsonrpc\":\"2.0\",\"method\":\"n\"}\n";
        let mut buffers = std::collections::BTreeSet::new();
        for round in 0..6 {
            batch.clear();
            ex.write_stdout(request).unwrap();
            ex.write_stdout(request).unwrap();
            ex.take_outgoing_into(&mut batch);
            assert_eq!(batch.len(), 2, "round {round}");
            if round > 0 {
                buffers.insert(batch.as_ptr() as usize);
            }
        }
        // After the first round the exchange and the batch trade two buffers.
        assert!(buffers.len() <= 2, "{buffers:?}");
        // Taken into a batch that is not empty: appended, nothing lost.
        ex.write_stdout(request).unwrap();
        ex.take_outgoing_into(&mut batch);
        assert_eq!(batch.len(), 3);
        assert!(!ex.has_outgoing());
    }

    #[test]
    fn closing_the_input_turns_a_wait_into_eof() {
        let mut ex = exchange();
        read_all(&mut ex);
        ex.write_stdout(b"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"h\"}\n")
            .unwrap();
        assert_eq!(ex.stdin_state(), StdinState::Pending);
        ex.take_outgoing();
        assert_eq!(ex.stdin_state(), StdinState::Pending);
        ex.close_input();
        assert_eq!(ex.stdin_state(), StdinState::Eof);
    }

    #[test]
    fn each_violation_of_the_lines() {
        type Expect = fn(&ProtocolViolation) -> bool;
        let cases: [(&[u8], Expect); 5] = [
            (b"not json\n", |v| matches!(v, ProtocolViolation::NotJson { .. })),
            (b"{\"id\":1}\n", |v| matches!(v, ProtocolViolation::InvalidMessage { .. })),
            (b"{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":1}\n", |v| {
                matches!(v, ProtocolViolation::WrongResponseId { .. })
            }),
            (b"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":1}\n{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":1}\n", |v| {
                *v == ProtocolViolation::DuplicateResponse
            }),
            (&[b'x'; 2000], |v| *v == ProtocolViolation::MessageTooLarge { limit: 1 << 10 }),
        ];
        for (bytes, expected) in cases {
            let v = violation(exchange().write_stdout(bytes));
            assert!(expected(&v), "{v:?}");
        }
        // Blank lines and a CR before the newline are fine.
        let mut ex = exchange();
        ex.write_stdout(b"\n  \r\n{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":1}\r\n")
            .unwrap();
        assert!(ex.has_answered());
    }

    #[test]
    fn requests_and_unread_answers_share_one_backlog() {
        // Max message 1 KiB: the backlog limit is its floor, 16 MiB.
        let limit = backlog_limit(1 << 10);
        let mut ex = exchange();
        read_all(&mut ex);
        let request = b"{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"h\"}\n";
        let per_message = request.len() - 1 + MESSAGE_OVERHEAD;
        let mut queued = 0;
        let outcome = loop {
            match ex.write_stdout(request) {
                Ok(()) => queued += 1,
                Err(reason) => break reason,
            }
        };
        assert_eq!(
            outcome,
            StopReason::Violation(ProtocolViolation::HostCallBacklog { limit })
        );
        assert_eq!(queued, limit / per_message);
        // Serving them frees the backlog, unread answers fill it again.
        let mut ex = exchange();
        read_all(&mut ex);
        ex.write_stdout(request).unwrap();
        let taken = ex.take_outgoing().pop().unwrap();
        let huge = "x".repeat(900);
        ex.deliver(HostAnswer {
            id: taken.id,
            cost: taken.cost,
            outcome: Ok(json!(huge)),
        })
        .unwrap();
        assert!(ex.stdin_len() > 900);
    }

    #[test]
    fn an_answer_over_the_message_limit_becomes_an_error() {
        let mut ex = exchange();
        read_all(&mut ex);
        ex.write_stdout(b"{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"h\"}\n")
            .unwrap();
        let taken = ex.take_outgoing().pop().unwrap();
        ex.deliver(HostAnswer {
            id: taken.id,
            cost: taken.cost,
            outcome: Ok(json!("y".repeat(5000))),
        })
        .unwrap();
        let line = read_all(&mut ex);
        assert!(
            line.contains("-32603") && line.contains("exceeds the message limit"),
            "{line}"
        );
    }

    #[test]
    fn the_framework_dialect_accepts_scalar_params() {
        let mut ex = Exchange::new(b"{}".to_vec(), 1 << 10, Dialect::Framework01);
        ex.write_stdout(b"{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"ping\",\"params\":null}\n")
            .unwrap();
        ex.write_stdout(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"sleep\",\"params\":5}\n")
            .unwrap();
        let taken = ex.take_outgoing();
        assert_eq!(taken[0].params, None);
        assert_eq!(taken[1].params, Some(json!(5)));
        let strict = violation(
            exchange()
                .write_stdout(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"s\",\"params\":5}\n"),
        );
        assert!(matches!(strict, ProtocolViolation::InvalidMessage { .. }));
    }
}
