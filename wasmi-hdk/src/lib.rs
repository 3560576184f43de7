//! # wasmi-hdk: the host dev kit
//!
//! Load a `wasm32-wasip1` plugin once, then call its methods: every call
//! runs in a fresh [wasmi] instance, speaks JSON-RPC 2.0 over the plugin's
//! virtual stdin/stdout (see `PROTOCOL.md`), serves the plugin's calls back
//! into the host, and is bounded by fuel, time and memory limits.
//!
//! ```
//! # futures::executor::block_on(async {
//! use serde_json::{Value, json};
//! use wasmi_hdk::{Error, HostRouter, Limits, Plugin, RpcError};
//!
//! let host = HostRouter::new().with_method("host.echo", |_caller, params: Value| async move {
//!     Ok::<_, RpcError>(params)
//! });
//! let plugin = Plugin::builder()
//!     .with_name("demo")
//!     .with_host(host)
//!     .with_limits(Limits::default().with_fuel(5_000_000_000))
//!     .build(test_plugin_artifacts::TEST_PLUGIN)?;
//!
//! // Typed: any `Serialize` params, any `Deserialize` result.
//! let primes: u64 = plugin.call("sieve", 1000).await?;
//! assert_eq!(primes, 168);
//! // `many_echo` calls `host.echo` 10 times while it runs.
//! assert_eq!(plugin.call_raw("many_echo", json!([10])).await?, json!(10));
//! // Failures are one enum, with a stable kind name.
//! let error = plugin.call::<Value>("nope", ()).await.unwrap_err();
//! assert!(matches!(&error, Error::Rpc(e) if e.code == -32601));
//! assert_eq!(error.kind().as_str(), "rpc");
//! # Ok::<(), wasmi_hdk::Error>(()) }).unwrap();
//! ```
//!
//! A request, end to end: [`Plugin::call`] serialises the params and
//! `call/run.rs` makes a fresh instance, writes the request line to its
//! stdin and runs `_start` in fuel slices; the plugin's WASI calls
//! (`wasi/`) read and write the call's message exchange
//! (`call/exchange.rs`), which reads the plugin's host calls off its
//! stdout; the run loop serves them with the plugin's [`HostHandler`] and
//! delivers the answers, suspends the instance while it waits (zero CPU),
//! and ends when the plugin has answered.
//!
//! The futures are runtime-agnostic and `Send` (natively; see [`MaybeSend`]):
//! run them on tokio, smol, `futures::executor` or a single-threaded executor
//! alike. A plugin that waits (stdin, `sleep`) costs no CPU; one that
//! computes yields to the executor between slices of fuel. On `wasm32` the
//! same code runs in a web page, on the JavaScript event loop.
//!
//! Beyond the core at the root: [`set`] hosts many plugins with manifests,
//! capabilities and events; [`inspect`] reads a module's imports, exports
//! and whether it can run here; [`wasi`] lists what this runtime's WASI
//! layer does for each function; [`units`] reads sizes and durations the
//! way every configuration surface writes them; [`protocol`] is the wire.

// docs.rs (nightly, `--cfg docsrs`): mark what needs a feature or a target.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod call;
mod call_future;
mod cancel;
mod discovery;
mod error;
pub mod files;
mod host;
pub mod inspect;
mod limits;
mod log;
mod options;
mod plugin;
mod report;
mod runtime;
pub mod set;
pub mod snapshot;
pub mod store;
pub mod wasi;

pub use wasmi_plugin_protocol as protocol;

/// The version of the wasmi interpreter this crate runs plugins on (as
/// `wasmi-host --version` reports it; the workspace's tests check it
/// against the lock file).
pub const WASMI_VERSION: &str = "2.0.0";
pub use wasmi_plugin_protocol::{Dialect, LogLevel, RpcError};

#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub use self::files::fuzz as __fuzz;
#[doc(hidden)]
pub use self::plugin::engine_config as __engine_config;
pub use self::{
    call::CommandIo,
    call_future::CallFuture,
    cancel::CancelHandle,
    discovery::{Discovery, MethodDescription},
    error::{EngineError, Error, ErrorKind, ProtocolViolation, TrapCode},
    host::{BoxFuture, CallerInfo, HostHandler, HostRouter, MaybeSend, MaybeSync},
    limits::{Limits, LimitsOverlay, units},
    log::{LogRecord, PLUGIN_LOG_TARGET},
    options::CallOptions,
    plugin::{Plugin, PluginBuilder},
    report::{CallFailure, CallReport, Reported},
};

// Dev-dependencies of the doc examples and benches, not of the unit tests.
#[cfg(test)]
use {criterion as _, libc as _, test_plugin as _, test_plugin_artifacts as _, tokio as _};

#[cfg(test)]
mod assertions {
    use super::*;

    const fn send_sync<T: Send + Sync>() {}
    const _: () = send_sync::<Plugin>();
    const _: () = send_sync::<set::PluginSet>();
    const _: () = send_sync::<CancelHandle>();
    const _: () = send_sync::<Error>();
    const _: () = send_sync::<CallFailure>();
    const _: () = send_sync::<store::StoreError>();
    const _: () = send_sync::<store::StoreHost>();
    const _: () = send_sync::<store::MemoryStore>();
    const _: () = send_sync::<store::RedbStore>();

    fn is_send_static<T: Send + 'static>(_: &T) {}

    #[expect(dead_code, reason = "compile-time check only")]
    fn call_futures_are_send_and_static(plugin: &Plugin, set: &set::PluginSet) {
        is_send_static(&plugin.call::<serde_json::Value>("ping", ()));
        is_send_static(&plugin.call_raw("ping", serde_json::Value::Null));
        is_send_static(&plugin.call_with::<u64>("ping", (), CallOptions::new()));
        is_send_static(&plugin.discover());
        is_send_static(&set.call::<u64>("p", "ping", ()));
        is_send_static(&set.emit("e", serde_json::Value::Null));
    }
}
