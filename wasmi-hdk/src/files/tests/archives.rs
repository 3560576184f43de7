//! Loading trees from tar and zip archives: what is kept, and what a
//! hostile archive is refused for.

use std::io::{Cursor, Write};

use zip::{CompressionMethod, ZipWriter, write::SimpleFileOptions};

use super::*;
use crate::files::{EntryError, abi::filetype};

fn limits() -> ArchiveLimits {
    ArchiveLimits::default()
}

/// One raw ustar entry: a header with exactly these name and link bytes
/// (at most 100 each), type and size, then `data` padded to 512.
fn raw_entry(name: &[u8], kind: u8, size: u64, data: &[u8], link: &[u8]) -> Vec<u8> {
    let mut header = tar::Header::new_ustar();
    header.as_mut_bytes()[..name.len()].copy_from_slice(name);
    header.as_mut_bytes()[157..157 + link.len()].copy_from_slice(link);
    header.set_entry_type(tar::EntryType::new(kind));
    header.set_size(size);
    header.set_mode(0o644);
    header.set_mtime(0);
    header.set_cksum();
    let mut out = header.as_bytes().to_vec();
    out.extend_from_slice(data);
    out.resize(out.len().next_multiple_of(512), 0);
    out
}

fn raw_file(name: &[u8], data: &[u8]) -> Vec<u8> {
    raw_entry(name, b'0', data.len() as u64, data, b"")
}

/// A tar archive of raw entries and its end marker.
fn raw_tar(entries: &[Vec<u8>]) -> Vec<u8> {
    let mut out = entries.concat();
    out.extend_from_slice(&[0; 1024]);
    out
}

fn tar_error(entries: &[Vec<u8>]) -> (String, EntryError) {
    entry_error(FileTree::from_tar(&raw_tar(entries), &limits()))
}

#[test]
fn a_tar_archive_loads_files_directories_and_symlinks() {
    let tree = FileTree::from_tar(&tar_of(SAMPLE), &limits()).unwrap();
    // Root, 2 directories given or implied, 4 files, 6 symlinks.
    assert_eq!(tree.node_count(), 1 + 2 + 4 + 6);
    assert_eq!(tree.file_bytes(), 12 + 3 + 3);
    let mut files = files_with(tree);
    assert_eq!(content(&mut files, LIB, "a.txt").unwrap(), b"hello, world");
    assert_eq!(
        content(&mut files, LIB, "sub/deeper/c.txt").unwrap(),
        b"sea"
    );
    assert_eq!(
        content(&mut files, LIB, "link_sub/esc").unwrap(),
        b"hello, world"
    );
    let root = open_dir(&mut files, LIB, ".").unwrap();
    assert_eq!(
        list(&mut files, root).unwrap(),
        [
            (".".into(), filetype::DIRECTORY),
            ("..".into(), filetype::DIRECTORY),
            ("a.txt".into(), filetype::REGULAR_FILE),
            ("dangling".into(), filetype::SYMBOLIC_LINK),
            ("empty".into(), filetype::REGULAR_FILE),
            ("link_a".into(), filetype::SYMBOLIC_LINK),
            ("link_sub".into(), filetype::SYMBOLIC_LINK),
            ("loop1".into(), filetype::SYMBOLIC_LINK),
            ("loop2".into(), filetype::SYMBOLIC_LINK),
            ("sub".into(), filetype::DIRECTORY),
        ]
    );
    // The archive's times, in nanoseconds.
    let stat = files.path_filestat(LIB, 0, b"a.txt").unwrap();
    assert_eq!(
        u64::from_le_bytes(stat[48..56].try_into().unwrap()),
        1_700_000_000 * 1_000_000_000
    );
}

#[test]
fn a_zip_archive_loads_files_directories_and_symlinks() {
    let bytes = zip_of(SAMPLE);
    let tree = FileTree::from_zip(&bytes, &limits()).unwrap();
    assert_eq!(tree.node_count(), 1 + 2 + 4 + 6);
    let mut files = files_with(tree);
    assert_eq!(content(&mut files, LIB, "a.txt").unwrap(), b"hello, world");
    assert_eq!(
        content(&mut files, LIB, "link_sub/deeper/c.txt").unwrap(),
        b"sea"
    );
    assert_eq!(content(&mut files, LIB, "empty").unwrap(), b"");
    let sub = open_dir(&mut files, LIB, "sub").unwrap();
    assert_eq!(
        names(&mut files, sub),
        [".", "..", "b.txt", "deeper", "esc"]
    );
    // Stored entries too, and a large deflated one.
    let big: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file(
        "stored.txt",
        SimpleFileOptions::default().compression_method(CompressionMethod::Stored),
    )
    .unwrap();
    zip.write_all(b"as is").unwrap();
    zip.start_file("big.bin", SimpleFileOptions::default())
        .unwrap();
    zip.write_all(&big).unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    let mut files = files_with(FileTree::from_zip(&bytes, &limits()).unwrap());
    assert_eq!(content(&mut files, LIB, "stored.txt").unwrap(), b"as is");
    assert_eq!(content(&mut files, LIB, "big.bin").unwrap(), big);
}

