//! # wasmi-hdk: the host dev kit
//!
//! Load a `wasm32-wasip1` plugin once, then call its methods: every call
//! runs in a fresh [wasmi] instance, speaks JSON-RPC 2.0 over the plugin's
//! virtual stdin/stdout (see `PROTOCOL.md`), serves the plugin's calls back
//! into the host, and is bounded by fuel, time and memory limits.
//!
//! ```
//! # futures::executor::block_on(async {
//! use serde_json::json;
//! use wasmi_hdk::{HostRouter, Limits, Plugin, RpcError};
//!
//! let host = HostRouter::new().method("host.echo", |_caller, params: serde_json::Value| async move {
//!     Ok::<_, RpcError>(params)
//! });
//! let plugin = Plugin::builder()
//!     .with_name("demo")
//!     .with_host(host)
//!     .with_limits(Limits::default().with_fuel(Some(5_000_000_000)))
//!     .build(test_plugin_artifacts::TEST_PLUGIN)?;
//!
//! assert_eq!(plugin.call("sieve", json!([1000])).await?, json!(168));
//! // `many_echo` calls `host.echo` 10 times while it runs.
//! assert_eq!(plugin.call_typed::<_, u64>("many_echo", 10).await?, 10);
//! # Ok::<(), wasmi_hdk::Error>(()) }).unwrap();
//! ```
//!
//! The futures are runtime-agnostic and `Send` (natively; see [`MaybeSend`]):
//! run them on tokio, smol, `futures::executor` or a single-threaded executor
//! alike. A plugin that waits (stdin, `sleep`) costs no CPU; one that
//! computes yields to the executor between slices of fuel. On `wasm32` the
//! same code runs in a web page, on the JavaScript event loop.

mod call;
mod cancel;
mod discovery;
mod error;
#[cfg_attr(
    not(test),
    expect(dead_code, reason = "wired into the WASI layer after its refactor")
)]
mod files;
mod host;
mod inspect;
mod limits;
mod log;
mod options;
mod plugin;
mod report;
mod runtime;
mod set;
mod wasi;

#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub use self::files::fuzz as __fuzz;
pub use self::inspect::{
    ExportInfo, ExternKind, ImportInfo, ImportSupport, MemoryInfo, ModuleInfo,
};
#[cfg(not(target_arch = "wasm32"))]
pub use self::set::LoadReport;
pub use self::{
    cancel::CancelHandle,
    discovery::{Discovery, MethodDescription},
    error::{Error, ProtocolViolation, TrapCode},
    host::{BoxFuture, CallerInfo, HostHandler, HostRouter, MaybeSend, MaybeSync},
    limits::Limits,
    log::LogRecord,
    options::CallOptions,
    plugin::{Plugin, PluginBuilder},
    report::{CallOutcome, CallReport},
    set::{
        EmitOutcome, EventMode, EventSubscription, HandlerDecision, HandlerOutcome, Manifest,
        ManifestLimits, PluginSet, PluginSetBuilder,
    },
    wasi::{WASI_FUNCTIONS, WASI_MODULE, WasiFunction, WasiSupport, wasi_function},
};
pub use wasmi::ValType;
pub use wasmi_pdk::protocol::{self, LogLevel, RpcError};

// Dev-dependencies of the doc examples and benches, not of the unit tests.
#[cfg(test)]
use {criterion as _, libc as _, test_plugin as _, test_plugin_artifacts as _, tokio as _};

#[cfg(test)]
mod assertions {
    use super::*;

    const fn send_sync<T: Send + Sync>() {}
    const _: () = send_sync::<Plugin>();
    const _: () = send_sync::<CancelHandle>();
    const _: () = send_sync::<Error>();

    #[expect(dead_code, reason = "compile-time check only")]
    fn call_future_is_send(plugin: &Plugin) -> impl Send {
        plugin.call("ping", serde_json::Value::Null)
    }
}
