//! The JSON-RPC 2.0 wire types both sides of the pipe share.
//!
//! Everything here is plain data: building, parsing and printing the
//! newline-delimited messages described in `PROTOCOL.md`. The host kit
//! depends on this module only (`wasmi-pdk` with default features off).

pub(crate) mod envelope;
mod error;
mod event;
mod id;
mod log_line;
mod message;
mod params;

pub use self::{
    error::{RpcError, codes},
    event::{EVENT_METHOD, Event, EventReply},
    id::Id,
    log_line::{LogLevel, LogLine},
    message::{Message, MessageError, Notification, Request, Response},
    params::{decode_params, encode_params},
};
