//! A one-task executor for a plugin process.
//!
//! While the task is pending it flushes what the plugin wrote and does a
//! blocking read of the next line from stdin. Inside the host that read
//! suspends the instance until an answer is ready, so the plugin never spins.

use core::{
    cell::{Cell, RefCell},
    future::Future,
    pin::pin,
    task::{Context as TaskContext, Poll, Waker},
};
use std::io::{BufRead, Write};

use serde_json::Value;

use crate::protocol::{Id, Message, Response, RpcError};

/// The outcome of a host call, once its response has arrived.
pub(crate) type HostResult = Result<Value, RpcError>;

#[derive(Default)]
struct State {
    next_id: Cell<i64>,
    /// Host calls sent and not yet taken by their future.
    pending: RefCell<Pending>,
    /// Lines written since the last flush.
    outbox: RefCell<Vec<u8>>,
    /// Set once stdin reached EOF: no answer can arrive any more.
    closed: Cell<bool>,
}

/// One outstanding host call: its answer once it arrived, and who to wake.
#[derive(Default)]
struct Slot {
    answer: Option<HostResult>,
    waker: Option<Waker>,
}

impl Slot {
    fn answer(&mut self, answer: HostResult) {
        self.answer = Some(answer);
        if let Some(waker) = self.waker.take() {
            waker.wake();
        }
    }
}

/// Outstanding host calls by id; a handful at a time, so a small vector.
#[derive(Default)]
struct Pending(Vec<(i64, Slot)>);

impl Pending {
    fn insert(&mut self, id: i64, slot: Slot) {
        self.0.push((id, slot));
    }

    fn get_mut(&mut self, id: &i64) -> Option<&mut Slot> {
        self.0
            .iter_mut()
            .find(|(k, _)| k == id)
            .map(|(_, slot)| slot)
    }

    fn remove(&mut self, id: &i64) {
        self.0.retain(|(k, _)| k != id);
    }

    fn values(&self) -> impl Iterator<Item = &Slot> {
        self.0.iter().map(|(_, slot)| slot)
    }

    fn values_mut(&mut self) -> impl Iterator<Item = &mut Slot> {
        self.0.iter_mut().map(|(_, slot)| slot)
    }
}

thread_local! {
    static STATE: State = State::default();
}

/// Allocates the outbox and the table of pending calls ahead of the first
/// request: called by the initialiser, so that a snapshot holds them.
pub(crate) fn reserve() {
    STATE.with(|s| {
        s.outbox.borrow_mut().reserve(1024);
        s.pending.borrow_mut().0.reserve(8);
    });
}

/// Queues one message line, written by `write`, for the next flush.
pub(crate) fn send(write: impl FnOnce(&mut Vec<u8>)) {
    STATE.with(|s| {
        let mut out = s.outbox.borrow_mut();
        write(&mut out);
        out.push(b'\n');
    });
}

/// Queues one message line, written by `write`, for the next flush, unless
/// `write` fails (having written nothing).
pub(crate) fn try_send<E>(write: impl FnOnce(&mut Vec<u8>) -> Result<(), E>) -> Result<(), E> {
    STATE.with(|s| {
        let mut out = s.outbox.borrow_mut();
        write(&mut out)?;
        out.push(b'\n');
        Ok(())
    })
}

/// The id the next host call gets.
pub(crate) fn next_call_id() -> i64 {
    STATE.with(|s| s.next_id.get() + 1)
}

/// Marks host call `id` (from [`next_call_id`]) outstanding.
pub(crate) fn register_call(id: i64) {
    STATE.with(|s| {
        s.next_id.set(id);
        let answer = s
            .closed
            .get()
            .then(|| Err(RpcError::internal("the host closed stdin")));
        s.pending.borrow_mut().insert(
            id,
            Slot {
                answer,
                waker: None,
            },
        );
    });
}

