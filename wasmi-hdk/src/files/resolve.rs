//! Resolving a guest path against a directory, as wasi_snapshot_preview1
//! does (and wasmtime, on top of cap-std): component by component, never
//! above the directory the path starts from.

use super::{
    builder::NAME_MAX,
    errno::{Errno, FsResult},
    node::{Kind, NodeId, TreeView},
};

/// The most symlinks one resolution follows (Linux's and cap-std's limit).
pub(crate) const MAX_SYMLINK_HOPS: u32 = 40;
/// The longest path a call takes, in bytes (Linux's `PATH_MAX` less the NUL).
pub(crate) const PATH_MAX: usize = 4095;

/// A guest's path as text: not UTF-8 → `EILSEQ` (what wasmtime answers
/// when it reads the string), a NUL byte → `EINVAL` (what the host's
/// `openat` answers), longer than [`PATH_MAX`] → `ENAMETOOLONG`.
///
/// # Errors
///
/// As above.
pub(crate) fn guest_path(bytes: &[u8]) -> FsResult<&str> {
    let path = core::str::from_utf8(bytes).map_err(|_| Errno::ILSEQ)?;
    if bytes.contains(&0) {
        return Err(Errno::INVAL);
    }
    if path.len() > PATH_MAX {
        return Err(Errno::NAMETOOLONG);
    }
    Ok(path)
}

/// Where a path led: the node, and the directories walked from the base
/// down to its parent (`dirs[0]` is the base).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Walked {
    pub(crate) node: NodeId,
    pub(crate) dirs: Vec<NodeId>,
}

/// Resolves `path` from directory `base` of `tree`.
///
/// Every component but the last must be a directory (or a symlink to one,
/// always followed); the last is followed if it is a symlink and `follow`
/// (lookupflags `SYMLINK_FOLLOW`) is set, or if the path ends with `/`,
/// which also requires a directory. `.` stays, `..` goes up but never
/// above `base`; an absolute path, or a symlink to one, leaves `base` too.
/// `work` counts the components walked, for the fuel charged.
///
/// # Errors
///
/// `EPERM` for a path that leads outside `base` (wasmtime's answer since it
/// dropped `ENOTCAPABLE`), `ENOENT` for a missing component (and an empty
/// path), `ENOTDIR` for a file in the middle or before a trailing `/`,
/// `ELOOP` past [`MAX_SYMLINK_HOPS`], `ENAMETOOLONG` for a component of
/// more than 255 bytes.
pub(crate) fn resolve<T: TreeView>(
    tree: &T,
    base: NodeId,
    path: &str,
    follow: bool,
    work: &mut u64,
) -> FsResult<Walked> {
    if path.is_empty() {
        return Err(Errno::NOENT);
    }
    walk(tree, vec![base], path, follow, work)
}

/// Where a path's last component goes: the directory it names an entry
/// of, for the calls that create, remove or rename it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParentOf<'p> {
    /// The directory the last component is looked up in.
    pub(crate) dir: NodeId,
    /// The last component.
    pub(crate) last: Last<'p>,
    /// Whether the path ended with `/`.
    pub(crate) trailing_slash: bool,
}

/// The last component of a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Last<'p> {
    Name(&'p str),
    /// `.`: the directory itself.
    Dot,
    /// `..` (only below the base: at the base it is `EPERM`).
    DotDot,
}

/// Resolves all of `path` but its last component, which is returned
/// unresolved (never followed). See [`resolve`] for the rules and errors.
///
/// # Errors
///
/// As [`resolve`]; `..` as the last component at `base` is `EPERM`.
pub(crate) fn resolve_parent<'p, T: TreeView>(
    tree: &T,
    base: NodeId,
    path: &'p str,
    work: &mut u64,
) -> FsResult<ParentOf<'p>> {
    if path.starts_with('/') {
        return Err(Errno::PERM);
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return Err(Errno::NOENT);
    }
    let (prefix, last) = match trimmed.rfind('/') {
        Some(at) => (&trimmed[..at], &trimmed[at + 1..]),
        None => ("", trimmed),
    };
    let dirs = if prefix.is_empty() {
        vec![base]
    } else {
        // `prefix/.`: every component followed, and a directory at the end.
        let walked = walk(tree, vec![base], prefix, true, work)?;
        if tree.kind(walked.node) != Kind::Dir {
            return Err(Errno::NOTDIR);
        }
        let mut dirs = walked.dirs;
        dirs.push(walked.node);
        dirs
    };
    *work += 1;
    let last = match last {
        "." => Last::Dot,
        ".." if dirs.len() == 1 => return Err(Errno::PERM),
        ".." => Last::DotDot,
        name if name.len() > NAME_MAX => return Err(Errno::NAMETOOLONG),
        name => Last::Name(name),
    };
    Ok(ParentOf {
        dir: *dirs.last().unwrap_or(&base),
        last,
        trailing_slash: trimmed.len() != path.len(),
    })
}

fn walk<'a, T: TreeView>(
    tree: &'a T,
    mut dirs: Vec<NodeId>,
    path: &'a str,
    follow: bool,
    work: &mut u64,
) -> FsResult<Walked> {
    // Components still to walk, the next one last. A trailing `/` walks a
    // last `.`: the node must be a directory, and a symlink is followed.
    let mut pending: Vec<&'a str> = Vec::new();
    push_components(&mut pending, path)?;
    let mut hops = 0;
    while let Some(component) = pending.pop() {
        *work += 1;
        let Some(&dir) = dirs.last() else {
            return Err(Errno::PERM);
        };
        match component {
            "" | "." => {}
            ".." => {
                if dirs.len() == 1 {
                    return Err(Errno::PERM);
                }
                dirs.pop();
            }
            name => {
                if name.len() > NAME_MAX {
                    return Err(Errno::NAMETOOLONG);
                }
                let node = tree.lookup(dir, name).ok_or(Errno::NOENT)?;
                let is_last = pending.is_empty();
                match tree.kind(node) {
                    Kind::Dir => dirs.push(node),
                    Kind::File if is_last => return Ok(Walked { node, dirs }),
                    Kind::File => return Err(Errno::NOTDIR),
                    Kind::Symlink if is_last && !follow => return Ok(Walked { node, dirs }),
                    Kind::Symlink => {
                        hops += 1;
                        if hops > MAX_SYMLINK_HOPS {
                            return Err(Errno::LOOP);
                        }
                        let target = tree.link_target(node);
                        if target.is_empty() {
                            return Err(Errno::NOENT);
                        }
                        push_components(&mut pending, target)?;
                    }
                }
            }
        }
    }
    // The path named a directory: the last one walked into.
    let node = dirs.pop().ok_or(Errno::PERM)?;
    Ok(Walked { node, dirs })
}

/// Queues `path`'s components to be walked before those already pending.
fn push_components<'a>(pending: &mut Vec<&'a str>, path: &'a str) -> FsResult<()> {
    if path.starts_with('/') {
        return Err(Errno::PERM);
    }
    if path.ends_with('/') {
        pending.push(".");
    }
    pending.extend(path.split('/').rev().filter(|c| !c.is_empty()));
    Ok(())
}
