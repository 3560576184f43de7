//! Reading the server's input one line at a time without holding more
//! than the line limit in memory, whatever the client sends.

use tokio::io::{AsyncBufRead, AsyncBufReadExt};

/// What [`read_line`] found.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum InputLine {
    /// A line (newline removed) is in the buffer.
    Line,
    /// A line of this many bytes (newline removed) was over the limit; it
    /// was read past and dropped, and the buffer is empty.
    TooLong(usize),
    /// The input ended.
    End,
}

/// Reads the next line into `line` (cleared first), keeping at most
/// `limit` bytes of it: a longer line is consumed up to its newline and
/// reported as [`InputLine::TooLong`], so the next call reads the line after
/// it. A last line without a newline counts as a line.
pub(super) async fn read_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    line: &mut Vec<u8>,
    limit: usize,
) -> std::io::Result<InputLine> {
    line.clear();
    let mut length = 0usize;
    let mut too_long = false;
    loop {
        let chunk = reader.fill_buf().await?;
        if chunk.is_empty() {
            return Ok(match (length, too_long) {
                (0, _) => InputLine::End,
                (_, true) => InputLine::TooLong(length),
                (_, false) => InputLine::Line,
            });
        }
        let newline = chunk.iter().position(|&b| b == b'\n');
        let content = &chunk[..newline.unwrap_or(chunk.len())];
        length = length.saturating_add(content.len());
        if length > limit && !too_long {
            too_long = true;
            line.clear();
            line.shrink_to_fit();
        }
        if !too_long {
            line.extend_from_slice(content);
        }
        let used = newline.map_or(chunk.len(), |at| at + 1);
        reader.consume(used);
        if newline.is_some() {
            return Ok(if too_long {
                InputLine::TooLong(length)
            } else {
                InputLine::Line
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::BufReader;

    use super::*;

    /// Every result of reading `input` with `limit` through a tiny buffer
    /// (so lines span many chunks), with the line's text where there is one.
    async fn read_all(input: &[u8], limit: usize) -> Vec<(InputLine, String)> {
        let mut reader = BufReader::with_capacity(3, input);
        let mut line = Vec::new();
        let mut out = Vec::new();
        loop {
            let read = read_line(&mut reader, &mut line, limit).await.unwrap();
            if read == InputLine::End {
                return out;
            }
            out.push((read, String::from_utf8(line.clone()).unwrap()));
        }
    }

    #[tokio::test]
    async fn lines_up_to_the_limit_are_kept_and_longer_ones_skipped() {
        let input = b"12345\n123456\n\nabc\n1234567890123\nend";
        assert_eq!(
            read_all(input, 5).await,
            [
                (InputLine::Line, "12345".to_owned()),
                (InputLine::TooLong(6), String::new()),
                (InputLine::Line, String::new()),
                (InputLine::Line, "abc".to_owned()),
                (InputLine::TooLong(13), String::new()),
                (InputLine::Line, "end".to_owned()),
            ]
        );
    }

    #[tokio::test]
    async fn a_last_line_over_the_limit_without_newline_is_too_long() {
        assert_eq!(
            read_all(b"ok\n0123456789", 4).await,
            [
                (InputLine::Line, "ok".to_owned()),
                (InputLine::TooLong(10), String::new())
            ]
        );
        assert_eq!(read_all(b"", 4).await, []);
    }
}
