//! Decoding and encoding JSON-RPC params (`decode_params`, `encode_params`)
//! never panics, whatever JSON arrives and whatever type a handler wants.

#![no_main]

use std::collections::{BTreeMap, HashMap};

use libfuzzer_sys::fuzz_target;
use serde::Deserialize;
use serde_json::Value;
use wasmi_plugin_protocol::{decode_params, encode_params};

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Record {
    a: i64,
    #[serde(default)]
    b: Option<String>,
    c: Vec<u8>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
enum Shape {
    Unit,
    Tuple(u8, f64),
    Named { x: i32 },
}

#[derive(Debug, Deserialize)]
#[serde(tag = "kind")]
#[allow(dead_code)]
enum Tagged {
    One { v: bool },
    Two,
}

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let params = Some(&value);
    let _ = decode_params::<()>(params);
    let _ = decode_params::<bool>(params);
    let _ = decode_params::<u64>(params);
    let _ = decode_params::<i8>(params);
    let _ = decode_params::<f64>(params);
    let _ = decode_params::<String>(params);
    let _ = decode_params::<Option<u8>>(params);
    let _ = decode_params::<(i64, i64)>(params);
    let _ = decode_params::<(String, Option<Value>)>(params);
    let _ = decode_params::<Vec<Value>>(params);
    let _ = decode_params::<HashMap<String, Value>>(params);
    let _ = decode_params::<BTreeMap<u32, String>>(params);
    let _ = decode_params::<Record>(params);
    let _ = decode_params::<Shape>(params);
    let _ = decode_params::<Tagged>(params);
    let _ = decode_params::<Box<[char]>>(params);
    // A handler taking a `Value` sees the params as they are.
    assert_eq!(decode_params::<Value>(params).unwrap(), value);

    // Encoding a `Value` never fails: no params, or an array or object.
    match encode_params(&value).unwrap() {
        None => assert!(value.is_null()),
        Some(encoded) => {
            assert!(encoded.is_array() || encoded.is_object());
            // What a single-argument handler gets back is the argument.
            if !(value.is_array() || value.is_object()) {
                assert_eq!(encoded, Value::Array(vec![value.clone()]));
                if let Some(n) = value.as_u64() {
                    assert_eq!(decode_params::<u64>(Some(&encoded)).unwrap(), n);
                }
                if let Some(s) = value.as_str() {
                    assert_eq!(decode_params::<String>(Some(&encoded)).unwrap(), s);
                }
            }
        }
    }
});
