//! Loading a tree from a host directory.

use std::{
    fs,
    path::{Path, PathBuf},
    sync::atomic::{AtomicU32, Ordering},
};

use super::*;
use crate::files::EntryError;

/// A fresh directory under the system's temporary directory, removed when
/// dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "wasmi-hdk-files-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }

    fn file(&self, relative: &str, data: &[u8]) {
        let path = self.0.join(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, data).unwrap();
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn limits() -> ArchiveLimits {
    ArchiveLimits::default()
}

#[test]
fn a_host_directory_is_read_once_at_load() {
    let dir = TempDir::new();
    dir.file("a.txt", b"from the host");
    dir.file("pkg/mod.py", b"x = 1");
    fs::create_dir(dir.path().join("empty")).unwrap();
    let tree = FileTree::from_host_dir(dir.path(), &limits()).unwrap();
    // Changes on the host after loading are not seen.
    dir.file("a.txt", b"changed");
    dir.file("late.txt", b"");
    let mut files = files_with(tree);
    assert_eq!(content(&mut files, LIB, "a.txt").unwrap(), b"from the host");
    assert_eq!(content(&mut files, LIB, "pkg/mod.py").unwrap(), b"x = 1");
    let root = open_dir(&mut files, LIB, ".").unwrap();
    assert_eq!(
        names(&mut files, root),
        [".", "..", "a.txt", "empty", "pkg"]
    );
    // Times come from the host.
    let stat = files.path_filestat(LIB, 0, b"a.txt").unwrap();
    assert!(u64::from_le_bytes(stat[48..56].try_into().unwrap()) > 1_600_000_000_000_000_000);
}

#[test]
fn a_missing_root_or_a_file_as_root_is_an_io_error() {
    let dir = TempDir::new();
    dir.file("f", b"");
    for root in [dir.path().join("missing"), dir.path().join("f")] {
        assert!(matches!(
            FileTree::from_host_dir(&root, &limits()),
            Err(FilesError::Io { path, .. }) if path == root
        ));
    }
}

#[test]
fn limits_apply_to_a_host_directory() {
    let dir = TempDir::new();
    for i in 0..20 {
        dir.file(&format!("f{i}"), b"1234567890");
    }
    assert!(matches!(
        FileTree::from_host_dir(dir.path(), &limits().with_max_entries(10)),
        Err(FilesError::TooManyEntries { limit: 10 })
    ));
    assert!(matches!(
        FileTree::from_host_dir(dir.path(), &limits().with_max_total_bytes(150)),
        Err(FilesError::TooManyBytes { limit: 150 })
    ));
    assert!(matches!(
        entry_error(FileTree::from_host_dir(
            dir.path(),
            &limits().with_max_file_bytes(5)
        ))
        .1,
        EntryError::FileTooLarge { size: 10, limit: 5 }
    ));
}

#[cfg(unix)]
#[test]
fn host_symlinks_are_kept_inside_and_refused_outside() {
    use std::os::unix::fs::symlink;

    let dir = TempDir::new();
    dir.file("data/real.txt", b"real");
    symlink("data/real.txt", dir.path().join("inside")).unwrap();
    let tree = FileTree::from_host_dir(dir.path(), &limits()).unwrap();
    let mut files = files_with(tree);
    assert_eq!(content(&mut files, LIB, "inside").unwrap(), b"real");
    let mut target = [0; 32];
    assert_eq!(files.readlink(LIB, b"inside", &mut target), Ok(13));

    for (name, target) in [
        ("up", "../outside"),
        ("abs", "/etc/passwd"),
        ("deep", "data/../../x"),
    ] {
        let dir = TempDir::new();
        dir.file("ok", b"");
        symlink(target, dir.path().join(name)).unwrap();
        let (path, reason) = entry_error(FileTree::from_host_dir(dir.path(), &limits()));
        assert_eq!(path, name);
        assert!(
            matches!(reason, EntryError::SymlinkEscapes { .. }),
            "{reason:?}"
        );
    }
    // A symlinked directory is never followed on the host.
    let outside = TempDir::new();
    outside.file("secret", b"s");
    let dir = TempDir::new();
    symlink(outside.path(), dir.path().join("link")).unwrap();
    assert!(matches!(
        entry_error(FileTree::from_host_dir(dir.path(), &limits())).1,
        EntryError::SymlinkEscapes { .. }
    ));
}

#[cfg(unix)]
#[test]
fn fifos_and_names_that_are_not_utf8_are_refused() {
    use std::{ffi::OsStr, os::unix::ffi::OsStrExt};

    let dir = TempDir::new();
    let fifo = dir.path().join("pipe");
    let c_path = std::ffi::CString::new(fifo.as_os_str().as_bytes()).unwrap();
    // Safety: `c_path` is a valid NUL-terminated path that outlives the call.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
    assert_eq!(
        entry_error(FileTree::from_host_dir(dir.path(), &limits())),
        (
            "pipe".into(),
            EntryError::Unsupported("device, FIFO or socket")
        )
    );

    let dir = TempDir::new();
    let name = OsStr::from_bytes(b"bad\xffname");
    if fs::write(dir.path().join(name), b"").is_ok() {
        assert_eq!(
            entry_error(FileTree::from_host_dir(dir.path(), &limits())),
            ("/bad\u{fffd}name".into(), EntryError::InvalidUtf8)
        );
    }
}
