//! The serve loop's side of the wire: a line of stdin read as a message,
//! and the answers written to stdout (PROTOCOL.md §1 and §4).
//!
//! `JSON.parse` and `JSON.stringify` are QuickJS's own (C); the checks and
//! the answers' envelopes are Rust.

use rquickjs::{Coerced, Ctx, Object, Type, Value};

use crate::{console, stdio};

/// The line is not JSON.
pub const PARSE_ERROR: i64 = -32700;
/// The line is not a JSON-RPC 2.0 message.
pub const INVALID_REQUEST: i64 = -32600;
/// No such method.
pub const METHOD_NOT_FOUND: i64 = -32601;
/// Something failed inside the plugin.
pub const INTERNAL_ERROR: i64 = -32603;

/// One line of stdin.
pub enum Incoming<'js> {
    /// Nothing but whitespace: skipped.
    Blank,
    /// Not JSON: answered -32700.
    NotJson,
    /// JSON, but not a JSON-RPC 2.0 message: answered -32600, for this reason.
    Invalid(&'static str),
    /// A request; `params` is `undefined` when absent.
    Request {
        id: Value<'js>,
        method: String,
        params: Value<'js>,
    },
    /// A notification: skipped.
    Notification,
    /// A response, to one of the plugin's host calls (or a stray one).
    Response(Object<'js>),
}

/// Reads `line` (without its line ending).
pub fn read<'js>(ctx: &Ctx<'js>, line: &str) -> Incoming<'js> {
    if line.trim_ascii().is_empty() {
        return Incoming::Blank;
    }
    match ctx.json_parse(line) {
        Ok(value) => classify(value).unwrap_or_else(|_| {
            // A property read threw (it cannot, on parsed JSON).
            let _ = ctx.catch();
            Incoming::Invalid("unreadable")
        }),
        Err(_) => {
            let _ = ctx.catch();
            Incoming::NotJson
        }
    }
}

fn classify(value: Value<'_>) -> rquickjs::Result<Incoming<'_>> {
    if value.is_array() {
        return Ok(Incoming::Invalid("batches are not used inside a plugin"));
    }
    let Some(msg) = value.into_object() else {
        return Ok(Incoming::Invalid("not an object"));
    };
    let jsonrpc: Value = msg.get("jsonrpc")?;
    if !jsonrpc
        .as_string()
        .is_some_and(|v| v.to_string().is_ok_and(|v| v == "2.0"))
    {
        return Ok(Incoming::Invalid(r#"missing "jsonrpc": "2.0""#));
    }
    let id = if msg.contains_key("id")? {
        let id: Value = msg.get("id")?;
        if !is_id(&id) {
            return Ok(Incoming::Invalid("an id is an integer or a string"));
        }
        Some(id)
    } else {
        None
    };
    let (has_result, has_error) = (msg.contains_key("result")?, msg.contains_key("error")?);
    if msg.contains_key("method")? {
        let Some(method) = msg.get::<_, Value>("method")?.as_string().cloned() else {
            return Ok(Incoming::Invalid("method must be a string"));
        };
        if has_result || has_error {
            return Ok(Incoming::Invalid("a request cannot carry result or error"));
        }
        let params: Value = msg.get("params")?;
        if !(params.is_undefined() || params.is_object()) {
            return Ok(Incoming::Invalid("params must be an array or an object"));
        }
        return Ok(match id {
            Some(id) => Incoming::Request {
                id,
                method: method.to_string()?,
                params,
            },
            None => Incoming::Notification,
        });
    }
    if id.is_none() {
        return Ok(Incoming::Invalid("neither a method nor an id"));
    }
    if has_result == has_error {
        return Ok(Incoming::Invalid("a response has either result or error"));
    }
    Ok(Incoming::Response(msg))
}

/// An id: an integer, a string, or `null`.
fn is_id(id: &Value<'_>) -> bool {
    match id.type_of() {
        Type::Int | Type::String | Type::Null => true,
        Type::Float => id
            .as_float()
            .is_some_and(|f| f.is_finite() && f.fract() == 0.0),
        _ => false,
    }
}

/// An error answer.
#[derive(Debug)]
pub struct WireError {
    pub code: i64,
    pub message: String,
    /// `data` as JSON text, if any.
    pub data: Option<String>,
}

impl WireError {
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            data: None,
        }
    }
}

/// Answers `id` with `result` (`undefined`, a function or a symbol is
/// `null`), or -32603 if JSON cannot hold it.
pub fn write_result<'js>(ctx: &Ctx<'js>, id: &Value<'js>, result: Value<'js>) {
    let json = match ctx.json_stringify(result) {
        Ok(Some(json)) => json.to_string().unwrap_or_else(|_| "null".to_owned()),
        Ok(None) => "null".to_owned(),
        Err(_) => {
            let thrown = ctx.catch();
            let why = exception_message(ctx, &thrown);
            let error = WireError::new(
                INTERNAL_ERROR,
                format!("cannot encode the result as JSON: {why}"),
            );
            return write_error(ctx, id, &error);
        }
    };
    let id = id_json(ctx, id);
    stdio::write_line(&format!(r#"{{"jsonrpc":"2.0","id":{id},"result":{json}}}"#));
}

/// Answers `id` (`null` for a line whose id could not be read) with `error`.
pub fn write_error<'js>(ctx: &Ctx<'js>, id: &Value<'js>, error: &WireError) {
    let id = id_json(ctx, id);
    let message = json_string(&error.message);
    let code = error.code;
    let data = match &error.data {
        Some(data) => format!(r#","data":{data}"#),
        None => String::new(),
    };
    stdio::write_line(&format!(
        r#"{{"jsonrpc":"2.0","id":{id},"error":{{"code":{code},"message":{message}{data}}}}}"#
    ));
}

/// `value` as JSON text, or `None` (and no pending exception) if JSON
/// cannot hold it.
pub fn to_json<'js>(ctx: &Ctx<'js>, value: Value<'js>) -> Option<String> {
    match ctx.json_stringify(value) {
        Ok(json) => json.and_then(|json| json.to_string().ok()),
        Err(_) => {
            let _ = ctx.catch();
            None
        }
    }
}

/// The message of a thrown value: an error's `message`, or the value shown.
pub fn exception_message<'js>(ctx: &Ctx<'js>, thrown: &Value<'js>) -> String {
    if thrown.type_of() == Type::Exception
        && let Some(error) = thrown.as_object()
        && let Ok(message) = error.get::<_, Coerced<String>>("message")
    {
        return message.0;
    }
    let _ = ctx.catch();
    console::show(ctx, thrown)
}

/// An id as JSON.
fn id_json<'js>(ctx: &Ctx<'js>, id: &Value<'js>) -> String {
    match id.type_of() {
        Type::Int => id.as_int().unwrap_or_default().to_string(),
        Type::String => json_string(
            &id.as_string()
                .and_then(|s| s.to_string().ok())
                .unwrap_or_default(),
        ),
        Type::Float => to_json(ctx, id.clone()).unwrap_or_else(|| "null".to_owned()),
        _ => "null".to_owned(),
    }
}

/// `text` as a JSON string.
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
