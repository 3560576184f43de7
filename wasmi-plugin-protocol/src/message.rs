use serde::{Deserialize, Deserializer, Serialize, Serializer, ser::SerializeStruct};
use serde_json::Value;

use super::{Id, RpcError, envelope};

/// A call that expects an answer with the same [`Id`].
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Chosen by the sender; the answer carries it back.
    pub id: Id,
    /// The method to run.
    pub method: String,
    /// The parameters (an array or an object), if any.
    pub params: Option<Value>,
}

/// A call that expects no answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// The method to run.
    pub method: String,
    /// The parameters (an array or an object), if any.
    pub params: Option<Value>,
}

/// The answer to a [`Request`].
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The id of the request this answers.
    pub id: Id,
    /// `result` on success, `error` on failure.
    pub outcome: Result<Value, RpcError>,
}

/// Any one line of the protocol.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// A call that expects an answer.
    Request(Request),
    /// A call that expects none.
    Notification(Notification),
    /// An answer.
    Response(Response),
}

/// What a parser accepts as `params`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParamsRule {
    /// JSON-RPC 2.0: an array or an object, or absent.
    ArrayOrObject,
    /// Any JSON value; `null` reads as absent (the original framework's dialect).
    AnyValue,
}

/// Why a line could not be read as a [`Message`].
#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    /// The line is not JSON (answer with `-32700`).
    #[error("not JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The line is JSON but not a JSON-RPC 2.0 message (answer with `-32600`).
    #[error("not a JSON-RPC 2.0 message: {0}")]
    Invalid(&'static str),
}

impl MessageError {
    /// The wire error to answer such a line with.
    pub fn to_rpc_error(&self) -> RpcError {
        match self {
            Self::Json(e) => RpcError::parse_error(e),
            Self::Invalid(why) => RpcError::invalid_request(why),
        }
    }
}

/// The shape every message is read through; `Some(Null)` and `None` differ
/// for `id` and `result`, hence the `present` helper.
#[derive(Deserialize)]
struct RawMessage<'a> {
    #[serde(borrow, default)]
    jsonrpc: Option<&'a str>,
    #[serde(default, deserialize_with = "present")]
    id: Option<Id>,
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    params: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    result: Option<Value>,
    #[serde(default)]
    error: Option<RpcError>,
}

fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

impl Message {
    /// Reads one line (without its trailing newline).
    ///
    /// # Errors
    ///
    /// [`MessageError::Json`] if the line is not JSON, [`MessageError::Invalid`]
    /// if it is JSON but not a single JSON-RPC 2.0 message (batches included).
    pub fn parse(line: &str) -> Result<Self, MessageError> {
        Self::from_slice(line.as_bytes())
    }

    /// Reads one line given as bytes (without its trailing newline): the
    /// same as [`Message::parse`] without a separate UTF-8 check.
    ///
    /// # Errors
    ///
    /// As [`Message::parse`]; invalid UTF-8 is a [`MessageError::Json`].
    pub fn from_slice(line: &[u8]) -> Result<Self, MessageError> {
        match envelope::parse_fast(line) {
            Some(message) => Ok(message),
            None => Self::from_slice_general(line),
        }
    }

    /// The general parser: any key order and whitespace.
    pub(crate) fn from_slice_general(line: &[u8]) -> Result<Self, MessageError> {
        Self::from_slice_with(line, ParamsRule::ArrayOrObject)
    }

