//! The exact line shape both kits write, and a parser fast path for it.
//!
//! Every message the kits send starts with the same envelope,
//! `{"jsonrpc":"2.0","id":…`, followed by `"result"`, `"error"`, or
//! `"method"` and `"params"`, in that order. Writing that by hand avoids
//! serde's per-field machinery; recognising it lets the reader parse only
//! the payload. Anything else (other key orders, whitespace, escapes in the
//! method name) takes the general path, which accepts the same messages.

use serde_json::Value;

use super::{Id, Message, Request, Response, RpcError};

const ENVELOPE: &[u8] = br#"{"jsonrpc":"2.0","id":"#;
const NOTIFICATION: &[u8] = br#"{"jsonrpc":"2.0","method":"#;

/// Appends `value` as JSON; serialising JSON values and our types into a
/// `Vec` cannot fail.
fn json(out: &mut Vec<u8>, value: &(impl serde::Serialize + ?Sized)) {
    let _ = serde_json::to_writer(&mut *out, value);
}

/// Appends `text` as a JSON string: as it is between quotes when nothing in
/// it needs escaping (method names, in practice), through serde_json
/// otherwise.
fn write_str(out: &mut Vec<u8>, text: &str) {
    if text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.reserve(text.len() + 2);
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    } else {
        json(out, text);
    }
}

fn write_id(out: &mut Vec<u8>, id: &Id) {
    match id {
        Id::Number(n) => {
            let mut digits = [0u8; 20];
            let mut at = digits.len();
            let mut rest = n.unsigned_abs();
            loop {
                at -= 1;
                digits[at] = b'0' + (rest % 10) as u8;
                rest /= 10;
                if rest == 0 {
                    break;
                }
            }
            if *n < 0 {
                out.push(b'-');
            }
            out.extend_from_slice(&digits[at..]);
        }
        Id::String(s) => write_str(out, s),
        Id::Null => out.extend_from_slice(b"null"),
    }
}

