//! `fd_readdir`'s output: a run of `dirent` records, each a 24-byte header
//! and the name (not NUL-terminated), as wasmtime writes them and
//! wasi-libc's `readdir` reads them.

#[cfg(test)]
use super::abi::DIRENT_SIZE;
use super::abi::{self, filetype};

/// One directory entry, as `fd_readdir` lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dirent<'a> {
    pub(crate) name: &'a str,
    pub(crate) ino: u64,
    pub(crate) filetype: u8,
}

/// What one `fd_readdir` wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Listed {
    /// Bytes written: the call's result. Equal to the buffer's length when
    /// it filled up, in which case the last entry may be cut short.
    pub(crate) bytes: usize,
    /// Entries (whole or cut) written.
    pub(crate) entries: usize,
}

/// Writes a directory's entries into `out`, from the one at `cookie` on.
///
/// The directory lists `.` (cookie 0), `..` (cookie 1), then its
/// `children` in order (cookies 2, 3, …); each entry's `d_next` is the
/// cookie of the one after it. `.` and `..` both carry the directory's own
/// inode number, as in wasmtime. When the buffer fills up, the last entry
/// is cut (its header or its name) and the whole buffer is reported used,
/// which is how wasi-libc learns to retry with a larger buffer. A cookie
/// past the end writes nothing.
pub(crate) fn write_dirents<'a>(
    out: &mut [u8],
    cookie: u64,
    dir_ino: u64,
    children: usize,
    child: impl Fn(usize) -> Dirent<'a>,
) -> Listed {
    if out.is_empty() {
        return Listed {
            bytes: 0,
            entries: 0,
        };
    }
    let total = children.saturating_add(2);
    let start = usize::try_from(cookie).unwrap_or(usize::MAX).min(total);
    let mut at = 0;
    let mut entries = 0;
    for index in start..total {
        let entry = match index {
            0 => Dirent {
                name: ".",
                ino: dir_ino,
                filetype: filetype::DIRECTORY,
            },
            1 => Dirent {
                name: "..",
                ino: dir_ino,
                filetype: filetype::DIRECTORY,
            },
            _ => child(index - 2),
        };
        entries += 1;
        // Names are at most 255 bytes.
        let header = abi::dirent_header(
            index as u64 + 1,
            entry.ino,
            entry.name.len() as u32,
            entry.filetype,
        );
        for part in [&header[..], entry.name.as_bytes()] {
            let n = part.len().min(out.len() - at);
            out[at..at + n].copy_from_slice(&part[..n]);
            at += n;
            if at == out.len() {
                return Listed { bytes: at, entries };
            }
        }
    }
    Listed { bytes: at, entries }
}

/// The byte length of `names`' dirents: what a buffer must hold to list
/// them all (tests and callers sizing a buffer).
#[cfg(test)]
pub(crate) fn listing_len(names: &[&str]) -> usize {
    names.iter().map(|name| DIRENT_SIZE + name.len()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHILDREN: [Dirent<'static>; 2] = [
        Dirent {
            name: "a.py",
            ino: 7,
            filetype: filetype::REGULAR_FILE,
        },
        Dirent {
            name: "sub",
            ino: 8,
            filetype: filetype::DIRECTORY,
        },
    ];

    /// Parses a listing the way wasi-libc's `readdir` does: records while a
    /// whole header and name fit.
    fn parse(bytes: &[u8]) -> Vec<(u64, u64, String, u8)> {
        let mut out = Vec::new();
        let mut at = 0;
        while bytes.len() - at >= DIRENT_SIZE {
            let word = |o: usize| u64::from_le_bytes(bytes[at + o..at + o + 8].try_into().unwrap());
            let len = u32::from_le_bytes(bytes[at + 16..at + 20].try_into().unwrap()) as usize;
            if bytes.len() - at - DIRENT_SIZE < len {
                break;
            }
            let name = &bytes[at + DIRENT_SIZE..at + DIRENT_SIZE + len];
            out.push((
                word(0),
                word(8),
                String::from_utf8(name.to_vec()).unwrap(),
                bytes[at + 20],
            ));
            at += DIRENT_SIZE + len;
        }
        out
    }

    fn list(buf_len: usize, cookie: u64) -> (Listed, Vec<u8>) {
        let mut out = vec![0xAA; buf_len];
        let listed = write_dirents(&mut out, cookie, 5, CHILDREN.len(), |i| CHILDREN[i]);
        out.truncate(listed.bytes);
        (listed, out)
    }

    #[test]
    fn a_large_buffer_lists_dot_dotdot_and_the_children() {
        let (listed, bytes) = list(4096, 0);
        assert_eq!(listed.bytes, listing_len(&[".", "..", "a.py", "sub"]));
        assert_eq!(listed.entries, 4);
        assert_eq!(
            parse(&bytes),
            [
                (1, 5, ".".into(), filetype::DIRECTORY),
                (2, 5, "..".into(), filetype::DIRECTORY),
                (3, 7, "a.py".into(), filetype::REGULAR_FILE),
                (4, 8, "sub".into(), filetype::DIRECTORY),
            ]
        );
        // Padding bytes of the header are zero, not left over.
        assert_eq!(bytes[21..24], [0, 0, 0]);
    }

    #[test]
    fn a_cookie_resumes_after_the_entry_whose_d_next_it_is() {
        let (_, bytes) = list(4096, 3);
        assert_eq!(parse(&bytes), [(4, 8, "sub".into(), filetype::DIRECTORY)]);
        assert_eq!(
            list(4096, 4).0,
            Listed {
                bytes: 0,
                entries: 0
            }
        );
        assert_eq!(
            list(4096, u64::MAX).0,
            Listed {
                bytes: 0,
                entries: 0
            }
        );
    }

    #[test]
    fn a_full_buffer_cuts_the_last_entry_and_reports_itself_full() {
        // `.` (25 bytes) whole, then 10 bytes of `..`'s header.
        let (listed, bytes) = list(35, 0);
        assert_eq!(
            listed,
            Listed {
                bytes: 35,
                entries: 2
            }
        );
        assert_eq!(parse(&bytes).len(), 1);
        // Exactly `.` and `..`'s header: full, the name cut entirely.
        let (listed, _) = list(25 + 24, 0);
        assert_eq!(
            listed,
            Listed {
                bytes: 49,
                entries: 2
            }
        );
        // Every size of buffer: a full one is reported full, and the whole
        // records in it are a prefix of the full listing.
        let (_, whole) = list(4096, 0);
        for len in 0..whole.len() {
            let (listed, bytes) = list(len, 0);
            assert_eq!(listed.bytes, len);
            assert_eq!(bytes, whole[..len]);
        }
        assert_eq!(
            list(0, 0).0,
            Listed {
                bytes: 0,
                entries: 0
            }
        );
    }
}
