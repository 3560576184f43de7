//! Entry points of the cargo-fuzz targets in `fuzz/` (feature `fuzzing`,
//! re-exported as `wasmi_hdk::__fuzz`): they reach what is crate-internal
//! and check its invariants. Not an API.

#![expect(
    missing_docs,
    reason = "fuzzer inputs: a call's arguments, named as in WASI"
)]

use arbitrary::Arbitrary;

use super::{
    ArchiveLimits, Errno, FileTree, Files, OpenRequest, Preopens,
    builder::TreeBuilder,
    node::{Kind, NodeId, TreeView},
    resolve::{Last, guest_path, resolve, resolve_parent},
    tree::Node,
};

/// The limits archives are loaded with here: small, so that every bound
/// is within the fuzzer's reach.
fn small_limits() -> ArchiveLimits {
    ArchiveLimits::default()
        .with_max_entries(200)
        .with_max_total_bytes(64 << 10)
        .with_max_file_bytes(16 << 10)
        .with_max_path_len(200)
        .with_max_depth(12)
}

/// Loads `bytes` as a tar, a zip, and either: each load must end with a
/// tree that keeps every bound and rule, or an error that says something.
pub fn load_archive(bytes: &[u8]) {
    let limits = small_limits();
    for result in [
        FileTree::from_tar(bytes, &limits),
        FileTree::from_zip(bytes, &limits),
        FileTree::from_archive(bytes, &limits),
    ] {
        match result {
            Ok(tree) => check_tree(&tree, &limits),
            Err(error) => assert!(!error.to_string().is_empty()),
        }
    }
}

/// Panics unless `tree` is a tree (every node in exactly one directory)
/// within `limits`, with valid, sorted names, and every symlink resolves
/// within it.
fn check_tree(tree: &FileTree, limits: &ArchiveLimits) {
    assert!(tree.node_count() <= limits.max_entries() + 1);
    let mut reached = vec![false; tree.node_count()];
    reached[0] = true;
    let mut total = 0;
    let mut pending = vec![(NodeId::ROOT, 0, String::new())];
    let mut links = Vec::new();
    while let Some((dir, depth, dir_path)) = pending.pop() {
        let entries = tree.entries(dir);
        assert!(
            entries.windows(2).all(|w| w[0].0 < w[1].0),
            "sorted, unique names"
        );
        assert!(depth < limits.max_depth() || entries.is_empty());
        for (name, node) in entries {
            assert!(
                !name.is_empty()
                    && name.len() <= 255
                    && name.as_ref() != "."
                    && name.as_ref() != ".."
            );
            assert!(!name.contains(['/', '\\', '\0']), "{name:?}");
            assert!(
                !core::mem::replace(&mut reached[node.index()], true),
                "one place"
            );
            let path = format!("{dir_path}{name}/");
            match tree.node(*node) {
                Node::Dir(_) => pending.push((*node, depth + 1, path)),
                Node::File(data) => {
                    assert!(data.len() as u64 <= limits.max_file_bytes());
                    total += data.len() as u64;
                }
                Node::Symlink(target) => {
                    assert!(
                        !target.is_empty() && !target.starts_with('/') && !target.contains('\0')
                    );
                    assert!(target.len() <= limits.max_path_len());
                    links.push(path);
                }
            }
        }
    }
    assert!(reached.iter().all(|r| *r), "every node in a directory");
    assert_eq!(total, tree.file_bytes());
    assert!(total <= limits.max_total_bytes());
    for link in links {
        // Followed from the root, a checked target never leaves the tree.
        let link = link.trim_end_matches('/');
        let result = resolve(tree, NodeId::ROOT, link, true, &mut 0);
        assert!(
            matches!(
                result,
                Ok(_) | Err(Errno::NOENT | Errno::NOTDIR | Errno::LOOP)
            ),
            "{link:?}: {result:?}"
        );
    }
}

/// An entry of a tree to build.
#[derive(Debug, Arbitrary)]
pub enum TreeEntry {
    Dir(Vec<u8>),
    File(Vec<u8>, Vec<u8>),
    Symlink(Vec<u8>, Vec<u8>),
}

/// A path to resolve from a base directory (itself a path from the root).
#[derive(Debug, Arbitrary)]
pub struct Query {
    pub base: Vec<u8>,
    pub path: Vec<u8>,
    pub follow: bool,
}

