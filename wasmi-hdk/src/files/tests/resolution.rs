//! Path resolution: wasip1's rules and the confinement to the base.

use super::*;
use crate::files::{
    builder::TreeBuilder,
    node::{Kind, NodeId, TreeView},
    resolve::{Last, MAX_SYMLINK_HOPS, ParentOf, guest_path, resolve, resolve_parent},
};

fn at(tree: &FileTree, path: &str) -> NodeId {
    let mut node = NodeId::ROOT;
    for name in path.split('/').filter(|c| !c.is_empty()) {
        node = tree.lookup(node, name).unwrap();
    }
    node
}

fn resolved(tree: &FileTree, base: &str, path: &str, follow: bool) -> Result<NodeId, Errno> {
    let path = guest_path(path.as_bytes())?;
    resolve(tree, at(tree, base), path, follow, &mut 0).map(|w| w.node)
}

#[test]
fn components_resolve_as_wasip1_says() {
    let tree = sample_tree();
    let ok = |path: &str, expected: &str| {
        assert_eq!(
            resolved(&tree, "", path, true),
            Ok(at(&tree, expected)),
            "{path}"
        );
    };
    ok(".", "");
    ok("./", "");
    ok("a.txt", "a.txt");
    ok("./a.txt", "a.txt");
    ok("sub//b.txt", "sub/b.txt");
    ok("sub/../a.txt", "a.txt");
    ok("sub/deeper/../../sub/./b.txt", "sub/b.txt");
    ok("sub/", "sub");
    ok("sub/.", "sub");
    ok("sub/deeper/..", "sub");
    let err = |path: &str, errno: Errno| {
        assert_eq!(resolved(&tree, "", path, true), Err(errno), "{path}");
    };
    err("", Errno::NOENT);
    err("missing", Errno::NOENT);
    err("missing/x", Errno::NOENT);
    err("a.txt/", Errno::NOTDIR);
    err("a.txt/.", Errno::NOTDIR);
    err("a.txt/..", Errno::NOTDIR);
    err("a.txt/x", Errno::NOTDIR);
    err("sub/b.txt/", Errno::NOTDIR);
    err(&"n".repeat(256), Errno::NAMETOOLONG);
    err(&"./".repeat(2048), Errno::NAMETOOLONG);
}

#[test]
fn bad_path_text_is_refused_before_resolving() {
    assert_eq!(guest_path(b"a\0b"), Err(Errno::INVAL));
    assert_eq!(guest_path(b"\xff"), Err(Errno::ILSEQ));
    // Both: the UTF-8 check comes first, as in wasmtime.
    assert_eq!(guest_path(b"\xff\0"), Err(Errno::ILSEQ));
    assert_eq!(guest_path(&[b'a'; 4095]).map(str::len), Ok(4095));
    assert_eq!(guest_path(&[b'a'; 4096]), Err(Errno::NAMETOOLONG));
}

#[test]
fn nothing_above_the_base_is_reachable() {
    let tree = sample_tree();
    for path in ["..", "../", "../lib", "sub/../..", "/", "/a.txt", "/sub"] {
        assert_eq!(resolved(&tree, "", path, true), Err(Errno::PERM), "{path}");
    }
    // From a subdirectory, its parent is outside too: a descriptor's
    // directory is its sandbox (as cap-std's `Dir`).
    assert_eq!(
        resolved(&tree, "sub", "b.txt", true),
        Ok(at(&tree, "sub/b.txt"))
    );
    assert_eq!(
        resolved(&tree, "sub", "deeper/../b.txt", true),
        Ok(at(&tree, "sub/b.txt"))
    );
    assert_eq!(resolved(&tree, "sub", "../a.txt", true), Err(Errno::PERM));
    // `esc -> ../a.txt` is inside the tree, but not inside `sub`.
    assert_eq!(resolved(&tree, "sub", "esc", true), Err(Errno::PERM));
    assert_eq!(resolved(&tree, "", "sub/esc", true), Ok(at(&tree, "a.txt")));
    // Not followed, it is just a symlink.
    assert_eq!(
        resolved(&tree, "sub", "esc", false),
        Ok(at(&tree, "sub/esc"))
    );
}

