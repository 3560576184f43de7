//! The three virtual stdio pipes (fds 0–2); other descriptors are the
//! plugin's files (`fs.rs`).

use wasmi::{Caller, Error};

use super::{
    Blocked, StdinState, Stop, StopReason, Suspend, WasiView, charge, cost,
    errno::{Errno, WasiResult, errno_of},
    fs,
    memory::GuestMemory,
    with_memory,
};

const STDIN: i32 = 0;
const STDOUT: i32 = 1;
const STDERR: i32 = 2;

const FILETYPE_CHARACTER_DEVICE: u8 = 2;
const RIGHT_FD_READ: u64 = 1 << 1;
const RIGHT_FD_WRITE: u64 = 1 << 6;
const RIGHT_POLL_FD_READWRITE: u64 = 1 << 27;

pub(super) fn is_stdio(fd: i32) -> bool {
    (STDIN..=STDERR).contains(&fd)
}

/// The errno for an operation stdio pipes do not support, and that no
/// other descriptor supports either (sockets).
pub(super) fn unsupported_on(fd: i32, on_stdio: Errno) -> i32 {
    if is_stdio(fd) {
        on_stdio.0
    } else {
        Errno::BADF.0
    }
}

pub(super) fn fd_read<T: WasiView>(
    mut caller: Caller<'_, T>,
    fd: i32,
    iovs: i32,
    iovs_len: i32,
    nread: i32,
) -> Result<i32, Error> {
    if fd != STDIN {
        if is_stdio(fd) {
            return Ok(Errno::BADF.0);
        }
        return Ok(fs::fd_read(
            &mut caller,
            fd,
            iovs as u32,
            iovs_len as u32,
            nread as u32,
        ));
    }
    if caller.data().initializing() {
        let reason = StopReason::Forbidden("reading stdin (`fd_read` on fd 0)".to_owned());
        return Err(Error::host(Stop(reason)));
    }
    let (iovs, iovs_len, nread) = (iovs as u32, iovs_len as u32, nread as u32);
    match caller.data().stdin_state() {
        StdinState::Ready | StdinState::Eof => {
            let before = caller.data().stdin_len();
            // The iovecs walked: as many as the memory can hold at most.
            let mut buffers = 0;
            let errno = errno_of(
                with_memory(&mut caller, |mem, state| {
                    buffers = iovs_len.min(mem.len() / 8);
                    read_into(mem, state, iovs, iovs_len, nread)
                })
                .and_then(|r| r),
            );
            let read = before - caller.data().stdin_len();
            charge(
                &mut caller,
                read as u64 / cost::STDIO_BYTES_PER_FUEL + u64::from(buffers) * cost::ITEM,
            );
            Ok(errno)
        }
        StdinState::Pending => {
            caller.data_mut().block(Blocked::Read {
                iovs,
                iovs_len,
                nread,
            });
            Err(Error::host(Suspend))
        }
        StdinState::Finished => Err(Error::host(Stop(StopReason::Answered))),
    }
}

/// Copies waiting stdin bytes into the iovecs; checks every iovec first so a
/// bad pointer loses no input.
pub(super) fn read_into<T: WasiView>(
    mem: &mut GuestMemory<'_>,
    state: &mut T,
    iovs: u32,
    iovs_len: u32,
    nread: u32,
) -> WasiResult {
    let vecs = mem.iovecs(iovs, iovs_len)?;
    for &(ptr, len) in &vecs {
        mem.slice(ptr, len)?;
    }
    mem.slice(nread, 4)?;
    let mut total: u32 = 0;
    for (ptr, len) in vecs {
        let n = state.read_stdin(mem.slice_mut(ptr, len)?) as u32;
        total += n;
        if n < len {
            break;
        }
    }
    mem.write_u32(nread, total)
}

/// Most lines one `fd_write` takes; the rest is a short write.
const MAX_LINES_PER_WRITE: usize = 4096;

