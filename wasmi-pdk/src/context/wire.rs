//! A host call's line, written straight into the outbox.
//!
//! `params` are serialised in place, where [`encode_params`] would first
//! build a `Value` tree (an allocation per array, object and string) only to
//! serialise it again: in an interpreter that round trip is a large part of
//! a host call. The line is byte for byte what [`encode_params`] then
//! [`write_request`] or [`write_notification`] produce, up to the order of
//! an object's members (a `Value` sorts them).
//!
//! [`encode_params`]: crate::encode_params

use serde::Serialize;

use crate::protocol::{Id, RpcError, write_notification, write_request};

/// Appends the request (`Some(id)`) or notification line for `method` and
/// `params`, without its newline, encoding `params` as [`encode_params`]
/// does: `null` (or `()`) sends none, a scalar becomes a one-element array,
/// arrays and objects go as they are.
///
/// # Errors
///
/// `-32602` if `params` cannot be represented as JSON (e.g. a map with
/// non-string keys); then nothing is appended.
///
/// [`encode_params`]: crate::encode_params
pub(super) fn write_call<P: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    id: Option<i64>,
    method: &str,
    params: &P,
) -> Result<(), RpcError> {
    let start = out.len();
    match id {
        Some(id) => write_request(out, &Id::Number(id), method, None),
        None => write_notification(out, method, None),
    }
    // The line without params ends with its closing brace: params go before it.
    out.pop();
    let without_params = out.len();
    out.extend_from_slice(br#","params":"#);
    let at = out.len();
    if let Err(e) = serde_json::to_writer(&mut *out, params) {
        out.truncate(start);
        return Err(RpcError::invalid_params(e));
    }
    match out.get(at) {
        Some(b'[' | b'{') => {}
        // `null`, the only JSON text starting with `n`: no params.
        Some(b'n') => out.truncate(without_params),
        _ => {
            out.insert(at, b'[');
            out.push(b']');
        }
    }
    out.push(b'}');
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::{Value, json};

    use super::*;
    use crate::protocol::encode_params;

    /// The line the `Value` route writes.
    fn via_value(
        id: Option<i64>,
        method: &str,
        params: impl Serialize,
    ) -> Result<Vec<u8>, RpcError> {
        let params = encode_params(params)?;
        let mut out = Vec::new();
        match id {
            Some(id) => write_request(&mut out, &Id::Number(id), method, params.as_ref()),
            None => write_notification(&mut out, method, params.as_ref()),
        }
        Ok(out)
    }

    fn direct(id: Option<i64>, method: &str, params: impl Serialize) -> Result<Vec<u8>, RpcError> {
        let mut out = b"before\n".to_vec();
        write_call(&mut out, id, method, &params).map(|()| out[7..].to_vec())
    }

    #[derive(Serialize)]
    struct Point {
        y: i32,
        x: i32,
    }

    #[test]
    fn writes_what_the_value_route_writes() {
        for id in [Some(1), Some(-12), None] {
            let method = "host.m\"é";
            macro_rules! same {
                ($params:expr) => {
                    assert_eq!(
                        direct(id, method, $params).unwrap(),
                        via_value(id, method, $params).unwrap(),
                        "{}",
                        stringify!($params)
                    );
                };
            }
            same!(());
            same!(Value::Null);
            same!(None::<u8>);
            same!(f64::NAN);
            same!(5);
            same!(-2.5);
            same!(true);
            same!("text \n");
            same!(Some("x"));
            same!([1, 2]);
            same!((1, "a"));
            same!(json!({"a": [1, {"b": null}]}));
            same!(Vec::<u8>::new());
            same!(BTreeMap::from([(3, "three")]));
            same!(json!([]));
        }
    }

    #[test]
    fn objects_keep_their_member_order() {
        let line = direct(Some(1), "m", Point { y: 1, x: 2 }).unwrap();
        assert_eq!(
            line,
            br#"{"jsonrpc":"2.0","id":1,"method":"m","params":{"y":1,"x":2}}"#
        );
        let parsed: Value = serde_json::from_slice(&line).unwrap();
        let expected: Value =
            serde_json::from_slice(&via_value(Some(1), "m", Point { y: 1, x: 2 }).unwrap())
                .unwrap();
        assert_eq!(parsed, expected);
    }

    #[test]
    fn params_that_are_not_json_write_nothing() {
        let bad = BTreeMap::from([((1, 2), "tuple key")]);
        let mut out = b"kept".to_vec();
        let error = write_call(&mut out, Some(1), "m", &bad).unwrap_err();
        assert_eq!(error.code, via_value(Some(1), "m", &bad).unwrap_err().code);
        assert_eq!(out, b"kept");
    }
}
