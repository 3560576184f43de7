//! Integration and conformance tests of the plugin runtime live in
//! `tests/main.rs` (one test binary); this library is intentionally empty.

// The dev-dependencies belong to that test binary.
#[cfg(test)]
use {
    libc as _, redb as _, tar as _, tempfile as _, test_plugin_artifacts as _, tokio as _,
    tracing as _, wat as _, zip as _,
};
// The dependencies belong to the helper binary `store-crash-writer`.
use {futures as _, serde_json as _, wasmi_hdk as _};
