//! # wasmi-plugin-protocol: the wire between a host and its plugins
//!
//! A plugin is a `wasm32-wasip1` program; its host writes one JSON-RPC 2.0
//! request per line to the plugin's stdin, the plugin answers on stdout and
//! may call back into the host meanwhile, and whatever it writes to stderr is
//! its log (`LEVEL target: message`). `PROTOCOL.md` is the specification;
//! this crate is its types, shared by the host kit (`wasmi-hdk`), the plugin
//! kit (`wasmi-pdk`) and the fuzz targets, the way `jsonrpsee-types` serves
//! both sides of jsonrpsee.
//!
//! ```
//! use serde_json::json;
//! use wasmi_plugin_protocol::{Id, LogLevel, LogLine, Message, Request, Response, RpcError, codes};
//!
//! // Both sides write exactly one compact JSON object per line.
//! let request = Request { id: Id::Number(1), method: "add".into(), params: Some(json!([2, 3])) };
//! let line = request.to_line();
//! assert_eq!(line, r#"{"jsonrpc":"2.0","id":1,"method":"add","params":[2,3]}"#);
//!
//! // And read whatever the other side sends.
//! match Message::parse(r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"method not found: add"}}"#)? {
//!     Message::Response(Response { id, outcome: Err(error) }) => {
//!         assert_eq!(id, Id::Number(1));
//!         assert_eq!(error.code, codes::METHOD_NOT_FOUND);
//!     }
//!     other => panic!("{other:?}"),
//! }
//!
//! // stderr lines carry a level and a target.
//! let log = LogLine::parse("WARN my_plugin::db: slow query");
//! assert_eq!((log.level, log.target, log.message), (LogLevel::Warn, Some("my_plugin::db"), "slow query"));
//! # Ok::<(), wasmi_plugin_protocol::MessageError>(())
//! ```
//!
//! Everything here is plain data with no I/O; it builds for every target,
//! `wasm32-wasip1` (plugins) and `wasm32-unknown-unknown` (the browser host)
//! included.

mod dialect;
mod envelope;
mod error;
mod event;
pub mod exports;
mod id;
mod log_line;
mod message;
pub mod method;
mod params;

pub use self::{
    dialect::Dialect,
    envelope::{write_notification, write_request, write_response},
    error::{RpcError, codes},
    event::{Event, EventReply},
    id::Id,
    log_line::{LOG_FILTER_ENV, LogLevel, LogLine},
    message::{Message, MessageError, Notification, Request, Response},
    params::{decode_params, encode_params},
};
