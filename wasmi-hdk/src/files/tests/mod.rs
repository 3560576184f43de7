//! Tests of the file layer as the WASI calls will use it: archives built
//! with the `tar` and `zip` writers (and hostile ones by hand), then read
//! through [`Files`] as a plugin would.

mod archives;
#[cfg(not(target_arch = "wasm32"))]
mod host_dir;
mod read_only;
mod resolution;
mod scratch;

use std::io::{Cursor, Write};

use zip::{CompressionMethod, ZipWriter, write::SimpleFileOptions};

use super::{
    ArchiveLimits, Errno, FileTree, Files, FilesError, OpenRequest, Preopens,
    abi::{DIRENT_SIZE, lookupflags, oflags, rights},
};

/// An entry of a test archive.
#[derive(Debug, Clone, Copy)]
pub(super) enum Entry<'a> {
    Dir(&'a str),
    File(&'a str, &'a [u8]),
    Symlink(&'a str, &'a str),
}

/// A small tree most tests use:
///
/// ```text
/// a.txt            "hello, world"
/// empty            ""
/// sub/b.txt        "bee"
/// sub/deeper/c.txt "sea"
/// sub/esc -> ../a.txt
/// link_sub -> sub
/// link_a -> a.txt
/// loop1 -> loop2, loop2 -> loop1
/// dangling -> nothere
/// ```
pub(super) const SAMPLE: &[Entry<'static>] = &[
    Entry::File("a.txt", b"hello, world"),
    Entry::File("empty", b""),
    Entry::Dir("sub"),
    Entry::File("sub/b.txt", b"bee"),
    Entry::File("sub/deeper/c.txt", b"sea"),
    Entry::Symlink("sub/esc", "../a.txt"),
    Entry::Symlink("link_sub", "sub"),
    Entry::Symlink("link_a", "a.txt"),
    Entry::Symlink("loop1", "loop2"),
    Entry::Symlink("loop2", "loop1"),
    Entry::Symlink("dangling", "nothere"),
];

/// A tar archive of `entries`, written by the `tar` crate.
pub(super) fn tar_of(entries: &[Entry<'_>]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for entry in entries {
        let mut header = tar::Header::new_gnu();
        header.set_mtime(1_700_000_000);
        header.set_mode(0o644);
        match *entry {
            Entry::Dir(path) => {
                header.set_entry_type(tar::EntryType::Directory);
                header.set_size(0);
                builder.append_data(&mut header, path, &[][..]).unwrap();
            }
            Entry::File(path, data) => {
                header.set_entry_type(tar::EntryType::Regular);
                header.set_size(data.len() as u64);
                builder.append_data(&mut header, path, data).unwrap();
            }
            Entry::Symlink(path, target) => {
                header.set_entry_type(tar::EntryType::Symlink);
                header.set_size(0);
                builder.append_link(&mut header, path, target).unwrap();
            }
        }
    }
    builder.into_inner().unwrap()
}

/// A zip archive of `entries`, written by the `zip` crate; files deflated.
pub(super) fn zip_of(entries: &[Entry<'_>]) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for entry in entries {
        match *entry {
            Entry::Dir(path) => zip.add_directory(path, options).unwrap(),
            Entry::File(path, data) => {
                zip.start_file(path, options).unwrap();
                zip.write_all(data).unwrap();
            }
            Entry::Symlink(path, target) => zip.add_symlink(path, target, options).unwrap(),
        }
    }
    zip.finish().unwrap().into_inner()
}

/// The sample tree, from a tar archive.
pub(super) fn sample_tree() -> FileTree {
    FileTree::from_tar(&tar_of(SAMPLE), &ArchiveLimits::default()).unwrap()
}

/// An instance's files with `tree` preopened at `/lib` (fd 3).
pub(super) fn files_with(tree: FileTree) -> Files {
    Files::new(&Preopens::default().with_tree("/lib", tree).unwrap(), 1024)
}

/// The preopen's descriptor in [`files_with`].
pub(super) const LIB: i32 = 3;

/// A `path_open` request.
pub(super) fn request(lookup: u32, flags: u16, wanted: u64) -> OpenRequest {
    OpenRequest {
        lookup,
        oflags: flags,
        rights: wanted,
        fdflags: 0,
    }
}

/// Opens `path` from `dir` for reading, following symlinks (what
/// wasi-libc's `open(path, O_RDONLY)` asks for).
pub(super) fn open_read(files: &mut Files, dir: i32, path: &str) -> Result<i32, Errno> {
    files
        .open(
            dir,
            path.as_bytes(),
            request(lookupflags::SYMLINK_FOLLOW, 0, rights::FD_READ),
        )
        .map(|fd| fd as i32)
}

/// Opens the directory `path` from `dir`.
pub(super) fn open_dir(files: &mut Files, dir: i32, path: &str) -> Result<i32, Errno> {
    files
        .open(
            dir,
            path.as_bytes(),
            request(
                lookupflags::SYMLINK_FOLLOW,
                oflags::DIRECTORY,
                rights::FD_READDIR,
            ),
        )
        .map(|fd| fd as i32)
}

/// Reads all of `fd` from its position, in chunks of `chunk` bytes.
pub(super) fn read_all(files: &mut Files, fd: i32, chunk: usize) -> Result<Vec<u8>, Errno> {
    let mut out = Vec::new();
    let mut buf = vec![0; chunk];
    loop {
        let n = files.read(fd, &mut buf)?;
        if n == 0 {
            return Ok(out);
        }
        out.extend_from_slice(&buf[..n]);
    }
}

/// A file's content by path, as a plugin reads it.
pub(super) fn content(files: &mut Files, dir: i32, path: &str) -> Result<Vec<u8>, Errno> {
    let fd = open_read(files, dir, path)?;
    let data = read_all(files, fd, 5);
    files.close(fd).unwrap();
    data
}

/// Lists a directory descriptor the way wasi-libc's `readdir` does: small
/// buffers, whole entries only, resuming at the last whole entry's
/// `d_next`, a larger buffer when one entry does not fit.
pub(super) fn list(files: &mut Files, fd: i32) -> Result<Vec<(String, u8)>, Errno> {
    let mut names = Vec::new();
    let mut cookie = 0;
    let mut buf_len = 32;
    loop {
        let mut buf = vec![0; buf_len];
        let used = files.readdir(fd, cookie, &mut buf)?;
        let mut at = 0;
        let mut whole = 0;
        while used - at >= DIRENT_SIZE {
            let len = u32::from_le_bytes(buf[at + 16..at + 20].try_into().unwrap()) as usize;
            if used - at - DIRENT_SIZE < len {
                break;
            }
            cookie = u64::from_le_bytes(buf[at..at + 8].try_into().unwrap());
            let name =
                String::from_utf8(buf[at + DIRENT_SIZE..at + DIRENT_SIZE + len].to_vec()).unwrap();
            names.push((name, buf[at + 20]));
            at += DIRENT_SIZE + len;
            whole += 1;
        }
        if used < buf_len {
            return Ok(names);
        }
        if whole == 0 {
            buf_len *= 2;
        }
    }
}

/// The entry names [`list`] finds, `.` and `..` included.
pub(super) fn names(files: &mut Files, fd: i32) -> Vec<String> {
    list(files, fd)
        .unwrap()
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}

/// The reason of an [`FilesError::Entry`], or a panic.
pub(super) fn entry_error(result: Result<FileTree, FilesError>) -> (String, super::EntryError) {
    match result {
        Err(FilesError::Entry { path, reason }) => (path, reason),
        other => panic!("expected an entry error, got {other:?}"),
    }
}
