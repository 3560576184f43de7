//! The plugin's stdin: the lines the host wrote that the plugin has not read.

/// A byte pipe the host appends whole lines to and the plugin reads from.
///
/// What the plugin has read is dropped once it is at least half of the
/// buffer, so the buffer stays within twice what is unread (which the
/// host-call backlog bounds), at an amortised cost of one copy per byte.
#[derive(Debug, Default)]
pub(crate) struct StdinPipe {
    buffer: Vec<u8>,
    read: usize,
}

impl StdinPipe {
    /// A pipe holding `first_line` (the request, newline included).
    pub(crate) fn new(first_line: Vec<u8>) -> Self {
        Self {
            buffer: first_line,
            read: 0,
        }
    }

    /// Bytes written and not read yet.
    pub(crate) fn unread(&self) -> usize {
        self.buffer.len() - self.read
    }

    /// Moves up to `dst.len()` unread bytes into `dst`; returns how many.
    pub(crate) fn read(&mut self, dst: &mut [u8]) -> usize {
        let waiting = &self.buffer[self.read..];
        let n = waiting.len().min(dst.len());
        dst[..n].copy_from_slice(&waiting[..n]);
        self.read += n;
        n
    }

    /// Appends one line: what `write` appends, unless that is longer than
    /// `max` bytes, in which case what `instead` appends (given the length
    /// refused). Adds the newline; returns the bytes appended.
    pub(crate) fn push_line(
        &mut self,
        max: usize,
        write: impl FnOnce(&mut Vec<u8>),
        instead: impl FnOnce(&mut Vec<u8>, usize),
    ) -> usize {
        if self.read > 0 && self.read >= self.buffer.len() / 2 {
            self.buffer.drain(..self.read);
            self.read = 0;
        }
        let start = self.buffer.len();
        write(&mut self.buffer);
        let len = self.buffer.len() - start;
        if len > max {
            self.buffer.truncate(start);
            instead(&mut self.buffer, len);
        }
        self.buffer.push(b'\n');
        self.buffer.len() - start
    }

    /// The buffer's size, read bytes not yet dropped included.
    #[cfg(test)]
    pub(crate) fn capacity_used(&self) -> usize {
        self.buffer.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_at_most_twice_what_is_unread() {
        let mut pipe = StdinPipe::new(b"request\n".to_vec());
        let mut sink = vec![0u8; 4096];
        // A plugin that always leaves the last 8 bytes unread: without
        // dropping what was read, the buffer would grow by 4 KiB a round.
        for _ in 0..1000 {
            pipe.push_line(1 << 20, |out| out.extend([b'a'; 4095]), |_, _| {});
            let unread = pipe.unread();
            pipe.read(&mut sink[..unread - 8]);
            assert!(
                pipe.capacity_used() <= 2 * 4096 + 8,
                "{}",
                pipe.capacity_used()
            );
        }
        let mut rest = [0u8; 8];
        assert_eq!(pipe.read(&mut rest), 8);
        assert_eq!(&rest, b"aaaaaaa\n");
    }

    #[test]
    fn a_line_over_the_limit_is_replaced() {
        let mut pipe = StdinPipe::new(Vec::new());
        let appended = pipe.push_line(
            4,
            |out| out.extend_from_slice(b"too long"),
            |out, len| out.extend_from_slice(format!("cut {len}").as_bytes()),
        );
        assert_eq!(appended, 6);
        let mut all = [0u8; 16];
        let n = pipe.read(&mut all);
        assert_eq!(&all[..n], b"cut 8\n");
    }
}
