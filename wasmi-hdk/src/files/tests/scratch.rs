//! The scratch directory: writable, empty per instance, bounded by its quota.

use super::*;
use crate::files::{
    abi::{fdflags, filetype, fstflags, whence},
    scratch::NODE_COST,
};

const TMP: i32 = 3;
const FOLLOW: u32 = lookupflags::SYMLINK_FOLLOW;
const RW: u64 = rights::FD_READ | rights::FD_WRITE;

fn scratch(quota: u64) -> Files {
    Files::new(
        &Preopens::default().with_scratch("/tmp", quota).unwrap(),
        1024,
    )
}

fn create(files: &mut Files, path: &str) -> Result<i32, Errno> {
    files
        .open(TMP, path.as_bytes(), request(FOLLOW, oflags::CREAT, RW))
        .map(|fd| fd as i32)
}

fn write_file(files: &mut Files, path: &str, data: &[u8]) {
    let fd = create(files, path).unwrap();
    assert_eq!(files.write(fd, data), Ok(data.len()));
    files.close(fd).unwrap();
    files.check();
}

#[test]
fn files_are_created_written_and_read_back() {
    let mut files = scratch(1 << 20);
    let fd = create(&mut files, "notes.txt").unwrap();
    assert_eq!(files.write(fd, b"hello"), Ok(5));
    assert_eq!(files.write(fd, b", world"), Ok(7));
    assert_eq!(files.tell(fd), Ok(12));
    assert_eq!(files.seek(fd, 0, whence::SET), Ok(0));
    assert_eq!(read_all(&mut files, fd, 4).unwrap(), b"hello, world");
    // pwrite leaves the position; past the end it zero-fills the gap.
    assert_eq!(files.pwrite(fd, b"W", 7), Ok(1));
    assert_eq!(files.pwrite(fd, b"!", 14), Ok(1));
    assert_eq!(files.tell(fd), Ok(12));
    assert_eq!(
        content(&mut files, TMP, "notes.txt").unwrap(),
        b"hello, World\0\0!"
    );
    // Truncate and extend.
    assert_eq!(files.set_size(fd, 5), Ok(()));
    assert_eq!(content(&mut files, TMP, "notes.txt").unwrap(), b"hello");
    assert_eq!(files.set_size(fd, 7), Ok(()));
    assert_eq!(content(&mut files, TMP, "notes.txt").unwrap(), b"hello\0\0");
    let stat = files.filestat(fd).unwrap();
    assert_eq!(stat[16], filetype::REGULAR_FILE);
    assert_eq!(u64::from_le_bytes(stat[32..40].try_into().unwrap()), 7);
    // Writable rights in fdstat.
    let base = u64::from_le_bytes(files.fdstat(fd).unwrap()[8..16].try_into().unwrap());
    assert_eq!(base, rights::FILE_WRITABLE);
    let dir = files.fdstat(TMP).unwrap();
    assert_eq!(
        u64::from_le_bytes(dir[8..16].try_into().unwrap()),
        rights::DIR_WRITABLE
    );
    files.check();
}

#[test]
fn open_flags_create_exclusively_truncate_and_append() {
    let mut files = scratch(1 << 20);
    write_file(&mut files, "f", b"old content");
    let open = |files: &mut Files, path: &str, flags, wanted, fd_flags| {
        files.open(
            TMP,
            path.as_bytes(),
            OpenRequest {
                fdflags: fd_flags,
                ..request(FOLLOW, flags, wanted)
            },
        )
    };
    assert_eq!(
        open(&mut files, "f", oflags::CREAT | oflags::EXCL, RW, 0),
        Err(Errno::EXIST)
    );
    let fd = open(&mut files, "f", oflags::TRUNC, RW, 0).unwrap() as i32;
    assert_eq!(read_all(&mut files, fd, 8).unwrap(), b"");
    files.write(fd, b"new").unwrap();
    let app = open(&mut files, "f", 0, RW, fdflags::APPEND).unwrap() as i32;
    assert_eq!(files.write(app, b"+more"), Ok(5));
    assert_eq!(files.tell(app), Ok(8));
    // In append mode pwrite appends too (as Linux).
    assert_eq!(files.pwrite(app, b"!", 0), Ok(1));
    assert_eq!(content(&mut files, TMP, "f").unwrap(), b"new+more!");
    // A file opened without FD_WRITE cannot be written, nor resized.
    let ro = open(&mut files, "f", 0, rights::FD_READ, 0).unwrap() as i32;
    assert_eq!(files.write(ro, b"x"), Err(Errno::BADF));
    assert_eq!(files.set_size(ro, 0), Err(Errno::INVAL));
    // Write-only: no reading.
    let wo = open(&mut files, "f", 0, rights::FD_WRITE, 0).unwrap() as i32;
    assert_eq!(files.read(wo, &mut [0; 4]), Err(Errno::BADF));
    // Directories are not files.
    files.create_directory(TMP, b"d").unwrap();
    assert_eq!(
        open(&mut files, "d", oflags::CREAT, RW, 0),
        Err(Errno::ISDIR)
    );
    assert_eq!(open(&mut files, "d", 0, RW, 0), Err(Errno::ISDIR));
    assert_eq!(
        open(&mut files, ".", oflags::CREAT, RW, 0),
        Err(Errno::ISDIR)
    );
    assert_eq!(
        open(&mut files, "new/", oflags::CREAT, RW, 0),
        Err(Errno::ISDIR)
    );
    assert_eq!(
        open(&mut files, "f/", oflags::CREAT, RW, 0),
        Err(Errno::NOTDIR)
    );
    assert_eq!(
        open(&mut files, "missing/x", oflags::CREAT, RW, 0),
        Err(Errno::NOENT)
    );
    assert_eq!(
        open(&mut files, "../x", oflags::CREAT, RW, 0),
        Err(Errno::PERM)
    );
    assert_eq!(
        open(&mut files, "d", oflags::DIRECTORY | oflags::CREAT, RW, 0),
        Err(Errno::INVAL)
    );
    files.check();
}

