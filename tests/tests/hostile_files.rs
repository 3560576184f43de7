//! Hostile archives and paths: each ends in its own clear error, in
//! bounded time and memory, and the host serves the next load or call.
//! Archives are refused at load (`Error::Files` naming the guest directory
//! and the entry); paths get the errno of PROTOCOL.md §6 and never leave
//! their preopen; descriptors, scratch space and reads are bounded.

use std::io::{Cursor, Write};

use serde_json::Value;
use wasmi_hdk::{
    Error, ErrorKind, Limits,
    files::{ArchiveLimits, EntryError, FileTree, FilesError},
};

use crate::{
    harness::{bad_call, data, hostile, still_ok},
    util::{builder, within},
};

/// WASI errno values.
const EPERM: i32 = 63;
const EINVAL: i32 = 28;
const EILSEQ: i32 = 25;
const ENAMETOOLONG: i32 = 37;
const ENOENT: i32 = 44;
const EMFILE: i32 = 33;
const ENOSPC: i32 = 51;

/// A tar of `(name, kind, size, data)` entries written byte by byte, so
/// that names and sizes can lie: `kind` `b'0'` file, `b'2'` symlink (the
/// data is then the target).
fn raw_tar(entries: &[(&[u8], u8, u64, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, kind, size, data) in entries {
        let mut header = [0u8; 512];
        header[..name.len()].copy_from_slice(name);
        header[100..108].copy_from_slice(b"0000644\0");
        header[124..136].copy_from_slice(format!("{size:011o}\0").as_bytes());
        header[136..148].copy_from_slice(b"00000000000\0");
        header[156] = *kind;
        if *kind == b'2' {
            header[157..157 + data.len()].copy_from_slice(data);
        }
        header[257..263].copy_from_slice(b"ustar\0");
        header[263..265].copy_from_slice(b"00");
        header[148..156].copy_from_slice(b"        ");
        let sum: u32 = header.iter().map(|&b| u32::from(b)).sum();
        header[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        out.extend_from_slice(&header);
        if *kind == b'0' {
            out.extend_from_slice(data);
            out.resize(out.len().div_ceil(512) * 512, 0);
        }
    }
    out.resize(out.len() + 1024, 0);
    out
}

fn good_archive() -> Vec<u8> {
    raw_tar(&[(b"a.txt", b'0', 2, b"ok"), (b"sub/b.txt", b'0', 2, b"ok")])
}

/// Loading `archive` fails with a `files` error naming `/lib`; the same
/// builder settings with a good archive load and serve.
async fn refused(archive: Vec<u8>) -> FilesError {
    let error = builder()
        .with_archive("/lib", archive)
        .build(&hostile("", ""))
        .expect_err("a hostile archive is refused");
    assert_eq!(error.kind(), ErrorKind::Files, "{error}");
    assert!(error.to_string().starts_with("files at /lib: "), "{error}");
    let plugin = builder()
        .with_archive("/lib", good_archive())
        .build(&hostile("", ""))
        .unwrap();
    still_ok(&plugin).await;
    match error {
        Error::Files { source, .. } => source,
        other => panic!("{other:?}"),
    }
}

fn entry_reason(error: FilesError) -> (String, EntryError) {
    match error {
        FilesError::Entry { path, reason } => (path, reason),
        other => panic!("expected an entry error, got {other:?}"),
    }
}

#[tokio::test]
async fn hostile_archive_entries_are_refused_naming_them() {
    let cases: [(&[u8], &str); 4] = [
        (b"../escape.txt", ".."),
        (b"/etc/passwd", "absolute"),
        (b"a/../../b", ".."),
        (b"dir\\win.txt", "backslash"),
    ];
    for (name, why) in cases {
        let (path, reason) = entry_reason(refused(raw_tar(&[(name, b'0', 1, b"x")])).await);
        assert_eq!(path.as_bytes(), name, "{why}");
        let text = reason.to_string();
        assert!(!text.is_empty(), "{why}: {reason:?}");
    }
    // A symlink pointing outside the tree.
    let (path, reason) =
        entry_reason(refused(raw_tar(&[(b"link", b'2', 0, b"../../etc/passwd")])).await);
    assert_eq!(
        (
            path.as_str(),
            matches!(reason, EntryError::SymlinkEscapes { .. })
        ),
        ("link", true),
        "{reason:?}"
    );
    // The same name twice.
    let twice = raw_tar(&[(b"a.txt", b'0', 1, b"x"), (b"a.txt", b'0', 1, b"y")]);
    assert_eq!(
        entry_reason(refused(twice).await),
        ("a.txt".to_owned(), EntryError::Duplicate)
    );
}

#[tokio::test]
async fn an_entry_declaring_4_gib_is_refused_by_its_header() {
    // The header claims 4 GiB; the archive holds 512 bytes of it.
    let mut archive = raw_tar(&[(b"huge", b'0', 4 << 30, b"")]);
    archive.truncate(512 + 1024);
    let (path, reason) = entry_reason(refused(archive).await);
    assert_eq!(path, "huge");
    assert!(
        matches!(reason, EntryError::FileTooLarge { size, .. } if size == 4 << 30),
        "{reason:?}"
    );
}

#[tokio::test]
async fn a_compression_bomb_is_cut_off() {
    // 8 MiB of zeros deflate to a few KiB; with a 1 MiB bound on one file
    // (64 MiB by default) decompression stops there.
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("bomb", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(&vec![0; 8 << 20]).unwrap();
    let bomb = zip.finish().unwrap().into_inner();
    assert!(bomb.len() < 64 << 10, "{}", bomb.len());
    let limits = ArchiveLimits::default().with_max_file_bytes(1 << 20);
    let (path, reason) = entry_reason(FileTree::from_archive(&bomb, &limits).unwrap_err());
    assert_eq!(path, "bomb");
    assert!(
        matches!(reason, EntryError::FileTooLarge { limit, .. } if limit == 1 << 20),
        "{reason:?}"
    );
}

#[tokio::test]
async fn too_many_entries_are_refused_while_reading() {
    let names: Vec<String> = (0..2000).map(|i| format!("f{i}")).collect();
    let entries: Vec<(&[u8], u8, u64, &[u8])> = names
        .iter()
        .map(|n| (n.as_bytes(), b'0', 0, &b""[..]))
        .collect();
    let limits = ArchiveLimits::default().with_max_entries(1000);
    let error = FileTree::from_archive(&raw_tar(&entries), &limits).unwrap_err();
    assert!(
        matches!(error, FilesError::TooManyEntries { limit: 1000 }),
        "{error:?}"
    );
    // Within the limit, the same kind of archive loads and a plugin sees it.
    let tree = FileTree::from_archive(&raw_tar(&entries[..900]), &limits).unwrap();
    let plugin = builder()
        .with_preopen("/lib", tree)
        .build(&hostile("", ""))
        .unwrap();
    still_ok(&plugin).await;
}

/// `path_open(fd 3, path at 2048, len)` must answer `errno`, else the
/// call traps; the plugin serves its next call either way.
fn open_must_answer(path: &[u8], errno: i32) -> Vec<u8> {
    let bytes: String = path.iter().map(|b| format!("\\{b:02x}")).collect();
    hostile(
        &format!(
            "(if (i32.ne (call $path_open (i32.const 3) (i32.const 0) (i32.const 2048) (i32.const {len})
                (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 64)) (i32.const {errno}))
              (then unreachable))",
            len = path.len()
        ),
        &format!(r#"(data (i32.const 2048) "{bytes}")"#),
    )
}

#[tokio::test]
async fn hostile_paths_get_their_errno_and_never_leave_the_preopen() {
    let long = vec![b'a'; 5000];
    let cases: [(&[u8], i32); 8] = [
        (b"a.txt", 0),
        (b"../a.txt", EPERM),
        (b"sub/../../a.txt", EPERM),
        (b"/a.txt", EPERM),
        (b"a\0.txt", EINVAL),
        (b"\xff\xfe.txt", EILSEQ),
        (&long, ENAMETOOLONG),
        (b"missing.txt", ENOENT),
    ];
    for (path, errno) in cases {
        let plugin = builder()
            .with_archive("/lib", good_archive())
            .build(&open_must_answer(path, errno))
            .unwrap();
        let answer = within(plugin.call_raw("bad", Value::Null)).await;
        assert_eq!(answer.unwrap(), "ok", "{:?}", String::from_utf8_lossy(path));
    }
}

#[tokio::test]
async fn opening_files_in_a_loop_meets_emfile_then_the_next_call_works() {
    // Opens a.txt until path_open fails, then traps unless it was EMFILE.
    let extra = format!(
        "{}
        (func $open_until_error (result i32) (local $e i32)
          (loop $again
            (local.set $e (call $path_open (i32.const 3) (i32.const 0) (i32.const 2048) (i32.const 5)
                (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 64)))
            (br_if $again (i32.eqz (local.get $e))))
          (local.get $e))",
        data(2048, "a.txt")
    );
    let wasm = hostile(
        &format!("(if (i32.ne (call $open_until_error) (i32.const {EMFILE})) (then unreachable))"),
        &extra,
    );
    let plugin = builder()
        .with_archive("/lib", good_archive())
        .with_limits(Limits::default().with_max_open_files(100))
        .build(&wasm)
        .unwrap();
    for _ in 0..3 {
        let answer = within(plugin.call_raw("bad", Value::Null)).await;
        assert_eq!(
            answer.unwrap(),
            "ok",
            "each call starts with only the preopen open"
        );
    }
}

#[tokio::test]
async fn filling_the_scratch_directory_meets_enospc_then_the_next_call_works() {
    // Creates /tmp/f (fd 3 is /tmp) and writes 4 KiB at a time until a write fails.
    let extra = format!(
        "{}
        (func $fill (result i32) (local $e i32)
          (if (call $path_open (i32.const 3) (i32.const 0) (i32.const 2048) (i32.const 1)
                (i32.const 1) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 64))
            (then unreachable))
          (i32.store (i32.const 96) (i32.const 4096)) (i32.store (i32.const 100) (i32.const 4096))
          (loop $again
            (local.set $e (call $fd_write (i32.load (i32.const 64)) (i32.const 96) (i32.const 1) (i32.const 104)))
            (br_if $again (i32.and (i32.eqz (local.get $e)) (i32.eq (i32.load (i32.const 104)) (i32.const 4096)))))
          (if (result i32) (local.get $e) (then (local.get $e))
            (else (call $fd_write (i32.load (i32.const 64)) (i32.const 96) (i32.const 1) (i32.const 104)))))",
        data(2048, "f")
    );
    let wasm = hostile(
        &format!("(if (i32.ne (call $fill) (i32.const {ENOSPC})) (then unreachable))"),
        &extra,
    );
    let plugin = builder()
        .with_scratch("/tmp", 64 << 10)
        .build(&wasm)
        .unwrap();
    for _ in 0..3 {
        let answer = within(plugin.call_raw("bad", Value::Null)).await;
        assert_eq!(
            answer.unwrap(),
            "ok",
            "each call starts with an empty scratch directory"
        );
    }
}

