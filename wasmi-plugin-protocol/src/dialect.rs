//! Wire dialects: strict JSON-RPC 2.0 (the default), and the dialect of the
//! design this project descends from, so plugins built for it run unchanged.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{
    Id, Message, MessageError, encode_params,
    envelope::{self, write_request},
    message::ParamsRule,
};

/// How the host frames the request it sends and reads the plugin's lines.
///
/// ```
/// use serde_json::json;
/// use wasmi_plugin_protocol::{Dialect, Id};
///
/// let mut strict = Vec::new();
/// Dialect::JsonRpc.write_request(&mut strict, &Id::Number(1), "sieve", json!(1000));
/// assert_eq!(strict, br#"{"jsonrpc":"2.0","id":1,"method":"sieve","params":[1000]}"#);
///
/// let mut framework = Vec::new();
/// Dialect::Framework01.write_request(&mut framework, &Id::Number(1), "sieve", json!(1000));
/// assert_eq!(framework, br#"{"jsonrpc":"2.0","id":1,"method":"sieve","params":1000}"#);
///
/// // A request whose params are a bare scalar is fine in that dialect only.
/// let line = br#"{"jsonrpc":"2.0","id":0,"method":"sleep","params":5}"#;
/// assert!(Dialect::JsonRpc.parse_line(line).is_err());
/// assert!(Dialect::Framework01.parse_line(line).is_ok());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Dialect {
    /// JSON-RPC 2.0 as `PROTOCOL.md` specifies it: `params` is an array or
    /// an object or absent; `null` params are sent as none and a scalar as
    /// a one-element array.
    #[default]
    #[serde(rename = "jsonrpc")]
    JsonRpc,
    /// The dialect of `wasmi-plugin-framework` 0.1 (its `wasmi-plugin-pdk`):
    /// every request carries `params`, which is any JSON value and is sent
    /// exactly as given (`null` for none, a bare scalar such as `1000000`);
    /// the plugin's own requests may carry such params too.
    #[serde(rename = "framework-0.1")]
    Framework01,
}

impl Dialect {
    /// The dialect's name as manifests, options and tools spell it:
    /// `jsonrpc` or `framework-0.1`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::JsonRpc => "jsonrpc",
            Self::Framework01 => "framework-0.1",
        }
    }

    /// Every dialect, in a stable order.
    pub const ALL: [Self; 2] = [Self::JsonRpc, Self::Framework01];

    /// Reads a dialect name ([`as_str`](Self::as_str)).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == name)
    }

    /// Appends a request line (without newline) as this dialect writes it.
    pub fn write_request(self, out: &mut Vec<u8>, id: &Id, method: &str, params: Value) {
        match self {
            // Encoding a `Value` cannot fail.
            Self::JsonRpc => {
                let params = encode_params(params).unwrap_or_default();
                write_request(out, id, method, params.as_ref());
            }
            Self::Framework01 => write_request(out, id, method, Some(&params)),
        }
    }

    /// Reads one line (without its newline) the other side wrote.
    ///
    /// # Errors
    ///
    /// As [`Message::from_slice`]; in [`Dialect::Framework01`] any `params`
    /// value is accepted (`null` reads as none).
    pub fn parse_line(self, line: &[u8]) -> Result<Message, MessageError> {
        match self {
            Self::JsonRpc => Message::from_slice(line),
            Self::Framework01 => match envelope::parse_fast(line) {
                Some(message) => Ok(message),
                None => Message::from_slice_with(line, ParamsRule::AnyValue),
            },
        }
    }
}

impl core::fmt::Display for Dialect {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}