#[test]
fn directories_are_made_listed_and_removed() {
    let mut files = scratch(1 << 20);
    assert_eq!(files.create_directory(TMP, b"a"), Ok(()));
    assert_eq!(files.create_directory(TMP, b"a/b/"), Ok(()));
    assert_eq!(files.create_directory(TMP, b"a"), Err(Errno::EXIST));
    assert_eq!(files.create_directory(TMP, b"."), Err(Errno::EXIST));
    assert_eq!(files.create_directory(TMP, b"x/y"), Err(Errno::NOENT));
    write_file(&mut files, "a/file", b"data");
    let a = open_dir(&mut files, TMP, "a").unwrap();
    assert_eq!(
        list(&mut files, a).unwrap(),
        [
            (".".into(), filetype::DIRECTORY),
            ("..".into(), filetype::DIRECTORY),
            ("b".into(), filetype::DIRECTORY),
            ("file".into(), filetype::REGULAR_FILE),
        ]
    );
    assert_eq!(files.remove_directory(TMP, b"a"), Err(Errno::NOTEMPTY));
    assert_eq!(files.remove_directory(TMP, b"a/file"), Err(Errno::NOTDIR));
    assert_eq!(files.remove_directory(TMP, b"a/."), Err(Errno::INVAL));
    assert_eq!(files.remove_directory(TMP, b"a/b/.."), Err(Errno::NOTEMPTY));
    assert_eq!(files.remove_directory(TMP, b".."), Err(Errno::PERM));
    assert_eq!(files.unlink_file(TMP, b"a/b"), Err(Errno::ISDIR));
    assert_eq!(files.unlink_file(TMP, b"a/file/"), Err(Errno::NOTDIR));
    assert_eq!(files.unlink_file(TMP, b"a/nope"), Err(Errno::NOENT));
    assert_eq!(files.unlink_file(TMP, b"a/file"), Ok(()));
    assert_eq!(files.remove_directory(TMP, b"a/b/"), Ok(()));
    assert_eq!(names(&mut files, a), [".", ".."]);
    assert_eq!(files.remove_directory(TMP, b"a"), Ok(()));
    // The open descriptor lives on; nothing can be created in it.
    assert_eq!(names(&mut files, a), [".", ".."]);
    assert_eq!(create(&mut files, "a/x").err(), Some(Errno::NOENT));
    assert_eq!(
        files.open(a, b"x", request(FOLLOW, oflags::CREAT, RW)),
        Err(Errno::NOENT)
    );
    assert_eq!(files.create_directory(a, b"x"), Err(Errno::NOENT));
    let root = open_dir(&mut files, TMP, ".").unwrap();
    assert_eq!(names(&mut files, root), [".", ".."]);
    files.check();
}

