//! # mobile-demo: the plugin host for iOS and Android apps
//!
//! [`wasmi_hdk`] exposed to Swift, Kotlin (and Python, for tests) through
//! [UniFFI](https://mozilla.github.io/uniffi-rs/). On iOS, where no JIT is
//! allowed, the wasmi interpreter is the way to run user plugins; the same
//! host code serves Android and the desktop.
//!
//! The API, as the foreign languages see it (namespace `wasmi_mobile`):
//!
//! | Rust | Swift / Kotlin |
//! |---|---|
//! | [`Plugin::new`] | `try Plugin(wasm:config:)` / `Plugin(wasm, config)` |
//! | [`Plugin::call`] (async, JSON text in and out) | `try await plugin.call(method:paramsJson:)` / `suspend plugin.call(method, paramsJson)` |
//! | [`Plugin::call_with`] ([`CallOptions`]: limits, [`CancelToken`]) | returns [`CallResult`] with a [`CallReport`] |
//! | [`HostMethods`] (foreign-implemented, async) | a Swift protocol / Kotlin interface |
//! | [`LogHandler`] (foreign-implemented) | receives every [`LogLine`] |
//! | [`PluginLimits`] | the host kit's limit fields (`fuel`, `timeout`, `max_memory`…), each with its default |
//! | [`Store`] (`open(directory)`, `in_memory()`; `get`, `set`, `delete`, `list`, `increment`), [`PluginConfig::store`] | `try Store.open(directory:)` / `Store.open(directory)`: plugins' durable state, a namespace per plugin ([`plugin_namespace`]) |
//! | [`PluginError`], [`HostMethodError`] | Swift `Error` enums / Kotlin exceptions, one case per host-kit error kind ([`plugin_error_kind`] names it) |
//!
//! The same calls from Rust (the crate is a normal library too):
//!
//! ```
//! # futures::executor::block_on(async {
//! use mobile_demo::{Plugin, PluginConfig, PluginError, PluginLimits, embedded_test_plugin};
//!
//! let config = PluginConfig {
//!     name: "demo".into(),
//!     limits: PluginLimits { fuel: Some(5_000_000_000), ..PluginLimits::default() },
//!     ..PluginConfig::default()
//! };
//! let plugin = Plugin::new(embedded_test_plugin(), config)?;
//! assert_eq!(plugin.call("sieve".into(), "[1000]".into()).await?, "168");
//!
//! let error = plugin.call("nope".into(), "null".into()).await.unwrap_err();
//! assert!(matches!(error, PluginError::Rpc { code: -32601, .. }));
//! # Ok::<(), PluginError>(()) }).unwrap();
//! ```
//!
//! Calls are futures that UniFFI hands to the foreign side, which polls
//! them (Swift's cooperative pool, the calling Kotlin dispatcher, Python's
//! asyncio loop). A computing plugin runs in fuel slices and yields between
//! them; a waiting plugin (`sleep`, a host call) is woken by the host
//! kit's timer thread or by the host method's completion. No Rust async
//! runtime is needed.
//!
//! This crate is the library; `mobile-demo-ffi` (lib `wasmi_mobile`) is the
//! static/shared library an app links, and `mobile-demo-bindgen` generates
//! the Swift, Kotlin and Python sources from it. See `mobile-demo/README.md`.

mod cancel;
mod error;
mod host;
mod limits;
mod log;
mod plugin;
mod report;
mod store;

pub use self::{
    cancel::CancelToken,
    error::{PluginError, plugin_error_kind},
    host::{HostMethodError, HostMethods},
    limits::{PluginLimits, default_limits},
    log::{LogHandler, LogLevel, LogLine},
    plugin::{CallOptions, FilesEntry, Plugin, PluginConfig},
    report::{CallReport, CallResult},
    store::{STORE_FILE, Store, StoreError, StorePage, plugin_namespace},
};

uniffi::setup_scaffolding!("wasmi_mobile");

/// The well-behaved test plugin (`ping`, `echo`, `add`, `sieve`,
/// `many_echo`, `call_host`, `log`, `sleep`, `fail`, …), for the demo apps.
#[cfg(feature = "test-plugins")]
#[uniffi::export]
pub fn embedded_test_plugin() -> Vec<u8> {
    test_plugin_artifacts::TEST_PLUGIN.to_vec()
}

/// The misbehaving test plugin (`loop`, `panic`, `alloc`, `exit`, …), for
/// showing how failures surface.
#[cfg(feature = "test-plugins")]
#[uniffi::export]
pub fn embedded_misbehaving_plugin() -> Vec<u8> {
    test_plugin_artifacts::MISBEHAVING_PLUGIN.to_vec()
}

/// The files test plugin (`read`, `list`, `write`, `append`, … through
/// `std::fs`), for showing files bundled with an app (`PluginConfig.files`).
#[cfg(feature = "test-plugins")]
#[uniffi::export]
pub fn embedded_files_plugin() -> Vec<u8> {
    test_plugin_artifacts::FILES_PLUGIN.to_vec()
}

/// The version of this library.
#[uniffi::export]
pub fn library_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

#[cfg(all(test, feature = "test-plugins"))]
mod tests;