#[tokio::test]
async fn reading_a_file_in_a_loop_is_charged_fuel() {
    // Reads 64 KiB from offset 0 with fd_pread, forever.
    let mut big = vec![b'x'; 1 << 20];
    big[0] = b'y';
    let archive = raw_tar(&[(b"big", b'0', big.len() as u64, &big)]);
    let extra = format!(
        "{}
        (func $read_forever
          (if (call $path_open (i32.const 3) (i32.const 0) (i32.const 2048) (i32.const 3)
                (i32.const 0) (i64.const 6) (i64.const 0) (i32.const 0) (i32.const 64))
            (then unreachable))
          (i32.store (i32.const 96) (i32.const 0)) (i32.store (i32.const 100) (i32.const 65536))
          (loop $again
            (drop (call $fd_pread (i32.load (i32.const 64)) (i32.const 96) (i32.const 1) (i64.const 0) (i32.const 104)))
            (br $again)))",
        data(2048, "big")
    );
    let wasm = crate::harness::hostile_with_memory(2, "(call $read_forever)", &extra);
    let plugin = builder()
        .with_archive("/lib", archive)
        .with_limits(Limits::default().with_fuel(5_000_000))
        .build(&wasm)
        .unwrap();
    let error = bad_call(&plugin).await;
    assert!(
        matches!(error, Error::OutOfFuel { budget: 5_000_000 }),
        "{error:?}"
    );
}