#[test]
fn renames_follow_posix() {
    let mut files = scratch(1 << 20);
    write_file(&mut files, "f", b"one");
    write_file(&mut files, "g", b"two");
    files.create_directory(TMP, b"d").unwrap();
    files.create_directory(TMP, b"d/inner").unwrap();
    files.create_directory(TMP, b"e").unwrap();
    // A file over a file replaces it.
    assert_eq!(files.rename(TMP, b"f", TMP, b"g"), Ok(()));
    assert_eq!(content(&mut files, TMP, "g").unwrap(), b"one");
    assert_eq!(open_read(&mut files, TMP, "f"), Err(Errno::NOENT));
    // Into a directory, and under a new name.
    assert_eq!(files.rename(TMP, b"g", TMP, b"d/moved"), Ok(()));
    assert_eq!(content(&mut files, TMP, "d/moved").unwrap(), b"one");
    assert_eq!(files.rename(TMP, b"d/moved", TMP, b"d/moved"), Ok(()));
    // Kinds must agree; a directory replaces only an empty one.
    assert_eq!(files.rename(TMP, b"d/moved", TMP, b"e"), Err(Errno::ISDIR));
    assert_eq!(files.rename(TMP, b"e", TMP, b"d/moved"), Err(Errno::NOTDIR));
    assert_eq!(files.rename(TMP, b"e", TMP, b"d"), Err(Errno::NOTEMPTY));
    assert_eq!(
        files.rename(TMP, b"d/moved/", TMP, b"x"),
        Err(Errno::NOTDIR)
    );
    // Never into itself.
    assert_eq!(
        files.rename(TMP, b"d", TMP, b"d/inner/d"),
        Err(Errno::INVAL)
    );
    assert_eq!(files.rename(TMP, b"d", TMP, b"d/x"), Err(Errno::INVAL));
    assert_eq!(files.rename(TMP, b".", TMP, b"x"), Err(Errno::BUSY));
    assert_eq!(files.rename(TMP, b"missing", TMP, b"x"), Err(Errno::NOENT));
    // A whole directory moves with what is in it.
    assert_eq!(files.rename(TMP, b"d", TMP, b"e/d2"), Ok(()));
    assert_eq!(content(&mut files, TMP, "e/d2/moved").unwrap(), b"one");
    let e = open_dir(&mut files, TMP, "e/d2").unwrap();
    assert_eq!(names(&mut files, e), [".", "..", "inner", "moved"]);
    // Over an empty directory.
    files.create_directory(TMP, b"empty").unwrap();
    assert_eq!(files.rename(TMP, b"e/d2/inner", TMP, b"empty"), Ok(()));
    // Between the scratch directory and a read-only tree: EPERM.
    let preopens = Preopens::default()
        .with_tree("/lib", sample_tree())
        .unwrap()
        .with_scratch("/tmp", 1 << 20)
        .unwrap();
    let mut files = Files::new(&preopens, 1024);
    assert_eq!(files.rename(3, b"a.txt", 4, b"a.txt"), Err(Errno::PERM));
    assert_eq!(files.rename(4, b"x", 3, b"x"), Err(Errno::PERM));
    files.check();
}

#[test]
fn the_quota_bounds_bytes_names_and_nodes() {
    let quota = 1000;
    let mut files = scratch(quota);
    let fd = create(&mut files, "f").unwrap();
    let charged = NODE_COST + 1;
    assert_eq!(files.scratch_used(), charged);
    // A write past the quota is cut short, then refused.
    let room = (quota - charged) as usize;
    assert_eq!(files.write(fd, &vec![1; room + 50]), Ok(room));
    assert_eq!(files.write(fd, b"x"), Err(Errno::NOSPC));
    assert_eq!(files.pwrite(fd, b"x", 5000), Err(Errno::NOSPC));
    assert_eq!(files.set_size(fd, quota), Err(Errno::NOSPC));
    assert_eq!(create(&mut files, "g"), Err(Errno::NOSPC));
    assert_eq!(files.create_directory(TMP, b"d"), Err(Errno::NOSPC));
    // Overwriting in place needs no room.
    assert_eq!(files.pwrite(fd, b"yy", 0), Ok(2));
    assert_eq!(files.scratch_used(), quota);
    // Truncating gives room back.
    files.set_size(fd, 100).unwrap();
    assert_eq!(files.scratch_used(), charged + 100);
    assert!(create(&mut files, "g").is_ok());
    // Removing a file gives back all it cost, once closed.
    files.unlink_file(TMP, b"f").unwrap();
    assert_eq!(files.scratch_used(), charged + 100 + NODE_COST + 1);
    files.close(fd).unwrap();
    assert_eq!(files.scratch_used(), NODE_COST + 1);
    // Empty files cost too: they cannot exhaust memory.
    let mut files = scratch(10 * NODE_COST);
    let mut made = 0;
    while files
        .create_directory(TMP, format!("d{made}").as_bytes())
        .is_ok()
    {
        made += 1;
    }
    assert_eq!(made, 9);
    files.check();
}