#[test]
fn the_format_is_told_by_its_magic() {
    assert_eq!(
        FileTree::from_archive(&tar_of(SAMPLE), &limits())
            .unwrap()
            .node_count(),
        13
    );
    assert_eq!(
        FileTree::from_archive(&zip_of(SAMPLE), &limits())
            .unwrap()
            .node_count(),
        13
    );
    assert_eq!(
        FileTree::from_archive(&zip_of(&[]), &limits())
            .unwrap()
            .node_count(),
        1
    );
    for junk in [&b""[..], b"not an archive", &[0; 2048]] {
        assert!(matches!(
            FileTree::from_archive(junk, &limits()),
            Err(FilesError::UnknownFormat)
        ));
    }
}

#[test]
fn broken_archives_are_malformed() {
    let mut tar = tar_of(SAMPLE);
    tar[148] ^= 1; // the first header's checksum
    assert!(matches!(
        FileTree::from_tar(&tar, &limits()),
        Err(FilesError::Malformed {
            format: crate::files::ArchiveFormat::Tar,
            ..
        })
    ));
    // Cut inside the first file's data.
    let tar = tar_of(SAMPLE);
    let cut = FileTree::from_tar(&tar[..600], &limits());
    assert!(
        matches!(
            cut,
            Err(FilesError::Malformed { .. } | FilesError::Entry { .. })
        ),
        "{cut:?}"
    );
    let zip = zip_of(SAMPLE);
    assert!(matches!(
        FileTree::from_zip(&zip[..zip.len() - 30], &limits()),
        Err(FilesError::Malformed {
            format: crate::files::ArchiveFormat::Zip,
            ..
        })
    ));
    let message = FileTree::from_zip(b"PK\x03\x04 nothing else", &limits())
        .unwrap_err()
        .to_string();
    assert_eq!(message, "malformed zip archive");
}

#[test]
fn hostile_tar_names_are_refused_naming_the_entry() {
    let cases: [(Vec<u8>, &str, EntryError); 6] = [
        (
            raw_file(b"/etc/passwd", b"x"),
            "/etc/passwd",
            EntryError::AbsolutePath,
        ),
        (
            raw_file(b"a/../../evil", b"x"),
            "a/../../evil",
            EntryError::ParentComponent,
        ),
        (raw_file(b"..", b"x"), "..", EntryError::ParentComponent),
        (
            raw_file(b"bad\xffname", b"x"),
            "bad\u{fffd}name",
            EntryError::InvalidUtf8,
        ),
        (
            raw_file(b"dos\\path", b"x"),
            "dos\\path",
            EntryError::Backslash,
        ),
        (raw_file(b".", b"x"), ".", EntryError::EmptyName),
    ];
    for (entry, path, reason) in cases {
        assert_eq!(tar_error(&[entry]), (path.to_owned(), reason));
    }
    // A NUL inside a GNU long name.
    let long = raw_entry(b"././@LongLink", b'L', 5, b"a\0bc\0", b"");
    assert_eq!(
        tar_error(&[long, raw_file(b"short", b"x")]).1,
        EntryError::NulByte
    );
}

#[test]
fn hard_links_devices_and_fifos_are_refused() {
    let file = raw_file(b"f", b"x");
    for (kind, reason) in [
        (b'1', EntryError::HardLink),
        (b'3', EntryError::Unsupported("character device")),
        (b'4', EntryError::Unsupported("block device")),
        (b'6', EntryError::Unsupported("FIFO")),
        (b'Z', EntryError::Unsupported("unknown entry type")),
    ] {
        let odd = raw_entry(b"odd", kind, 0, b"", b"f");
        assert_eq!(tar_error(&[file.clone(), odd]), ("odd".to_owned(), reason));
    }
}

#[test]
fn symlinks_must_stay_inside_the_tree() {
    for target in [&b"/etc/passwd"[..], b"../outside", b"a/../../outside"] {
        let link = raw_entry(b"l", b'2', 0, b"", target);
        let (path, reason) = tar_error(&[link]);
        assert_eq!(path, "l");
        assert!(
            matches!(reason, EntryError::SymlinkEscapes { .. }),
            "{reason:?}"
        );
    }
    assert_eq!(
        tar_error(&[raw_entry(b"l", b'2', 0, b"", b"")]),
        ("l".into(), EntryError::EmptyTarget)
    );
    // Deeper down, `..` may climb as far as the root.
    let tree = FileTree::from_tar(
        &raw_tar(&[raw_entry(b"d/e/l", b'2', 0, b"", b"../../x")]),
        &limits(),
    );
    assert!(tree.is_ok());
    // Writing through a symlink: the classic escape of an extraction.
    let entries = [
        raw_entry(b"l", b'2', 0, b"", b"d"),
        raw_file(b"l/passwd", b"x"),
    ];
    assert_eq!(
        tar_error(&entries),
        ("l/passwd".into(), EntryError::ParentNotDirectory)
    );
    // Or refuse symlinks altogether.
    let refused = FileTree::from_tar(&tar_of(SAMPLE), &limits().with_symlinks(false));
    assert_eq!(
        entry_error(refused),
        ("sub/esc".into(), EntryError::SymlinkRefused)
    );
}

