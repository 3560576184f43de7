//! Integration and conformance tests of the plugin runtime live in
//! `tests/main.rs` (one test binary); this library only carries the user guide's
//! snippets as doctests (`book.rs`).

// The dev-dependencies belong to that test binary.
#[cfg(test)]
use {
    libc as _, redb as _, serde as _, tar as _, tempfile as _, test_plugin_artifacts as _,
    tokio as _, tracing as _, wasmi as _, wasmi_pdk as _, wat as _, zip as _,
};
// The dependencies belong to the helper binary `store-crash-writer`.
use {futures as _, serde_json as _, wasmi_hdk as _};

// The user guide's Rust snippets, as doctests.
#[cfg(doctest)]
mod book;
