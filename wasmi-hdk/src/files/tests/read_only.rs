//! The WASI calls on a read-only tree.

use super::*;
use crate::files::{
    abi::{ADVICE_MAX, fdflags, filetype, fstflags, whence},
    node::{NodeId, TreeView},
};

fn filestat_field(stat: &[u8; 64], at: usize) -> u64 {
    u64::from_le_bytes(stat[at..at + 8].try_into().unwrap())
}

#[test]
fn preopens_are_announced_from_fd_3() {
    let preopens = Preopens::default()
        .with_tree("/lib", sample_tree())
        .unwrap()
        .with_tree("/assets", FileTree::default())
        .unwrap();
    let mut files = Files::new(&preopens, 1024);
    assert_eq!(files.prestat(3), Ok([0, 0, 0, 0, 4, 0, 0, 0]));
    assert_eq!(files.prestat(4), Ok([0, 0, 0, 0, 7, 0, 0, 0]));
    // How wasi-libc finds the end of the preopens.
    assert_eq!(files.prestat(5), Err(Errno::BADF));
    assert_eq!(files.prestat(2), Err(Errno::BADF));
    assert_eq!(files.prestat_dir_name(3, 4), Ok("/lib"));
    assert_eq!(files.prestat_dir_name(4, 100), Ok("/assets"));
    assert_eq!(files.prestat_dir_name(4, 6), Err(Errno::NAMETOOLONG));
    assert_eq!(files.prestat_dir_name(9, 100), Err(Errno::BADF));
    // A directory opened with path_open is no preopen.
    let sub = open_dir(&mut files, LIB, "sub").unwrap();
    assert_eq!(sub, 5);
    assert_eq!(files.prestat(sub), Err(Errno::BADF));
    assert_eq!(files.prestat_dir_name(sub, 100), Err(Errno::NOTDIR));
    // Devices tell the preopens apart; inode numbers the nodes.
    let dev = |files: &Files, fd| filestat_field(&files.filestat(fd).unwrap(), 0);
    assert_eq!(
        (dev(&files, 3), dev(&files, 4), dev(&files, sub)),
        (1, 2, 1)
    );
}

#[test]
fn preopen_names_are_checked() {
    for name in ["", "a\0b"] {
        assert!(matches!(
            Preopens::default().with_tree(name, FileTree::default()),
            Err(FilesError::Preopen { .. })
        ));
    }
    assert!(matches!(
        Preopens::default()
            .with_scratch("/tmp", 1)
            .unwrap()
            .with_scratch("/tmp2", 1),
        Err(FilesError::Preopen { .. })
    ));
}

#[test]
fn instances_share_the_tree_and_its_bytes() {
    let preopens = Preopens::default()
        .with_tree("/lib", sample_tree())
        .unwrap();
    let mut one = Files::new(&preopens, 1024);
    let mut two = Files::new(&preopens, 1024);
    let tree = |files: &Files| match &files.fds.get(LIB).unwrap().at().mount {
        crate::files::fd_table::Mount::Tree(tree) => tree.clone(),
        crate::files::fd_table::Mount::Scratch => unreachable!(),
    };
    assert!(tree(&one).same_tree(&tree(&two)));
    let bytes = |tree: FileTree| {
        let file = tree.lookup(NodeId::ROOT, "a.txt").unwrap();
        tree.data(file).as_ptr()
    };
    assert_eq!(bytes(tree(&one)), bytes(tree(&two)));
    // Positions are each instance's own.
    let a = open_read(&mut one, LIB, "a.txt").unwrap();
    let b = open_read(&mut two, LIB, "a.txt").unwrap();
    assert_eq!(read_all(&mut one, a, 4).unwrap(), b"hello, world");
    assert_eq!(read_all(&mut two, b, 100).unwrap(), b"hello, world");
}

