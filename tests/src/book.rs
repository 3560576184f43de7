//! The user guide's chapters (`book/src/**/*.md`), compiled and run as
//! doctests so that every Rust snippet of the guide matches the code:
//! `cargo test --doc -p integration-tests`. Only built for doctests, and in
//! this unpublished crate so that the published ones package without the
//! book.

/// `book/src/rust-host.md`: embedding in a Rust application.
#[doc = include_str!("../../book/src/rust-host.md")]
pub struct RustHost;

/// `book/src/plugin-sets.md`: many plugins with manifests.
#[doc = include_str!("../../book/src/plugin-sets.md")]
pub struct PluginSets;

/// `book/src/files.md`: preopened directories, archives, scratch.
#[doc = include_str!("../../book/src/files.md")]
pub struct Files;

/// `book/src/storage.md`: the key-value store.
#[doc = include_str!("../../book/src/storage.md")]
pub struct Storage;

/// `book/src/plugins/python.md`: its Rust snippet (preopening the archive).
#[doc = include_str!("../../book/src/plugins/python.md")]
pub struct PythonPlugin;

/// `book/src/plugins/rust.md`: writing a plugin in Rust.
#[doc = include_str!("../../book/src/plugins/rust.md")]
pub struct RustPlugin;
