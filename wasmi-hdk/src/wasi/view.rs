//! What the WASI layer needs from the instance state it runs against.

use wasmi::Memory;

use crate::{ProtocolViolation, runtime::Instant};

/// Why the host stops an instance before its code ends by itself.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum StopReason {
    /// The plugin has answered its request and now waits for more input:
    /// nothing more is needed from it.
    Answered,
    /// The plugin broke the protocol.
    Violation(ProtocolViolation),
    /// The plugin did what its initialiser may not (pre-initialisation):
    /// wait for input or time, or talk to its host. The text says what.
    Forbidden(String),
    /// A command's stdout failed (its reader went away): the command is
    /// stopped, as a closed pipe stops a process.
    OutputClosed,
}

/// What a read of stdin finds right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StdinState {
    /// Bytes are waiting to be read.
    Ready,
    /// Nothing is waiting and nothing will come: reads return 0 (EOF).
    Eof,
    /// Nothing is waiting yet, but an answer will come: suspend the instance.
    Pending,
    /// The plugin has answered and now waits for more: stop the instance.
    Finished,
}

/// An operation the instance is suspended in, completed when it resumes.
#[derive(Debug, Clone)]
pub(crate) enum Blocked {
    /// `fd_read` on stdin: `(iovs, iovs_len, nread_ptr)`.
    Read {
        iovs: u32,
        iovs_len: u32,
        nread: u32,
    },
    /// `poll_oneoff` that found nothing ready.
    Poll(super::poll::PendingPoll),
}

/// The state behind the WASI imports: the virtual stdio pipes, clocks,
/// argv and environment of one instance.
pub(crate) trait WasiView: crate::MaybeSend + 'static {
    /// The instance's exported memory, once known.
    fn memory(&self) -> Option<Memory>;
    /// When the instance started (process/thread CPU clocks count from here).
    fn started(&self) -> Instant;
    /// argv as NUL-terminated strings.
    fn args(&self) -> &[Box<[u8]>];
    /// `KEY=VALUE` entries as NUL-terminated strings.
    fn environ(&self) -> &[Box<[u8]>];
    /// What a read of stdin would find now.
    fn stdin_state(&self) -> StdinState;
    /// How many stdin bytes are waiting.
    fn stdin_len(&self) -> usize;
    /// Moves up to `dst.len()` waiting stdin bytes into `dst`.
    fn read_stdin(&mut self, dst: &mut [u8]) -> usize;
    /// Takes bytes the plugin wrote to stdout; `Err` stops the instance.
    fn write_stdout(&mut self, bytes: &[u8]) -> Result<(), StopReason>;
    /// Takes bytes the plugin wrote to stderr.
    fn write_stderr(&mut self, bytes: &[u8]);
    /// Records the operation the instance is about to suspend in.
    fn block(&mut self, blocked: Blocked);
    /// Records fuel a WASI call charged beyond what was left in the store.
    fn overdraw_fuel(&mut self, fuel: u64);
    /// The instance's files (preopened directories), if the plugin has any.
    fn files(&mut self) -> Option<&mut crate::files::Files> {
        None
    }
    /// The instance's files, to look at.
    fn files_ref(&self) -> Option<&crate::files::Files> {
        None
    }
    /// Whether the instance runs its initialiser for a snapshot: it may not
    /// wait for input or time, nor talk to its host.
    fn initializing(&self) -> bool {
        false
    }
    /// The time of clock `id` in nanoseconds, when the state fixes it
    /// (deterministic pre-initialisation); `None`: the host's clock.
    fn fixed_clock(&self, _id: u32) -> Option<u64> {
        None
    }
    /// Fills `dst` with random bytes: the host's source, unless the state
    /// draws from a fixed stream (deterministic pre-initialisation).
    fn fill_random(&mut self, dst: &mut [u8]) -> Result<(), ()> {
        crate::runtime::fill_random(dst)
    }
}