#[test]
fn an_unlinked_file_lives_on_while_open() {
    let mut files = scratch(1 << 20);
    write_file(&mut files, "f", b"still here");
    let fd = open_read(&mut files, TMP, "f").unwrap();
    files.unlink_file(TMP, b"f").unwrap();
    assert_eq!(open_read(&mut files, TMP, "f"), Err(Errno::NOENT));
    assert_eq!(read_all(&mut files, fd, 3).unwrap(), b"still here");
    let stat = files.filestat(fd).unwrap();
    assert_eq!(
        u64::from_le_bytes(stat[24..32].try_into().unwrap()),
        0,
        "nlink"
    );
    // A new file of that name is another file.
    write_file(&mut files, "f", b"new");
    assert_eq!(files.seek(fd, 0, whence::SET), Ok(0));
    assert_eq!(read_all(&mut files, fd, 3).unwrap(), b"still here");
    files.close(fd).unwrap();
    assert_eq!(content(&mut files, TMP, "f").unwrap(), b"new");
    // Renumbering over a descriptor closes it, and frees its node.
    let a = open_read(&mut files, TMP, "f").unwrap();
    let b = create(&mut files, "g").unwrap();
    files.unlink_file(TMP, b"f").unwrap();
    let before = files.scratch_used();
    files.renumber(b, a).unwrap();
    assert_eq!(files.scratch_used(), before - NODE_COST - 1 - 3);
    files.check();
}

#[test]
fn each_instance_starts_with_an_empty_scratch_directory() {
    let preopens = Preopens::default().with_scratch("/tmp", 1 << 20).unwrap();
    let mut first = Files::new(&preopens, 1024);
    write_file(&mut first, "left-over", b"x");
    let mut second = Files::new(&preopens, 1024);
    assert_eq!(open_read(&mut second, TMP, "left-over"), Err(Errno::NOENT));
    assert_eq!(second.scratch_used(), 0);
    let root = open_dir(&mut second, TMP, ".").unwrap();
    assert_eq!(names(&mut second, root), [".", ".."]);
    first.check();
    second.check();
}

#[test]
fn times_can_be_set() {
    let mut files = scratch(1 << 20);
    write_file(&mut files, "f", b"");
    let mtime = |files: &mut Files| {
        let stat = files.path_filestat(TMP, 0, b"f").unwrap();
        (
            u64::from_le_bytes(stat[40..48].try_into().unwrap()),
            u64::from_le_bytes(stat[48..56].try_into().unwrap()),
        )
    };
    assert_eq!(
        files.path_set_times(TMP, FOLLOW, b"f", (11, 22, fstflags::ATIM | fstflags::MTIM)),
        Ok(())
    );
    assert_eq!(mtime(&mut files), (11, 22));
    let fd = open_read(&mut files, TMP, "f").unwrap();
    assert_eq!(files.set_times(fd, 0, 33, fstflags::MTIM), Ok(()));
    assert_eq!(mtime(&mut files), (11, 33));
    assert_eq!(
        files.set_times(fd, 0, 0, fstflags::MTIM | fstflags::MTIM_NOW),
        Err(Errno::INVAL)
    );
    assert_eq!(files.set_times(fd, 0, 0, 1 << 4), Err(Errno::INVAL));
    assert_eq!(files.set_times(fd, 0, 0, fstflags::MTIM_NOW), Ok(()));
    assert!(mtime(&mut files).1 > 1_600_000_000_000_000_000);
    files.check();
}

#[test]
fn no_links_in_the_scratch_directory() {
    let mut files = scratch(1 << 20);
    write_file(&mut files, "f", b"x");
    assert_eq!(files.symlink(b"f", TMP, b"l"), Err(Errno::PERM));
    assert_eq!(files.link(TMP, 0, b"f", TMP, b"l"), Err(Errno::PERM));
    assert_eq!(files.link(TMP, FOLLOW, b"f", TMP, b"l"), Err(Errno::INVAL));
    assert_eq!(files.readlink(TMP, b"f", &mut [0; 8]), Err(Errno::INVAL));
    files.check();
}

#[test]
fn zero_filling_is_charged_like_copying() {
    let mut files = scratch(1 << 20);
    let fd = create(&mut files, "f").unwrap();
    files.take_fuel();
    files.set_size(fd, 800_000).unwrap();
    assert!(files.take_fuel() >= 100_000);
    files.set_size(fd, 0).unwrap();
    files.take_fuel();
    assert_eq!(files.pwrite(fd, b"x", 799_999), Ok(1));
    assert!(files.take_fuel() >= 100_000);
    files.check();
}