/// Takes the answer of host call `id` if it has arrived, otherwise
/// remembers `waker` to wake when it does.
pub(crate) fn take_answer(id: i64, waker: &Waker) -> Option<HostResult> {
    STATE.with(|s| {
        let mut pending = s.pending.borrow_mut();
        let slot = pending.get_mut(&id)?;
        match slot.answer.take() {
            Some(answer) => {
                pending.remove(&id);
                Some(answer)
            }
            None => {
                slot.waker = Some(waker.clone());
                None
            }
        }
    })
}

/// Forgets host call `id` (its future was dropped); a late answer is ignored.
pub(crate) fn forget_call(id: i64) {
    STATE.with(|s| s.pending.borrow_mut().remove(&id));
}

fn has_unanswered_calls() -> bool {
    STATE.with(|s| {
        s.pending
            .borrow()
            .values()
            .any(|slot| slot.answer.is_none())
    })
}

/// Writes everything queued to `output` and flushes it.
pub(crate) fn flush(output: &mut dyn Write) -> std::io::Result<()> {
    STATE.with(|s| {
        let mut outbox = s.outbox.borrow_mut();
        if !outbox.is_empty() {
            let written = output.write_all(&outbox);
            // Keep the buffer's capacity for the next message.
            outbox.clear();
            written?;
        }
        output.flush()
    })
}

/// Reads one line into `line` (cleared first); `false` at EOF or on error.
pub(crate) fn read_line(input: &mut dyn BufRead, line: &mut Vec<u8>) -> bool {
    line.clear();
    matches!(input.read_until(b'\n', line), Ok(n) if n > 0)
}

/// `line` without its trailing `\n` or `\r\n`.
pub(crate) fn trim_newline(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Runs `fut` to completion, reading host answers from `input` while it waits.
///
/// Returns an internal error if the future waits on something that is not a
/// host call (nothing could ever wake it), instead of blocking forever.
pub(crate) fn block_on<F: Future<Output = HostResult>>(
    fut: F,
    input: &mut dyn BufRead,
    output: &mut dyn Write,
) -> HostResult {
    let mut fut = pin!(fut);
    let mut cx = TaskContext::from_waker(Waker::noop());
    let mut line = Vec::new();
    loop {
        if let Poll::Ready(result) = fut.as_mut().poll(&mut cx) {
            return result;
        }
        if !has_unanswered_calls() {
            return Err(RpcError::internal(
                "the handler is waiting on something other than a host call",
            ));
        }
        flush(output).map_err(RpcError::internal)?;
        if read_line(input, &mut line) {
            dispatch(trim_newline(&line));
        } else {
            close();
        }
    }
}

/// Routes one line that arrived while a request is being handled.
fn dispatch(line: &[u8]) {
    if line.trim_ascii().is_empty() {
        return;
    }
    match Message::from_slice(line) {
        Ok(Message::Response(Response {
            id: Id::Number(id),
            outcome,
        })) => STATE.with(|s| {
            if let Some(slot) = s.pending.borrow_mut().get_mut(&id) {
                slot.answer(outcome);
            }
        }),
        // A stray answer (unknown or non-numeric id) or a notification: nothing waits for it.
        Ok(Message::Response(_) | Message::Notification(_)) => {}
        Ok(Message::Request(req)) => send(|out| {
            Response {
                id: req.id,
                outcome: Err(RpcError::invalid_request(
                    "the plugin is busy with another request",
                )),
            }
            .write_line(out);
        }),
        Err(e) => send(|out| {
            Response {
                id: Id::Null,
                outcome: Err(e.to_rpc_error()),
            }
            .write_line(out);
        }),
    }
}

/// Stdin ended: every outstanding call fails, and so will new ones.
fn close() {
    STATE.with(|s| {
        s.closed.set(true);
        for slot in s.pending.borrow_mut().values_mut() {
            if slot.answer.is_none() {
                slot.answer(Err(RpcError::internal("the host closed stdin")));
            }
        }
    });
}