#[test]
fn symlinks_follow_the_lookupflags_rule() {
    let tree = sample_tree();
    let node = |path| at(&tree, path);
    // The last component: followed only with SYMLINK_FOLLOW…
    assert_eq!(resolved(&tree, "", "link_a", true), Ok(node("a.txt")));
    assert_eq!(resolved(&tree, "", "link_a", false), Ok(node("link_a")));
    assert_eq!(tree.kind(node("link_a")), Kind::Symlink);
    assert_eq!(resolved(&tree, "", "link_sub", false), Ok(node("link_sub")));
    // …or a trailing slash, which also wants a directory.
    assert_eq!(resolved(&tree, "", "link_sub/", false), Ok(node("sub")));
    assert_eq!(resolved(&tree, "", "link_a/", false), Err(Errno::NOTDIR));
    // In the middle, always.
    assert_eq!(
        resolved(&tree, "", "link_sub/b.txt", false),
        Ok(node("sub/b.txt"))
    );
    assert_eq!(resolved(&tree, "", "link_sub/esc", true), Ok(node("a.txt")));
    // Missing targets and loops.
    assert_eq!(resolved(&tree, "", "dangling", true), Err(Errno::NOENT));
    assert_eq!(resolved(&tree, "", "dangling", false), Ok(node("dangling")));
    assert_eq!(resolved(&tree, "", "loop1", true), Err(Errno::LOOP));
    assert_eq!(resolved(&tree, "", "loop1/x", false), Err(Errno::LOOP));
    assert_eq!(resolved(&tree, "", "loop1", false), Ok(node("loop1")));
}

#[test]
fn at_most_40_symlinks_are_followed() {
    // l0 -> l1 -> … -> l40 -> f: l1 takes 40 hops, l0 takes 41.
    let limits = ArchiveLimits::default();
    let mut builder = TreeBuilder::new(&limits);
    builder.add_file(b"f", b"end".to_vec(), 0).unwrap();
    for i in 0..=MAX_SYMLINK_HOPS {
        let target = if i == MAX_SYMLINK_HOPS {
            "f".to_owned()
        } else {
            format!("l{}", i + 1)
        };
        builder
            .add_symlink(format!("l{i}").as_bytes(), target.as_bytes(), 0)
            .unwrap();
    }
    let tree = builder.finish();
    assert_eq!(resolved(&tree, "", "l1", true), Ok(at(&tree, "f")));
    assert_eq!(resolved(&tree, "", "l0", true), Err(Errno::LOOP));
}

#[test]
fn the_walk_is_counted_for_fuel() {
    let tree = sample_tree();
    let mut short = 0;
    let mut long = 0;
    resolve(&tree, NodeId::ROOT, "a.txt", true, &mut short).unwrap();
    resolve(
        &tree,
        NodeId::ROOT,
        "sub/deeper/../deeper/../../link_sub/esc",
        true,
        &mut long,
    )
    .unwrap();
    assert_eq!(short, 1);
    assert!(long > 8, "{long}");
}

#[test]
fn the_parent_of_a_path_is_resolved_and_its_last_component_kept() {
    let tree = sample_tree();
    fn parent<'p>(tree: &FileTree, path: &'p str) -> Result<ParentOf<'p>, Errno> {
        resolve_parent(tree, NodeId::ROOT, path, &mut 0)
    }
    let parent = |path| parent(&tree, path);
    let sub = at(&tree, "sub");
    let name = |dir, name, trailing_slash| ParentOf {
        dir,
        last: Last::Name(name),
        trailing_slash,
    };
    assert_eq!(parent("new"), Ok(name(NodeId::ROOT, "new", false)));
    assert_eq!(parent("sub/new/"), Ok(name(sub, "new", true)));
    assert_eq!(parent("link_sub/new"), Ok(name(sub, "new", false)));
    // The last component is not followed: it may be a symlink.
    assert_eq!(
        parent("link_sub"),
        Ok(name(NodeId::ROOT, "link_sub", false))
    );
    assert_eq!(parent("sub/.").map(|p| p.last), Ok(Last::Dot));
    assert_eq!(
        parent("sub/..").map(|p| (p.dir, p.last)),
        Ok((sub, Last::DotDot))
    );
    assert_eq!(parent(".."), Err(Errno::PERM));
    assert_eq!(parent("sub/../.."), Err(Errno::PERM));
    assert_eq!(parent("/x"), Err(Errno::PERM));
    assert_eq!(parent("///"), Err(Errno::PERM));
    assert_eq!(parent(""), Err(Errno::NOENT));
    assert_eq!(parent("a.txt/x"), Err(Errno::NOTDIR));
    assert_eq!(parent("missing/x"), Err(Errno::NOENT));
    assert_eq!(parent(&"n".repeat(256)), Err(Errno::NAMETOOLONG));
}
