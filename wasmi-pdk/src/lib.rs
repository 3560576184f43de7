//! # wasmi-pdk: the plugin dev kit
//!
//! Write a plugin as a handful of typed async functions; the kit turns them
//! into a `wasm32-wasip1` program that speaks newline-delimited JSON-RPC 2.0
//! on stdin/stdout (see `PROTOCOL.md`), logs to stderr and calls back into
//! its host.
//!
//! ```
//! use wasmi_pdk::{Router, RpcError};
//!
//! fn router() -> Router {
//!     Router::new()
//!         .with_method("add", |_ctx, (a, b): (i64, i64)| async move { Ok::<_, RpcError>(a + b) })
//!         .with_method("greet", |ctx, name: String| async move {
//!             wasmi_pdk::log::info!("greeting {name}");
//!             let time: u64 = ctx.call("host.time", ()).await?;
//!             Ok(format!("hello {name}, it is {time}"))
//!         })
//! }
//!
//! // A plugin's `main` is this one line:
//! // fn main() { wasmi_pdk::serve(router()) }
//!
//! // The same router can be driven natively, e.g. in a unit test:
//! let mut out = Vec::new();
//! let input = br#"{"jsonrpc":"2.0","id":1,"method":"add","params":[2,3]}"#;
//! wasmi_pdk::serve_io(&router(), &mut &input[..], &mut out);
//! assert_eq!(String::from_utf8(out).unwrap(), "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":5}\n");
//! ```
//!
//! [`Context::store`] is the host's key-value store, typed ([`store`]):
//! what a plugin keeps between requests, since each runs in a fresh
//! instance.
//!
//! The wire types are the [`protocol`] crate (`wasmi-plugin-protocol`),
//! re-exported here; the host kit uses the same crate.

// docs.rs (nightly, `--cfg docsrs`): mark what needs a feature or a target.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod context;
mod executor;
mod handler;
mod logger;
mod preinit;
mod router;
mod serve;
pub mod store;

pub use log;
pub use serde_json::{Value, json};
pub use wasmi_plugin_protocol as protocol;

pub use self::{
    context::{Context, HostCall, TypedHostCall},
    handler::RequestHandler,
    logger::init_logger,
    preinit::{is_initializing, preinitialize, serve_preinitialized},
    protocol::{Event, EventReply, RpcError, decode_params, encode_params},
    router::Router,
    serve::{serve, serve_io},
};