#[test]
fn reading_seeking_and_telling() {
    let mut files = files_with(sample_tree());
    let fd = open_read(&mut files, LIB, "a.txt").unwrap();
    assert_eq!(fd, 4);
    let mut buf = [0; 5];
    assert_eq!(files.read(fd, &mut buf), Ok(5));
    assert_eq!(&buf, b"hello");
    assert_eq!(files.tell(fd), Ok(5));
    // pread leaves the position alone.
    assert_eq!(files.pread(fd, &mut buf, 7), Ok(5));
    assert_eq!(&buf, b"world");
    assert_eq!(files.pread(fd, &mut buf, 100), Ok(0));
    assert_eq!(files.tell(fd), Ok(5));
    assert_eq!(files.poll_nbytes(fd), Ok(7));
    assert_eq!(files.seek(fd, -5, whence::END), Ok(7));
    assert_eq!(read_all(&mut files, fd, 2).unwrap(), b"world");
    assert_eq!(files.seek(fd, -12, whence::CUR), Ok(0));
    assert_eq!(files.seek(fd, 100, whence::SET), Ok(100));
    assert_eq!(files.read(fd, &mut buf), Ok(0));
    assert_eq!(files.poll_nbytes(fd), Ok(0));
    // Before the start, or past u64, or a bad whence: EINVAL, position kept.
    assert_eq!(files.seek(fd, -1, whence::SET), Err(Errno::INVAL));
    assert_eq!(files.seek(fd, -101, whence::CUR), Err(Errno::INVAL));
    assert_eq!(files.seek(fd, -13, whence::END), Err(Errno::INVAL));
    assert_eq!(files.seek(fd, 0, 3), Err(Errno::INVAL));
    assert_eq!(files.tell(fd), Ok(100));
    assert_eq!(
        files.seek(fd, i64::MAX, whence::CUR),
        Ok(100 + i64::MAX as u64)
    );
    assert_eq!(files.seek(fd, i64::MAX, whence::CUR), Err(Errno::INVAL));
    // Reading through a symlink; an empty file.
    assert_eq!(content(&mut files, LIB, "link_a").unwrap(), b"hello, world");
    assert_eq!(content(&mut files, LIB, "empty").unwrap(), b"");
    assert!(files.take_fuel() > 0);
}

#[test]
fn directories_and_files_answer_only_their_own_calls() {
    let mut files = files_with(sample_tree());
    let file = open_read(&mut files, LIB, "a.txt").unwrap();
    let dir = open_dir(&mut files, LIB, "sub").unwrap();
    let mut buf = [0; 8];
    assert_eq!(files.read(dir, &mut buf), Err(Errno::BADF));
    assert_eq!(files.pread(dir, &mut buf, 0), Err(Errno::BADF));
    assert_eq!(files.seek(dir, 0, whence::SET), Err(Errno::BADF));
    assert_eq!(files.tell(dir), Err(Errno::BADF));
    assert_eq!(files.advise(dir, 0, 0, 0), Err(Errno::BADF));
    assert_eq!(files.sync(dir), Err(Errno::BADF));
    assert_eq!(files.poll_nbytes(dir), Err(Errno::BADF));
    assert_eq!(files.readdir(file, 0, &mut buf), Err(Errno::BADF));
    // path_open from a file is ENOTDIR, other path calls EBADF.
    assert_eq!(open_read(&mut files, file, "x"), Err(Errno::NOTDIR));
    assert_eq!(files.path_filestat(file, 0, b"x"), Err(Errno::BADF));
    assert_eq!(files.advise(file, 0, 10, ADVICE_MAX), Ok(()));
    assert_eq!(files.advise(file, 0, 10, ADVICE_MAX + 1), Err(Errno::INVAL));
    assert_eq!(files.allocate(file, 0, 10), Err(Errno::NOTSUP));
    assert_eq!(files.sync(file), Ok(()));
    assert_eq!(files.set_rights(file), Err(Errno::NOTSUP));
    assert_eq!(files.set_rights(99), Err(Errno::BADF));
    // Nothing that is not ours.
    for fd in [-1, 0, 1, 2, 99] {
        assert_eq!(files.read(fd, &mut buf), Err(Errno::BADF));
        assert_eq!(files.fdstat(fd), Err(Errno::BADF));
        assert_eq!(files.close(fd), Err(Errno::BADF));
        assert!(!files.is_open(fd));
    }
}