fn build(entries: &[TreeEntry]) -> FileTree {
    let limits = small_limits();
    let mut builder = TreeBuilder::new(&limits);
    for entry in entries {
        // Refused entries are left out.
        let _ = match entry {
            TreeEntry::Dir(path) => builder.add_dir(path, 0),
            TreeEntry::File(path, data) => builder.add_file(path, data.clone(), 0),
            TreeEntry::Symlink(path, target) => builder.add_symlink(path, target, 0),
        };
    }
    builder.finish()
}

/// The nodes below `base` (and `base`), by directory entries alone.
fn below(tree: &FileTree, base: NodeId) -> Vec<bool> {
    let mut below = vec![false; tree.node_count()];
    below[base.index()] = true;
    let mut pending = vec![base];
    while let Some(dir) = pending.pop() {
        for (_, node) in tree.entries(dir) {
            below[node.index()] = true;
            if tree.kind(*node) == Kind::Dir {
                pending.push(*node);
            }
        }
    }
    below
}

/// Resolves each query in a tree of `entries`: the result is never outside
/// the base, the errno is one resolution may give, the same query gives
/// the same answer, and resolving the parent then looking the last name up
/// agrees with resolving the whole path without following it.
pub fn resolve_paths(entries: &[TreeEntry], queries: &[Query]) {
    let tree = build(entries);
    check_tree(&tree, &small_limits());
    for query in queries {
        let base = guest_path(&query.base)
            .and_then(|base| resolve(&tree, NodeId::ROOT, base, true, &mut 0))
            .map(|walked| walked.node)
            .ok()
            .filter(|node| tree.kind(*node) == Kind::Dir)
            .unwrap_or(NodeId::ROOT);
        let inside = below(&tree, base);
        let Ok(path) = guest_path(&query.path) else {
            continue;
        };
        let mut work = 0;
        let result = resolve(&tree, base, path, query.follow, &mut work);
        match &result {
            Ok(walked) => {
                assert!(inside[walked.node.index()], "{path:?} left its base");
                assert!(walked.dirs.iter().all(|d| inside[d.index()]));
                if query.follow && !path.ends_with('/') {
                    assert_ne!(tree.kind(walked.node), Kind::Symlink);
                }
            }
            Err(errno) => assert!(
                [
                    Errno::NOENT,
                    Errno::NOTDIR,
                    Errno::LOOP,
                    Errno::PERM,
                    Errno::NAMETOOLONG
                ]
                .contains(errno),
                "{path:?}: {errno:?}"
            ),
        }
        assert_eq!(resolve(&tree, base, path, query.follow, &mut 0), result);
        assert!(work <= (path.len() as u64 + 2) * 4096, "{work}");
        if let Ok(parent) = resolve_parent(&tree, base, path, &mut 0) {
            assert!(inside[parent.dir.index()]);
            assert_eq!(tree.kind(parent.dir), Kind::Dir);
            if let (Last::Name(name), false) = (parent.last, parent.trailing_slash) {
                let direct = tree.lookup(parent.dir, name);
                let whole = resolve(&tree, base, path, false, &mut 0).map(|w| w.node);
                assert_eq!(direct.ok_or(Errno::NOENT), whole, "{path:?}");
            }
        }
    }
}

/// One call on an instance's files; descriptors and directories are small
/// numbers (3 is `/lib`, the tree; 4 is `/tmp`, the scratch directory).
#[derive(Debug, Arbitrary)]
pub enum Op {
    Open {
        dir: u8,
        path: Vec<u8>,
        lookup: u32,
        oflags: u16,
        rights: u64,
        fdflags: u16,
    },
    Read {
        fd: u8,
        len: u16,
    },
    Pread {
        fd: u8,
        len: u16,
        offset: u64,
    },
    Write {
        fd: u8,
        data: Vec<u8>,
    },
    Pwrite {
        fd: u8,
        data: Vec<u8>,
        offset: u64,
    },
    Seek {
        fd: u8,
        delta: i64,
        whence: u8,
    },
    SetSize {
        fd: u8,
        size: u16,
    },
    Readdir {
        fd: u8,
        cookie: u64,
        len: u16,
    },
    Stat {
        dir: u8,
        path: Vec<u8>,
        lookup: u32,
    },
    Fdstat {
        fd: u8,
    },
    Mkdir {
        dir: u8,
        path: Vec<u8>,
    },
    Rmdir {
        dir: u8,
        path: Vec<u8>,
    },
    Unlink {
        dir: u8,
        path: Vec<u8>,
    },
    Rename {
        dir: u8,
        path: Vec<u8>,
        to_dir: u8,
        to_path: Vec<u8>,
    },
    Readlink {
        dir: u8,
        path: Vec<u8>,
        len: u8,
    },
    Close {
        fd: u8,
    },
    Renumber {
        from: u8,
        to: u8,
    },
}

