//! The plugin's stdout, cut into lines.

/// Splits what the plugin writes to stdout into lines of at most `max`
/// bytes, across writes.
#[derive(Debug)]
pub(crate) struct LineSplitter {
    partial: Vec<u8>,
    max: usize,
}

/// A line grew past the limit before its newline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LineTooLong;

impl LineSplitter {
    pub(crate) fn new(max: usize) -> Self {
        Self {
            partial: Vec::new(),
            max,
        }
    }

    /// Takes `bytes` and hands every line they complete to `on_line`
    /// (without its newline), stopping at the first error it returns.
    pub(crate) fn feed<E: From<LineTooLong>>(
        &mut self,
        mut bytes: &[u8],
        mut on_line: impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        while let Some(newline) = memchr::memchr(b'\n', bytes) {
            let (head, rest) = (&bytes[..newline], &bytes[newline + 1..]);
            bytes = rest;
            if self.partial.is_empty() {
                if head.len() > self.max {
                    return Err(LineTooLong.into());
                }
                on_line(head)?;
            } else {
                self.partial.extend_from_slice(head);
                let line = core::mem::take(&mut self.partial);
                if line.len() > self.max {
                    return Err(LineTooLong.into());
                }
                on_line(&line)?;
            }
        }
        if self.partial.len() + bytes.len() > self.max {
            return Err(LineTooLong.into());
        }
        self.partial.extend_from_slice(bytes);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(splitter: &mut LineSplitter, writes: &[&[u8]]) -> Result<Vec<String>, LineTooLong> {
        let mut seen = Vec::new();
        for write in writes {
            splitter.feed(write, |line| {
                seen.push(String::from_utf8_lossy(line).into_owned());
                Ok::<_, LineTooLong>(())
            })?;
        }
        Ok(seen)
    }

    #[test]
    fn joins_lines_across_writes() {
        let mut s = LineSplitter::new(16);
        assert_eq!(
            lines(&mut s, &[b"ab", b"c\nd", b"\n\n"]).unwrap(),
            ["abc", "d", ""]
        );
    }

    #[test]
    fn refuses_a_line_over_the_limit_with_or_without_its_newline() {
        assert_eq!(
            lines(&mut LineSplitter::new(3), &[b"abcd\n"]),
            Err(LineTooLong)
        );
        assert_eq!(
            lines(&mut LineSplitter::new(3), &[b"ab", b"cd"]),
            Err(LineTooLong)
        );
        assert_eq!(
            lines(&mut LineSplitter::new(3), &[b"abc\n"]).unwrap(),
            ["abc"]
        );
    }
}