#[test]
fn fdstat_reports_types_and_read_only_rights() {
    let mut files = files_with(sample_tree());
    let file = open_read(&mut files, LIB, "a.txt").unwrap();
    let dir = files.fdstat(LIB).unwrap();
    assert_eq!(dir[0], filetype::DIRECTORY);
    let base = u64::from_le_bytes(dir[8..16].try_into().unwrap());
    let inheriting = u64::from_le_bytes(dir[16..24].try_into().unwrap());
    assert_eq!(base, rights::DIR_READ_ONLY);
    assert_eq!(inheriting, rights::DIR_READ_ONLY | rights::FILE_READ_ONLY);
    // What old wasi-libc demands before opening for reading and listing.
    assert_ne!(inheriting & rights::FD_READ, 0);
    assert_ne!(inheriting & rights::FD_READDIR, 0);
    assert_eq!(inheriting & rights::FD_WRITE, 0);
    let stat = files.fdstat(file).unwrap();
    assert_eq!(stat[0], filetype::REGULAR_FILE);
    let base = u64::from_le_bytes(stat[8..16].try_into().unwrap());
    assert_eq!(base, rights::FILE_READ_ONLY);
    assert_eq!(base & rights::FD_WRITE, 0);
    // Flags: APPEND and NONBLOCK are kept, the sync ones refused.
    assert_eq!(
        files.set_fd_flags(file, fdflags::APPEND | fdflags::NONBLOCK),
        Ok(())
    );
    assert_eq!(files.fdstat(file).unwrap()[2..4], [5, 0]);
    assert_eq!(files.set_fd_flags(file, fdflags::SYNC), Err(Errno::INVAL));
    assert_eq!(files.set_fd_flags(file, 1 << 5), Err(Errno::INVAL));
    assert_eq!(files.set_fd_flags(LIB, 0), Err(Errno::BADF));
}

#[test]
fn filestat_by_descriptor_and_by_path() {
    let mut files = files_with(sample_tree());
    let fd = open_read(&mut files, LIB, "a.txt").unwrap();
    let by_fd = files.filestat(fd).unwrap();
    assert_eq!(by_fd[16], filetype::REGULAR_FILE);
    assert_eq!(filestat_field(&by_fd, 32), 12);
    assert_eq!(filestat_field(&by_fd, 24), 1);
    assert_eq!(
        files.path_filestat(LIB, lookupflags::SYMLINK_FOLLOW, b"a.txt"),
        Ok(by_fd)
    );
    assert_eq!(
        files.path_filestat(LIB, lookupflags::SYMLINK_FOLLOW, b"link_a"),
        Ok(by_fd)
    );
    // Not followed: the symlink, whose size is its target's length.
    let link = files.path_filestat(LIB, 0, b"link_a").unwrap();
    assert_eq!(link[16], filetype::SYMBOLIC_LINK);
    assert_eq!(filestat_field(&link, 32), 5);
    assert_ne!(filestat_field(&link, 8), filestat_field(&by_fd, 8));
    let dir = files.path_filestat(LIB, 0, b"sub").unwrap();
    assert_eq!(dir[16], filetype::DIRECTORY);
    assert_eq!(files.path_filestat(LIB, 0, b"../x"), Err(Errno::PERM));
    assert_eq!(files.path_filestat(LIB, 0, b"nope"), Err(Errno::NOENT));
    assert_eq!(files.path_filestat(LIB, 0, b"\xff"), Err(Errno::ILSEQ));
    assert_eq!(files.path_filestat(LIB, 0, b"a\0"), Err(Errno::INVAL));
}

#[test]
fn path_open_follows_the_flags() {
    let mut files = files_with(sample_tree());
    let follow = lookupflags::SYMLINK_FOLLOW;
    let open = |files: &mut Files, path: &str, lookup, flags| {
        files.open(
            LIB,
            path.as_bytes(),
            request(lookup, flags, rights::FD_READ),
        )
    };
    assert_eq!(open(&mut files, "link_a", 0, 0), Err(Errno::LOOP));
    assert!(open(&mut files, "link_a", follow, 0).is_ok());
    assert_eq!(
        open(&mut files, "a.txt", follow, oflags::DIRECTORY),
        Err(Errno::NOTDIR)
    );
    assert_eq!(open(&mut files, "a.txt/", follow, 0), Err(Errno::NOTDIR));
    // A directory opens with or without O_DIRECTORY.
    let dir = open(&mut files, "sub", follow, 0).unwrap() as i32;
    assert_eq!(files.fdstat(dir).unwrap()[0], filetype::DIRECTORY);
    assert_eq!(
        open(&mut files, "sub", follow, oflags::DIRECTORY | oflags::EXCL),
        Err(Errno::INVAL)
    );
    let sync = OpenRequest {
        fdflags: fdflags::DSYNC,
        ..request(follow, 0, rights::FD_READ)
    };
    assert_eq!(files.open(LIB, b"a.txt", sync), Err(Errno::NOTSUP));
    assert_eq!(open(&mut files, "loop1", follow, 0), Err(Errno::LOOP));
    assert_eq!(open(&mut files, "nope", follow, 0), Err(Errno::NOENT));
    assert_eq!(open(&mut files, "/a.txt", follow, 0), Err(Errno::PERM));
}