#[test]
fn duplicate_names_are_refused_but_directories_may_repeat() {
    let entries = [raw_file(b"a", b"1"), raw_file(b"./a", b"2")];
    assert_eq!(tar_error(&entries), ("./a".into(), EntryError::Duplicate));
    let dir = raw_entry(b"d/", b'5', 0, b"", b"");
    let entries = [dir.clone(), raw_file(b"d/f", b"1"), dir];
    assert!(FileTree::from_tar(&raw_tar(&entries), &limits()).is_ok());
    let entries = [raw_file(b"d", b"1"), raw_entry(b"d/", b'5', 0, b"", b"")];
    assert_eq!(tar_error(&entries), ("d/".into(), EntryError::Duplicate));
}

#[test]
fn a_4_gib_entry_is_refused_by_its_header_before_reading() {
    // No data follows: the size alone refuses it.
    let huge = raw_entry(b"huge", b'0', 4 << 30, b"", b"");
    let (path, reason) = tar_error(&[huge]);
    assert_eq!(path, "huge");
    assert_eq!(
        reason,
        EntryError::FileTooLarge {
            size: 4 << 30,
            limit: 64 << 20
        }
    );
}

#[test]
fn entries_and_bytes_are_bounded() {
    let many: Vec<Entry<'_>> = (0..50).map(|_| Entry::Dir("d")).collect();
    let small = limits().with_max_entries(40);
    assert!(matches!(
        FileTree::from_tar(&tar_of(&many), &small),
        Err(FilesError::TooManyEntries { limit: 40 })
    ));
    let names: Vec<String> = (0..50).map(|i| format!("f{i}")).collect();
    let files: Vec<Entry<'_>> = names.iter().map(|n| Entry::File(n, b"12345")).collect();
    for bytes in [tar_of(&files), zip_of(&files)] {
        assert!(matches!(
            FileTree::from_archive(&bytes, &small),
            Err(FilesError::TooManyEntries { limit: 40 })
        ));
        assert!(matches!(
            FileTree::from_archive(&bytes, &limits().with_max_total_bytes(200)),
            Err(FilesError::TooManyBytes { limit: 200 })
        ));
        let tree = FileTree::from_archive(&bytes, &limits().with_max_total_bytes(250)).unwrap();
        assert_eq!(tree.file_bytes(), 250);
    }
    // Depth and path length.
    let deep = "d/".repeat(10) + "f";
    let bytes = tar_of(&[Entry::File(&deep, b"")]);
    assert!(matches!(
        entry_error(FileTree::from_tar(&bytes, &limits().with_max_depth(10))).1,
        EntryError::TooDeep {
            depth: 11,
            limit: 10
        }
    ));
    assert!(matches!(
        entry_error(FileTree::from_tar(&bytes, &limits().with_max_path_len(20))).1,
        EntryError::PathTooLong { len: 21, limit: 20 }
    ));
}

#[test]
fn a_zip_declaring_too_many_entries_is_refused_before_indexing() {
    // Nothing but an end record claiming 60 000 entries.
    let mut eocd = b"PK\x05\x06\0\0\0\0".to_vec();
    eocd.extend_from_slice(&60_000u16.to_le_bytes());
    eocd.extend_from_slice(&60_000u16.to_le_bytes());
    eocd.extend_from_slice(&(60_000u32 * 46).to_le_bytes());
    eocd.extend_from_slice(&0u32.to_le_bytes());
    eocd.extend_from_slice(&[0, 0]);
    assert!(matches!(
        FileTree::from_zip(&eocd, &limits().with_max_entries(1000)),
        Err(FilesError::TooManyEntries { limit: 1000 })
    ));
}

/// Positions of `signature` in `bytes`.
fn find_all(bytes: &[u8], signature: &[u8]) -> Vec<usize> {
    bytes
        .windows(signature.len())
        .enumerate()
        .filter(|(_, w)| *w == signature)
        .map(|(i, _)| i)
        .collect()
}

const LOCAL: &[u8] = b"PK\x03\x04";
const CENTRAL: &[u8] = b"PK\x01\x02";