/// Appends a request line (without newline).
pub fn write_request(out: &mut Vec<u8>, id: &Id, method: &str, params: Option<&Value>) {
    out.extend_from_slice(ENVELOPE);
    write_id(out, id);
    out.extend_from_slice(br#","method":"#);
    write_str(out, method);
    if let Some(params) = params {
        out.extend_from_slice(br#","params":"#);
        json(out, params);
    }
    out.push(b'}');
}

/// Appends a notification line (without newline).
pub fn write_notification(out: &mut Vec<u8>, method: &str, params: Option<&Value>) {
    out.extend_from_slice(NOTIFICATION);
    write_str(out, method);
    if let Some(params) = params {
        out.extend_from_slice(br#","params":"#);
        json(out, params);
    }
    out.push(b'}');
}

/// Appends a response line (without newline).
pub fn write_response(out: &mut Vec<u8>, id: &Id, outcome: &Result<Value, RpcError>) {
    out.extend_from_slice(ENVELOPE);
    write_id(out, id);
    match outcome {
        Ok(result) => {
            out.extend_from_slice(br#","result":"#);
            json(out, result);
        }
        Err(error) => {
            out.extend_from_slice(br#","error":"#);
            json(out, error);
        }
    }
    out.push(b'}');
}

/// Splits a leading JSON integer that fits an `i64` off `bytes`.
fn split_int(bytes: &[u8]) -> Option<(i64, &[u8])> {
    let negative = bytes.first() == Some(&b'-');
    let digits = &bytes[usize::from(negative)..];
    let len = digits.iter().take_while(|b| b.is_ascii_digit()).count();
    // JSON forbids leading zeros; leave odd cases to the general parser.
    if len == 0 || len > 18 || (len > 1 && digits[0] == b'0') {
        return None;
    }
    let magnitude = digits[..len]
        .iter()
        .fold(0i64, |n, d| n * 10 + i64::from(d - b'0'));
    // `-0` reads as a float in serde_json, which an id is not: leave it to
    // the general parser too, so both paths reject it (found by fuzzing).
    if negative && magnitude == 0 {
        return None;
    }
    let value = if negative { -magnitude } else { magnitude };
    Some((value, &digits[len..]))
}

/// Parses a line of exactly the kits' shape; `None` sends it to the general path.
pub(crate) fn parse_fast(line: &[u8]) -> Option<Message> {
    let rest = line.strip_prefix(ENVELOPE)?;
    let (id, rest) = split_int(rest)?;
    let body = rest.strip_suffix(b"}")?;
    if let Some(result) = body.strip_prefix(br#","result":"#) {
        let result: Value = serde_json::from_slice(result).ok()?;
        return Some(Message::Response(Response {
            id: Id::Number(id),
            outcome: Ok(result),
        }));
    }
    let rest = body.strip_prefix(br#","method":""#)?;
    let end = rest
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
    if rest[end] != b'"' {
        return None;
    }
    let method = core::str::from_utf8(&rest[..end]).ok()?;
    let after = &rest[end + 1..];
    let params = if after.is_empty() {
        None
    } else {
        let params: Value = serde_json::from_slice(after.strip_prefix(br#","params":"#)?).ok()?;
        if !(params.is_array() || params.is_object()) {
            return None;
        }
        Some(params)
    };
    Some(Message::Request(Request {
        id: Id::Number(id),
        method: method.to_owned(),
        params,
    }))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::Notification;

    fn line(write: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
        let mut out = Vec::new();
        write(&mut out);
        out
    }

    #[test]
    fn written_lines_are_what_serde_would_write() {
        for id in [
            Id::Number(0),
            Id::Number(-42),
            Id::Number(i64::MAX),
            Id::from("a\"b"),
            Id::from("plain"),
            Id::Null,
        ] {
            // Names written as they are, and names that need escaping.
            let methods = [
                "host.echo",
                "m\u{e9}",
                "m\u{e9}\"",
                "a\\b",
                "tab\t",
                "\u{1}",
                "",
            ];
            for (params, method) in [None, Some(json!([1, "x\ny"])), Some(json!({"k": null}))]
                .into_iter()
                .flat_map(|params| methods.map(|method| (params.clone(), method)))
            {
                let request = Request {
                    id: id.clone(),
                    method: method.into(),
                    params: params.clone(),
                };
                let mine = line(|o| write_request(o, &id, &request.method, params.as_ref()));
                assert_eq!(mine, serde_json::to_vec(&request).unwrap());
            }
            for outcome in [Ok(json!({"a": [1, 2.5]})), Err(RpcError::internal("x"))] {
                let response = Response {
                    id: id.clone(),
                    outcome: outcome.clone(),
                };
                let mine = line(|o| write_response(o, &id, &outcome));
                assert_eq!(mine, serde_json::to_vec(&response).unwrap());
            }
        }
        let note = Notification {
            method: "n".into(),
            params: Some(json!([])),
        };
        let mine = line(|o| write_notification(o, "n", note.params.as_ref()));
        assert_eq!(mine, serde_json::to_vec(&note).unwrap());
        let note = Notification {
            method: "n\"\u{7f}".into(),
            params: None,
        };
        let mine = line(|o| write_notification(o, &note.method, None));
        assert_eq!(mine, serde_json::to_vec(&note).unwrap());
    }

    #[test]
    fn the_fast_path_agrees_with_the_general_parser() {
        let lines: &[&str] = &[
            r#"{"jsonrpc":"2.0","id":1,"result":"pong"}"#,
            r#"{"jsonrpc":"2.0","id":-7,"result":{"a":[1,{"b":null}]}}"#,
            r#"{"jsonrpc":"2.0","id":3,"method":"host.echo","params":[1]}"#,
            r#"{"jsonrpc":"2.0","id":3,"method":"host.echo"}"#,
            r#"{"jsonrpc":"2.0","id":3,"method":"a\"b","params":{}}"#,
            r#"{"jsonrpc":"2.0","id":3,"method":"m","params":5}"#,
            r#"{"jsonrpc":"2.0","id":1,"result":1,"error":{"code":1,"message":""}}"#,
            r#"{"jsonrpc":"2.0","id":01,"result":1}"#,
            r#"{"jsonrpc":"2.0","id":1,"result":1} "#,
            r#"{"jsonrpc":"2.0","id":1,"result":}"#,
            r#"{"jsonrpc":"2.0","id":99999999999999999999,"result":1}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"m","params":[1],"extra":true}"#,
            // Fuzzing regression: `-0` is not an integer to serde_json.
            r#"{"jsonrpc":"2.0","id":-0,"result":{}}"#,
            r#"{"jsonrpc":"2.0","id":-0,"method":"m"}"#,
        ];
        for text in lines {
            let general = Message::from_slice_general(text.as_bytes()).ok();
            if let Some(fast) = parse_fast(text.as_bytes()) {
                assert_eq!(Some(fast), general, "{text}");
            }
        }
        assert!(parse_fast(lines[0].as_bytes()).is_some());
        assert!(parse_fast(lines[2].as_bytes()).is_some());
        assert!(parse_fast(lines[3].as_bytes()).is_some());
    }
}