/// Runs `ops` on an instance with a tree of `entries` at fd 3 and a
/// scratch directory of `quota` bytes at fd 4: nothing panics, outputs fit
/// their buffers, and the scratch directory's bookkeeping (quota, links,
/// open counts) stays exact.
pub fn run_ops(entries: &[TreeEntry], quota: u16, ops: &[Op]) {
    let preopens = Preopens::default()
        .with_tree("/lib", build(entries))
        .and_then(|p| p.with_scratch("/tmp", u64::from(quota)))
        .expect("valid preopens");
    let mut files = Files::new(&preopens, 12);
    let mut buf = vec![0; 1 << 16];
    for op in ops {
        match op {
            Op::Open {
                dir,
                path,
                lookup,
                oflags,
                rights,
                fdflags,
            } => {
                let request = OpenRequest {
                    lookup: *lookup,
                    oflags: *oflags,
                    rights: *rights,
                    fdflags: *fdflags,
                };
                if let Ok(fd) = files.open(i32::from(*dir), path, request) {
                    assert!((3..15).contains(&fd));
                }
            }
            Op::Read { fd, len } => {
                let len = usize::from(*len);
                if let Ok(n) = files.read(i32::from(*fd), &mut buf[..len]) {
                    assert!(n <= len);
                }
            }
            Op::Pread { fd, len, offset } => {
                let len = usize::from(*len);
                if let Ok(n) = files.pread(i32::from(*fd), &mut buf[..len], *offset) {
                    assert!(n <= len);
                }
            }
            Op::Write { fd, data } => {
                if let Ok(n) = files.write(i32::from(*fd), data) {
                    assert!(n <= data.len());
                }
            }
            Op::Pwrite { fd, data, offset } => {
                if let Ok(n) = files.pwrite(i32::from(*fd), data, *offset) {
                    assert!(n <= data.len());
                }
            }
            Op::Seek { fd, delta, whence } => {
                let _ = files.seek(i32::from(*fd), *delta, *whence);
            }
            Op::SetSize { fd, size } => {
                let _ = files.set_size(i32::from(*fd), u64::from(*size));
            }
            Op::Readdir { fd, cookie, len } => {
                let len = usize::from(*len);
                if let Ok(n) = files.readdir(i32::from(*fd), *cookie, &mut buf[..len]) {
                    assert!(n <= len);
                }
            }
            Op::Stat { dir, path, lookup } => {
                let _ = files.path_filestat(i32::from(*dir), *lookup, path);
            }
            Op::Fdstat { fd } => {
                let _ = files.fdstat(i32::from(*fd));
                let _ = files.filestat(i32::from(*fd));
            }
            Op::Mkdir { dir, path } => {
                let _ = files.create_directory(i32::from(*dir), path);
            }
            Op::Rmdir { dir, path } => {
                let _ = files.remove_directory(i32::from(*dir), path);
            }
            Op::Unlink { dir, path } => {
                let _ = files.unlink_file(i32::from(*dir), path);
            }
            Op::Rename {
                dir,
                path,
                to_dir,
                to_path,
            } => {
                let _ = files.rename(i32::from(*dir), path, i32::from(*to_dir), to_path);
            }
            Op::Readlink { dir, path, len } => {
                let len = usize::from(*len);
                if let Ok(n) = files.readlink(i32::from(*dir), path, &mut buf[..len]) {
                    assert!(n <= len);
                }
            }
            Op::Close { fd } => {
                let _ = files.close(i32::from(*fd));
            }
            Op::Renumber { from, to } => {
                let _ = files.renumber(i32::from(*from), i32::from(*to));
            }
        }
        files.check();
        assert!(files.scratch_used() <= u64::from(quota));
    }
}