#[test]
fn a_zip_bomb_is_cut_off_while_decompressing() {
    // 8 MiB of zeros deflate to a few KiB.
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("bomb", SimpleFileOptions::default())
        .unwrap();
    zip.write_all(&vec![0; 8 << 20]).unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    assert!(bytes.len() < 64 << 10, "{}", bytes.len());
    let small = limits().with_max_file_bytes(1 << 20);
    assert_eq!(
        entry_error(FileTree::from_zip(&bytes, &small)),
        (
            "bomb".into(),
            EntryError::FileTooLarge {
                size: 8 << 20,
                limit: 1 << 20
            }
        )
    );
    // Now the headers lie: they declare 100 bytes. Reading stops at the
    // limit (or the zip crate's own check), never at 8 MiB.
    let mut lying = bytes.clone();
    for at in find_all(&lying, CENTRAL) {
        lying[at + 24..at + 28].copy_from_slice(&100u32.to_le_bytes());
    }
    for at in find_all(&lying, LOCAL) {
        lying[at + 22..at + 26].copy_from_slice(&100u32.to_le_bytes());
    }
    let refused = FileTree::from_zip(&lying, &small);
    assert!(
        matches!(
            refused,
            Err(FilesError::Entry {
                reason: EntryError::FileTooLarge { .. } | EntryError::Unreadable(_),
                ..
            })
        ),
        "{refused:?}"
    );
}

#[test]
fn a_zip_entry_declaring_4_gib_is_refused() {
    let mut bytes = zip_of(&[Entry::File("huge", b"small really")]);
    for at in find_all(&bytes, CENTRAL) {
        bytes[at + 24..at + 28].copy_from_slice(&0xffff_fff0u32.to_le_bytes());
    }
    assert_eq!(
        entry_error(FileTree::from_zip(&bytes, &limits())),
        (
            "huge".into(),
            EntryError::FileTooLarge {
                size: 0xffff_fff0,
                limit: 64 << 20
            }
        )
    );
}

#[test]
fn hostile_zip_entries_are_refused() {
    for (name, reason) in [
        ("../evil", EntryError::ParentComponent),
        ("/abs", EntryError::AbsolutePath),
        ("a\\b", EntryError::Backslash),
    ] {
        let bytes = zip_of(&[Entry::File(name, b"x")]);
        assert_eq!(
            entry_error(FileTree::from_zip(&bytes, &limits())),
            (name.into(), reason)
        );
    }
    // `./a` and `a` are one name.
    let bytes = zip_of(&[Entry::File("a", b"1"), Entry::File("./a", b"2")]);
    assert_eq!(
        entry_error(FileTree::from_zip(&bytes, &limits())),
        ("./a".into(), EntryError::Duplicate)
    );
    let bytes = zip_of(&[Entry::Symlink("l", "../../x")]);
    assert!(matches!(
        entry_error(FileTree::from_zip(&bytes, &limits())).1,
        EntryError::SymlinkEscapes { .. }
    ));
}

#[test]
fn zip_entries_patched_to_be_hostile_are_refused() {
    let original = zip_of(&[Entry::File("name", b"x")]);
    // A name byte that is not UTF-8, in both headers.
    let mut bytes = original.clone();
    for at in find_all(&original, b"name") {
        bytes[at] = 0xff;
    }
    assert_eq!(
        entry_error(FileTree::from_zip(&bytes, &limits())).1,
        EntryError::InvalidUtf8
    );
    // The encryption flag.
    let mut bytes = original.clone();
    for at in find_all(&original, LOCAL) {
        bytes[at + 6] |= 1;
    }
    for at in find_all(&original, CENTRAL) {
        bytes[at + 8] |= 1;
    }
    assert_eq!(
        entry_error(FileTree::from_zip(&bytes, &limits())),
        ("name".into(), EntryError::Encrypted)
    );
    // A character device by its Unix mode (made by Unix).
    let mut bytes = original.clone();
    for at in find_all(&original, CENTRAL) {
        bytes[at + 5] = 3;
        bytes[at + 38..at + 42].copy_from_slice(&(0o020_644u32 << 16).to_le_bytes());
    }
    assert_eq!(
        entry_error(FileTree::from_zip(&bytes, &limits())),
        ("name".into(), EntryError::Unsupported("character device"))
    );
}

#[test]
fn errors_name_the_entry_and_the_reason() {
    let error = FileTree::from_tar(&raw_tar(&[raw_file(b"x/../../etc/passwd", b"")]), &limits())
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "entry \"x/../../etc/passwd\": `..` component"
    );
    let error = FileTree::from_tar(
        &raw_tar(&[raw_entry(b"huge", b'0', 4 << 30, b"", b"")]),
        &limits(),
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "entry \"huge\": 4294967296 bytes, more than the 67108864 a file may hold"
    );
}
