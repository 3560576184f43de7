//! # test-plugin-artifacts: the test plugins, compiled
//!
//! The build script compiles the `test-plugin` package's two binaries for
//! `wasm32-wasip1` with the workspace's `plugin` profile (a nested `cargo
//! build`, into `<target dir>/plugins`), and this crate embeds the results.
//! They are built from source on every change, never committed.
//!
//! Use it from tests and benchmarks (as a dev-dependency):
//!
//! ```
//! // Every wasm module starts with the magic `\0asm`.
//! assert_eq!(&test_plugin_artifacts::TEST_PLUGIN[..4], b"\0asm");
//! assert_eq!(&test_plugin_artifacts::MISBEHAVING_PLUGIN[..4], b"\0asm");
//!
//! // The same modules as files, e.g. for a CLI under test.
//! let path = test_plugin_artifacts::test_plugin_path();
//! assert_eq!(std::fs::read(path).unwrap(), test_plugin_artifacts::TEST_PLUGIN);
//! ```
//!
//! Building needs the target: `rustup target add wasm32-wasip1`.

use std::path::Path;

/// The well-behaved `test-plugin` module (`ping`, `echo`, `add`, `sieve`,
/// host calls, logging, WASI clocks, randomness and environment, errors).
pub const TEST_PLUGIN: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/test-plugin.wasm"));

/// The `misbehaving-plugin` module: panics, traps, endless loops, huge
/// allocations, garbage and floods on stdout, early exits.
pub const MISBEHAVING_PLUGIN: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/misbehaving-plugin.wasm"));

/// The `event-plugin` module, for plugin sets: event handling configured
/// by its manifest, calls to other plugins, config, and methods described
/// with JSON Schemas in `rpc.discover`.
pub const EVENT_PLUGIN: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/event-plugin.wasm"));

/// The `framework-plugin` module: a plugin written to the wire dialect of
/// `wasmi-plugin-framework` 0.1 (params required and decoded as they are,
/// host-call ids from 0), for the compatibility tests.
pub const FRAMEWORK_PLUGIN: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/framework-plugin.wasm"));

/// The `files-plugin` module: reads, lists, writes files with `std::fs`
/// (for the tests of preopened directories).
pub const FILES_PLUGIN: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/files-plugin.wasm"));

/// The `preinit-plugin` module: a plugin built with the kit's
/// `plugin_main!(preinit …)`, whose router does an expensive setup (a
/// table of primes) that a pre-initialising host runs once, at load; its
/// methods tell how often and where the setup ran.
pub const PREINIT_PLUGIN: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/preinit-plugin.wasm"));

/// Where [`TEST_PLUGIN`] is on disk (in this crate's `OUT_DIR`).
pub fn test_plugin_path() -> &'static Path {
    Path::new(concat!(env!("OUT_DIR"), "/test-plugin.wasm"))
}

/// Where [`MISBEHAVING_PLUGIN`] is on disk (in this crate's `OUT_DIR`).
pub fn misbehaving_plugin_path() -> &'static Path {
    Path::new(concat!(env!("OUT_DIR"), "/misbehaving-plugin.wasm"))
}

/// Where [`EVENT_PLUGIN`] is on disk (in this crate's `OUT_DIR`).
pub fn event_plugin_path() -> &'static Path {
    Path::new(concat!(env!("OUT_DIR"), "/event-plugin.wasm"))
}

/// Where [`FRAMEWORK_PLUGIN`] is on disk (in this crate's `OUT_DIR`).
pub fn framework_plugin_path() -> &'static Path {
    Path::new(concat!(env!("OUT_DIR"), "/framework-plugin.wasm"))
}

/// Where [`FILES_PLUGIN`] is on disk (in this crate's `OUT_DIR`).
pub fn files_plugin_path() -> &'static Path {
    Path::new(concat!(env!("OUT_DIR"), "/files-plugin.wasm"))
}

/// Where [`PREINIT_PLUGIN`] is on disk (in this crate's `OUT_DIR`).
pub fn preinit_plugin_path() -> &'static Path {
    Path::new(concat!(env!("OUT_DIR"), "/preinit-plugin.wasm"))
}
