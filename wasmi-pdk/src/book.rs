//! The user guide's plugin chapter (`book/src/plugins/rust.md`), compiled
//! and run as doctests so that its snippets match the kit:
//! `cargo test --doc -p wasmi-pdk`. Only built for doctests.

/// `book/src/plugins/rust.md`: writing a plugin in Rust.
#[doc = include_str!("../../book/src/plugins/rust.md")]
pub struct RustPlugin;
