//! Running a module as an ordinary WASI command (`Plugin::run_command`):
//! stdin comes from an asynchronous byte source, stdout and stderr go to
//! writers unchanged; nothing is parsed as JSON-RPC. A read of stdin with
//! nothing buffered suspends the instance until the source has bytes (or
//! ends), so a program waiting on a terminal costs no CPU.

use core::{
    pin::Pin,
    task::{Context, Poll},
};
use std::io::{self, Write};

use futures::io::AsyncRead;

use crate::{MaybeSend, wasi::StdinState};

/// Bytes taken from stdin per read of the source.
const READ_CHUNK: usize = 64 << 10;

/// A byte source a command's stdin can read.
trait Input: AsyncRead + MaybeSend {}
impl<T: AsyncRead + MaybeSend + ?Sized> Input for T {}

/// A writer a command's stdout or stderr can go to.
trait Output: Write + MaybeSend {}
impl<T: Write + MaybeSend + ?Sized> Output for T {}

/// The standard streams of a command run by
/// [`Plugin::run_command`](crate::Plugin::run_command).
///
/// ```
/// use wasmi_hdk::CommandIo;
///
/// // stdin from bytes; stdout and stderr to the process's own.
/// let io = CommandIo::new(&b"hello\n"[..], std::io::stdout(), std::io::stderr());
/// # drop(io);
/// ```
pub struct CommandIo {
    stdin: Pin<Box<dyn Input>>,
    stdout: Box<dyn Output>,
    stderr: Box<dyn Output>,
}

impl CommandIo {
    /// stdin read from `stdin` (any [`AsyncRead`], e.g. `&[u8]` or an
    /// adapter over a terminal), stdout and stderr written to `stdout`
    /// and `stderr` as the program writes them (each write is flushed).
    pub fn new(
        stdin: impl AsyncRead + MaybeSend + 'static,
        stdout: impl Write + MaybeSend + 'static,
        stderr: impl Write + MaybeSend + 'static,
    ) -> Self {
        Self {
            stdin: Box::pin(stdin),
            stdout: Box::new(stdout),
            stderr: Box::new(stderr),
        }
    }

    /// Splits into the source the run loop polls and the part the
    /// instance's WASI calls use.
    pub(crate) fn split(self) -> (StdinSource, CommandStdio) {
        let stdio = CommandStdio {
            buffered: Vec::new(),
            read_at: 0,
            eof: false,
            stdout: self.stdout,
            stderr: self.stderr,
            output_error: None,
        };
        (StdinSource(self.stdin), stdio)
    }
}

impl core::fmt::Debug for CommandIo {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("CommandIo")
    }
}

/// The command's stdin source, polled by the run loop while the instance
/// waits for input.
pub(crate) struct StdinSource(Pin<Box<dyn Input>>);

impl StdinSource {
    /// Reads the next chunk into `stdio` (an error or 0 bytes: end of input).
    pub(crate) fn poll_fill(&mut self, cx: &mut Context<'_>, stdio: &mut CommandStdio) -> Poll<()> {
        let mut chunk = vec![0; READ_CHUNK];
        match self.0.as_mut().poll_read(cx, &mut chunk) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(n)) if n > 0 => {
                chunk.truncate(n);
                stdio.buffered = chunk;
                stdio.read_at = 0;
                Poll::Ready(())
            }
            Poll::Ready(_) => {
                stdio.eof = true;
                Poll::Ready(())
            }
        }
    }
}

/// The streams as the instance sees them: stdin bytes read from the
/// source and not yet taken, and the writers.
pub(crate) struct CommandStdio {
    buffered: Vec<u8>,
    read_at: usize,
    eof: bool,
    stdout: Box<dyn Output>,
    stderr: Box<dyn Output>,
    /// The first failed write to stdout (the reader went away, say).
    pub(crate) output_error: Option<io::Error>,
}

impl core::fmt::Debug for CommandStdio {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CommandStdio")
            .field("buffered", &(self.buffered.len() - self.read_at))
            .field("eof", &self.eof)
            .finish_non_exhaustive()
    }
}

impl CommandStdio {
    pub(crate) fn stdin_state(&self) -> StdinState {
        if self.read_at < self.buffered.len() {
            StdinState::Ready
        } else if self.eof {
            StdinState::Eof
        } else {
            StdinState::Pending
        }
    }

    pub(crate) fn stdin_len(&self) -> usize {
        self.buffered.len() - self.read_at
    }

    pub(crate) fn read_stdin(&mut self, dst: &mut [u8]) -> usize {
        let waiting = &self.buffered[self.read_at..];
        let n = waiting.len().min(dst.len());
        dst[..n].copy_from_slice(&waiting[..n]);
        self.read_at += n;
        n
    }

    /// Writes to stdout; `false` once stdout has failed (the program is
    /// then stopped, as a closed pipe stops a process).
    pub(crate) fn write_stdout(&mut self, bytes: &[u8]) -> bool {
        if self.output_error.is_some() {
            return false;
        }
        match self
            .stdout
            .write_all(bytes)
            .and_then(|()| self.stdout.flush())
        {
            Ok(()) => true,
            Err(error) => {
                self.output_error = Some(error);
                false
            }
        }
    }

    /// Writes to stderr; a failure is ignored (there is nowhere to report it).
    pub(crate) fn write_stderr(&mut self, bytes: &[u8]) {
        let _ = self
            .stderr
            .write_all(bytes)
            .and_then(|()| self.stderr.flush());
    }
}