    /// The general parser under `rule` for `params`.
    pub(crate) fn from_slice_with(line: &[u8], rule: ParamsRule) -> Result<Self, MessageError> {
        if line.trim_ascii_start().starts_with(b"[") {
            return Err(MessageError::Invalid(
                "batches are not used inside a plugin",
            ));
        }
        let mut raw: RawMessage<'_> = serde_json::from_slice(line)?;
        if raw.jsonrpc != Some("2.0") {
            return Err(MessageError::Invalid(r#"missing "jsonrpc": "2.0""#));
        }
        match (&raw.params, rule) {
            (Some(params), ParamsRule::ArrayOrObject)
                if !(params.is_array() || params.is_object()) =>
            {
                return Err(MessageError::Invalid(
                    "params must be an array or an object",
                ));
            }
            (Some(Value::Null), ParamsRule::AnyValue) => raw.params = None,
            _ => {}
        }
        match (raw.method, raw.id, raw.result, raw.error) {
            (Some(method), Some(id), None, None) => Ok(Self::Request(Request {
                id,
                method,
                params: raw.params,
            })),
            (Some(method), None, None, None) => Ok(Self::Notification(Notification {
                method,
                params: raw.params,
            })),
            (None, Some(id), Some(result), None) => Ok(Self::Response(Response {
                id,
                outcome: Ok(result),
            })),
            (None, Some(id), None, Some(error)) => Ok(Self::Response(Response {
                id,
                outcome: Err(error),
            })),
            (None, _, Some(_), Some(_)) => Err(MessageError::Invalid(
                "a response has either result or error",
            )),
            (None, None, _, _) => Err(MessageError::Invalid("neither a method nor an id")),
            (None, Some(_), None, None) => {
                Err(MessageError::Invalid("a response needs result or error"))
            }
            (Some(_), _, _, _) => Err(MessageError::Invalid(
                "a request cannot carry result or error",
            )),
        }
    }

    /// The message as one line of JSON, without the trailing newline.
    pub fn to_line(&self) -> String {
        let mut out = Vec::new();
        self.write_line(&mut out);
        line_string(out)
    }

    /// Appends the message as one line of JSON (without the trailing newline) to `out`.
    pub fn write_line(&self, out: &mut Vec<u8>) {
        match self {
            Self::Request(m) => m.write_line(out),
            Self::Notification(m) => m.write_line(out),
            Self::Response(m) => m.write_line(out),
        }
    }
}

/// Our writers only produce UTF-8 (JSON text from strings and numbers).
fn line_string(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_default()
}

impl Request {
    /// The request as one line of JSON, without the trailing newline.
    pub fn to_line(&self) -> String {
        let mut out = Vec::new();
        self.write_line(&mut out);
        line_string(out)
    }

    /// Appends the request as one line of JSON (without the trailing newline) to `out`.
    pub fn write_line(&self, out: &mut Vec<u8>) {
        envelope::write_request(out, &self.id, &self.method, self.params.as_ref());
    }
}

impl Notification {
    /// Appends the notification as one line of JSON (without the trailing newline) to `out`.
    pub fn write_line(&self, out: &mut Vec<u8>) {
        envelope::write_notification(out, &self.method, self.params.as_ref());
    }
}

impl Response {
    /// The response as one line of JSON, without the trailing newline.
    pub fn to_line(&self) -> String {
        let mut out = Vec::new();
        self.write_line(&mut out);
        line_string(out)
    }

    /// Appends the response as one line of JSON (without the trailing newline) to `out`.
    pub fn write_line(&self, out: &mut Vec<u8>) {
        envelope::write_response(out, &self.id, &self.outcome);
    }
}

impl Serialize for Request {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Request", 4)?;
        s.serialize_field("jsonrpc", "2.0")?;
        s.serialize_field("id", &self.id)?;
        s.serialize_field("method", &self.method)?;
        if let Some(params) = &self.params {
            s.serialize_field("params", params)?;
        }
        s.end()
    }
}

impl Serialize for Notification {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Notification", 3)?;
        s.serialize_field("jsonrpc", "2.0")?;
        s.serialize_field("method", &self.method)?;
        if let Some(params) = &self.params {
            s.serialize_field("params", params)?;
        }
        s.end()
    }
}

impl Serialize for Response {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Response", 3)?;
        s.serialize_field("jsonrpc", "2.0")?;
        s.serialize_field("id", &self.id)?;
        match &self.outcome {
            Ok(result) => s.serialize_field("result", result)?,
            Err(error) => s.serialize_field("error", error)?,
        }
        s.end()
    }
}

impl Serialize for Message {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Request(m) => m.serialize(serializer),
            Self::Notification(m) => m.serialize(serializer),
            Self::Response(m) => m.serialize(serializer),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn classifies_each_kind() {
        let req = Message::parse(r#"{"jsonrpc":"2.0","id":1,"method":"m","params":[1]}"#).unwrap();
        assert_eq!(
            req,
            Message::Request(Request {
                id: Id::Number(1),
                method: "m".into(),
                params: Some(json!([1]))
            })
        );
        let note = Message::parse(r#"{"jsonrpc":"2.0","method":"n"}"#).unwrap();
        assert!(matches!(note, Message::Notification(n) if n.method == "n" && n.params.is_none()));
        let ok = Message::parse(r#"{"jsonrpc":"2.0","id":"x","result":null}"#).unwrap();
        assert_eq!(
            ok,
            Message::Response(Response {
                id: Id::from("x"),
                outcome: Ok(Value::Null)
            })
        );
        let err = Message::parse(
            r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"bad"}}"#,
        )
        .unwrap();
        assert!(
            matches!(err, Message::Response(Response { id: Id::Null, outcome: Err(e) }) if e.code == -32700)
        );
    }

    #[test]
    fn rejects_what_is_not_json_rpc() {
        for (line, json) in [
            ("not json", true),
            (r#"{"id":1,"method":"m"}"#, false),
            (r#"{"jsonrpc":"1.0","id":1,"method":"m"}"#, false),
            (r#"{"jsonrpc":"2.0","id":1}"#, false),
            (r#"{"jsonrpc":"2.0","result":1}"#, false),
            (
                r#"{"jsonrpc":"2.0","id":1,"result":1,"error":{"code":1,"message":""}}"#,
                false,
            ),
            (r#"{"jsonrpc":"2.0","id":1,"method":"m","params":3}"#, false),
            (r#"[{"jsonrpc":"2.0","id":1,"method":"m"}]"#, false),
        ] {
            let err = Message::parse(line).unwrap_err();
            assert_eq!(matches!(err, MessageError::Json(_)), json, "{line}: {err}");
            let code = err.to_rpc_error().code;
            assert_eq!(code, if json { -32700 } else { -32600 }, "{line}");
        }
    }

    #[test]
    fn prints_one_line_that_parses_back() {
        for msg in [
            Message::Request(Request {
                id: Id::Number(7),
                method: "a\nb".into(),
                params: Some(json!({"s": "x\ny"})),
            }),
            Message::Notification(Notification {
                method: "n".into(),
                params: None,
            }),
            Message::Response(Response {
                id: Id::from("r"),
                outcome: Err(RpcError::internal("x")),
            }),
        ] {
            let line = msg.to_line();
            assert!(!line.contains('\n'));
            assert_eq!(Message::parse(&line).unwrap(), msg);
        }
    }
}