#[test]
fn a_read_only_tree_refuses_every_write_with_wasmtimes_errno() {
    let mut files = files_with(sample_tree());
    let follow = lookupflags::SYMLINK_FOLLOW;
    // Refused before the path is looked at: missing paths too.
    for path in ["a.txt", "missing", "sub/new"] {
        for (flags, wanted) in [
            (oflags::CREAT, rights::FD_READ),
            (oflags::TRUNC, rights::FD_READ),
            (oflags::CREAT | oflags::EXCL, rights::FD_READ),
            (0, rights::FD_WRITE),
            (0, rights::FD_READ | rights::FD_WRITE),
        ] {
            assert_eq!(
                files.open(LIB, path.as_bytes(), request(follow, flags, wanted)),
                Err(Errno::PERM),
                "{path} {flags} {wanted}"
            );
        }
        let p = path.as_bytes();
        assert_eq!(files.create_directory(LIB, p), Err(Errno::PERM));
        assert_eq!(files.remove_directory(LIB, p), Err(Errno::PERM));
        assert_eq!(files.unlink_file(LIB, p), Err(Errno::PERM));
        assert_eq!(files.rename(LIB, p, LIB, b"other"), Err(Errno::PERM));
        assert_eq!(files.symlink(b"a.txt", LIB, p), Err(Errno::PERM));
        assert_eq!(files.link(LIB, 0, b"a.txt", LIB, p), Err(Errno::PERM));
        assert_eq!(
            files.path_set_times(LIB, follow, p, (0, 0, fstflags::MTIM)),
            Err(Errno::PERM)
        );
    }
    let fd = open_read(&mut files, LIB, "a.txt").unwrap();
    assert_eq!(files.write(fd, b"x"), Err(Errno::BADF));
    assert_eq!(files.pwrite(fd, b"x", 0), Err(Errno::BADF));
    assert_eq!(files.set_size(fd, 0), Err(Errno::PERM));
    assert_eq!(
        files.set_times(fd, 0, 0, fstflags::MTIM_NOW),
        Err(Errno::PERM)
    );
    assert_eq!(files.set_times(LIB, 0, 0, fstflags::ATIM), Err(Errno::PERM));
    assert_eq!(
        files.set_times(fd, 0, 0, fstflags::ATIM | fstflags::ATIM_NOW),
        Err(Errno::INVAL)
    );
    // Nothing changed.
    assert_eq!(content(&mut files, LIB, "a.txt").unwrap(), b"hello, world");
}

#[test]
fn readlink_copies_the_target() {
    let mut files = files_with(sample_tree());
    let mut buf = [0; 64];
    assert_eq!(files.readlink(LIB, b"link_a", &mut buf), Ok(5));
    assert_eq!(&buf[..5], b"a.txt");
    assert_eq!(files.readlink(LIB, b"sub/esc", &mut buf[..3]), Ok(3));
    assert_eq!(&buf[..3], b"../");
    assert_eq!(files.readlink(LIB, b"a.txt", &mut buf), Err(Errno::INVAL));
    assert_eq!(files.readlink(LIB, b"sub", &mut buf), Err(Errno::INVAL));
    assert_eq!(
        files.readlink(LIB, b"link_sub/", &mut buf),
        Err(Errno::INVAL)
    );
    assert_eq!(files.readlink(LIB, b"nope", &mut buf), Err(Errno::NOENT));
}

#[test]
fn an_opened_directory_is_a_sandbox_of_its_own() {
    let mut files = files_with(sample_tree());
    let sub = open_dir(&mut files, LIB, "sub").unwrap();
    assert_eq!(content(&mut files, sub, "b.txt").unwrap(), b"bee");
    assert_eq!(content(&mut files, sub, "deeper/../b.txt").unwrap(), b"bee");
    assert_eq!(open_read(&mut files, sub, "../a.txt"), Err(Errno::PERM));
    assert_eq!(open_read(&mut files, sub, "esc"), Err(Errno::PERM));
    assert_eq!(open_dir(&mut files, sub, ".."), Err(Errno::PERM));
    // Through the preopen, the same symlink resolves.
    assert_eq!(
        content(&mut files, LIB, "sub/esc").unwrap(),
        b"hello, world"
    );
}

