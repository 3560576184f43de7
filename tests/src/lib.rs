//! Integration and conformance tests of the plugin runtime live in
//! `tests/main.rs` (one test binary); this library is intentionally empty.

// The dev-dependencies belong to that test binary.
#[cfg(test)]
use {
    futures as _, libc as _, serde_json as _, tempfile as _, test_plugin_artifacts as _,
    tokio as _, tracing as _, wasmi_hdk as _, wat as _,
};
