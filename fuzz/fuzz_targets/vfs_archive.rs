//! The file layer's archive loader: arbitrary bytes loaded as a tar, a zip
//! and either (with small limits) never panic and never take unbounded
//! memory; whatever loads is a tree within the limits, with valid, sorted
//! names, every node in one directory, and symlinks that stay inside.
//!
//! Seeds in `seeds/vfs_archive` are small tar and zip archives.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| wasmi_hdk::__fuzz::load_archive(bytes));