#[test]
fn readdir_lists_in_name_order_with_cookies() {
    let mut files = files_with(sample_tree());
    let sub = open_dir(&mut files, LIB, "sub").unwrap();
    assert_eq!(
        list(&mut files, sub).unwrap(),
        [
            (".".into(), filetype::DIRECTORY),
            ("..".into(), filetype::DIRECTORY),
            ("b.txt".into(), filetype::REGULAR_FILE),
            ("deeper".into(), filetype::DIRECTORY),
            ("esc".into(), filetype::SYMBOLIC_LINK),
        ]
    );
    // A cookie resumes where d_next said; past the end lists nothing.
    let mut buf = [0; 256];
    let used = files.readdir(sub, 3, &mut buf).unwrap();
    assert_eq!(used, 2 * DIRENT_SIZE + "deeper".len() + "esc".len());
    assert_eq!(files.readdir(sub, 5, &mut buf), Ok(0));
    // `.`'s and an entry's inode numbers are those filestat reports.
    let ino = |stat: [u8; 64]| filestat_field(&stat, 8);
    assert_eq!(
        u64::from_le_bytes(buf[8..16].try_into().unwrap()),
        ino(files.path_filestat(sub, 0, b"deeper").unwrap())
    );
    let used = files.readdir(sub, 0, &mut buf).unwrap();
    assert!(used > 0);
    assert_eq!(
        u64::from_le_bytes(buf[8..16].try_into().unwrap()),
        ino(files.filestat(sub).unwrap())
    );
}

#[test]
fn open_descriptors_are_bounded_then_reused() {
    let preopens = Preopens::default()
        .with_tree("/lib", sample_tree())
        .unwrap();
    let mut files = Files::new(&preopens, 3);
    assert_eq!(open_read(&mut files, LIB, "a.txt"), Ok(4));
    assert_eq!(open_read(&mut files, LIB, "sub/b.txt"), Ok(5));
    assert_eq!(open_read(&mut files, LIB, "a.txt"), Err(Errno::MFILE));
    assert_eq!(files.close(4), Ok(()));
    assert_eq!(open_read(&mut files, LIB, "sub/b.txt"), Ok(4));
    // The limit never hides a preopen.
    let preopens = Preopens::default()
        .with_tree("/a", FileTree::default())
        .unwrap()
        .with_tree("/b", FileTree::default())
        .unwrap();
    let files = Files::new(&preopens, 1);
    assert!(files.is_open(3) && files.is_open(4));
}

#[test]
fn close_and_renumber() {
    let mut files = files_with(sample_tree());
    let a = open_read(&mut files, LIB, "a.txt").unwrap();
    let b = open_read(&mut files, LIB, "sub/b.txt").unwrap();
    assert_eq!(files.renumber(a, b), Ok(()));
    assert!(!files.is_open(a));
    assert_eq!(read_all(&mut files, b, 100).unwrap(), b"hello, world");
    assert_eq!(files.renumber(b, b), Ok(()));
    assert_eq!(files.renumber(b, 77), Err(Errno::BADF));
    assert_eq!(files.renumber(77, b), Err(Errno::BADF));
    // A preopen can be closed; its number is then free.
    assert_eq!(files.close(LIB), Ok(()));
    assert_eq!(files.prestat(LIB), Err(Errno::BADF));
    assert_eq!(files.close(LIB), Err(Errno::BADF));
}

#[test]
fn work_is_charged_as_fuel() {
    let mut files = files_with(
        FileTree::from_tar(
            &tar_of(&[Entry::File("big", &[7; 8000])]),
            &ArchiveLimits::default(),
        )
        .unwrap(),
    );
    files.take_fuel();
    let fd = open_read(&mut files, LIB, "big").unwrap();
    let open = files.take_fuel();
    assert!(open > 0);
    assert_eq!(files.take_fuel(), 0);
    let mut buf = vec![0; 8000];
    files.read(fd, &mut buf).unwrap();
    assert!(files.take_fuel() >= 1000);
    let mut files = files_with(sample_tree());
    files.take_fuel();
    files.path_filestat(LIB, 0, b"a.txt").unwrap();
    let short = files.take_fuel();
    files
        .path_filestat(LIB, 0, "sub/../".repeat(100).as_bytes())
        .unwrap();
    assert!(files.take_fuel() > 50 * short);
}