/// Writes the iovecs in order and reports how many bytes it took: all of
/// them, unless the write holds more than [`MAX_LINES_PER_WRITE`] lines or
/// more bytes than the plugin's memory (only iovecs that overlap can). Then
/// it is a short write, which writers built on wasi-libc, Rust, Go and Zig
/// complete by writing the rest. This bounds what one call makes the host
/// do (copy, parse messages, forward log lines) by the memory it was given,
/// so the timeout and cancellation act between calls.
pub(super) fn fd_write<T: WasiView>(
    mut caller: Caller<'_, T>,
    fd: i32,
    iovs: i32,
    iovs_len: i32,
    nwritten: i32,
) -> Result<i32, Error> {
    if fd != STDOUT && fd != STDERR {
        if is_stdio(fd) {
            return Ok(Errno::BADF.0);
        }
        return Ok(fs::fd_write(
            &mut caller,
            fd,
            iovs as u32,
            iovs_len as u32,
            nwritten as u32,
        ));
    }
    let (iovs, count, nwritten) = (iovs as u32, iovs_len as u32, nwritten as u32);
    // What the call handled, to charge for it: iovecs walked, bytes, lines.
    let mut work = (0u64, 0u64, 0u64);
    let outcome = with_memory(&mut caller, |mem, state| {
        // Check every iovec first, so a bad pointer loses no output.
        mem.slice(iovs, count.checked_mul(8).ok_or(Errno::FAULT)?)?;
        for i in 0..count {
            work.0 += 1;
            mem.slice(mem.read_u32(iovs + i * 8)?, mem.read_u32(iovs + i * 8 + 4)?)?;
        }
        mem.slice(nwritten, 4)?;
        let (mut bytes_left, mut lines_left) = (mem.len(), MAX_LINES_PER_WRITE);
        let mut total: u32 = 0;
        for i in 0..count {
            let (ptr, len) = (mem.read_u32(iovs + i * 8)?, mem.read_u32(iovs + i * 8 + 4)?);
            let buffer = mem.slice(ptr, len.min(bytes_left))?;
            let (taken, lines) = first_lines(buffer, lines_left);
            if fd == STDOUT {
                if let Err(reason) = state.write_stdout(taken) {
                    return Ok(Err(Stop(reason)));
                }
            } else {
                work.2 += lines as u64;
                state.write_stderr(taken);
            }
            // At most the memory's size, so it fits.
            let taken_len = taken.len() as u32;
            work.1 += u64::from(taken_len);
            total += taken_len;
            bytes_left -= taken_len;
            lines_left -= lines;
            if taken_len < len || lines_left == 0 {
                break;
            }
        }
        mem.write_u32(nwritten, total)?;
        Ok(Ok(()))
    })
    .and_then(|r| r);
    let (buffers, bytes, lines) = work;
    charge(
        &mut caller,
        bytes / cost::STDIO_BYTES_PER_FUEL + buffers * cost::ITEM + lines * cost::LOG_LINE,
    );
    match outcome {
        Ok(Ok(())) => Ok(Errno::SUCCESS.0),
        Ok(Err(stop)) => Err(Error::host(stop)),
        Err(errno) => Ok(errno.0),
    }
}

/// `bytes` up to and including its `max`-th newline (all of it if it has
/// fewer), and how many newlines that is.
fn first_lines(bytes: &[u8], max: usize) -> (&[u8], usize) {
    let mut lines = 0;
    for at in memchr::memchr_iter(b'\n', bytes) {
        lines += 1;
        if lines == max {
            return (&bytes[..=at], lines);
        }
    }
    (bytes, lines)
}

pub(super) fn fd_fdstat_get<T: WasiView>(mut caller: Caller<'_, T>, fd: i32, out: i32) -> i32 {
    if !is_stdio(fd) {
        return fs::fd_fdstat_get(&mut caller, fd, out as u32);
    }
    let rights = if fd == STDIN {
        RIGHT_FD_READ
    } else {
        RIGHT_FD_WRITE
    } | RIGHT_POLL_FD_READWRITE;
    errno_of(
        with_memory(&mut caller, |mem, _| {
            let out = out as u32;
            mem.slice_mut(out, 24)?.fill(0);
            mem.write_bytes(out, &[FILETYPE_CHARACTER_DEVICE])?;
            mem.write_u64(out + 8, rights)?;
            Ok(())
        })
        .and_then(|r| r),
    )
}

pub(super) fn fd_filestat_get<T: WasiView>(mut caller: Caller<'_, T>, fd: i32, out: i32) -> i32 {
    if !is_stdio(fd) {
        return fs::fd_filestat_get(&mut caller, fd, out as u32);
    }
    errno_of(
        with_memory(&mut caller, |mem, _| {
            let out = out as u32;
            mem.slice_mut(out, 64)?.fill(0);
            mem.write_bytes(out + 16, &[FILETYPE_CHARACTER_DEVICE])?;
            mem.write_u64(out + 24, 1)
        })
        .and_then(|r| r),
    )
}

pub(super) fn fd_fdstat_set_flags<T: WasiView>(
    mut caller: Caller<'_, T>,
    fd: i32,
    flags: i32,
) -> i32 {
    if is_stdio(fd) {
        Errno::SUCCESS.0
    } else {
        fs::fd_fdstat_set_flags(&mut caller, fd, flags)
    }
}

pub(super) fn fd_close<T: WasiView>(mut caller: Caller<'_, T>, fd: i32) -> i32 {
    if is_stdio(fd) {
        Errno::SUCCESS.0
    } else {
        fs::fd_close(&mut caller, fd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_takes_at_most_max_lines() {
        assert_eq!(first_lines(b"a\nb\nc", 2), (&b"a\nb\n"[..], 2));
        assert_eq!(first_lines(b"a\nb\n", 2), (&b"a\nb\n"[..], 2));
        assert_eq!(first_lines(b"a\nb", 2), (&b"a\nb"[..], 1));
        assert_eq!(first_lines(b"", 2), (&b""[..], 0));
    }
}
