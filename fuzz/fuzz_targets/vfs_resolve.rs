//! The file layer's path resolution and the calls over it: a tree built
//! from arbitrary entries, arbitrary paths resolved from arbitrary bases,
//! then arbitrary `path_*`/`fd_*` calls on that tree and on a scratch
//! directory with a small quota.
//!
//! Checks: a resolved path never leads outside its base; errnos are those
//! resolution may give; resolving is deterministic and agrees with
//! resolving the parent and looking the last name up; no call panics,
//! outputs fit their buffers, and the scratch directory's bookkeeping
//! (quota, links, open counts) stays exact after every call.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use wasmi_hdk::__fuzz::{Op, Query, TreeEntry, resolve_paths, run_ops};

#[derive(Debug, Arbitrary)]
struct Input {
    entries: Vec<TreeEntry>,
    queries: Vec<Query>,
    quota: u16,
    ops: Vec<Op>,
}

fuzz_target!(|input: Input| {
    resolve_paths(&input.entries, &input.queries);
    run_ops(&input.entries, input.quota, &input.ops);
});
