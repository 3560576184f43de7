//! JSON values and call reports between Rust and JavaScript.

use js_sys::{JSON, Object, Reflect};
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasmi_hdk::CallReport;

/// A JSON value as a plain JavaScript value (objects, arrays, numbers...).
pub(crate) fn to_js(value: &Value) -> JsValue {
    // Serialising a `Value` cannot fail, and its output is valid JSON.
    let text = serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned());
    JSON::parse(&text).unwrap_or(JsValue::NULL)
}

/// A JavaScript value as JSON, as `JSON.stringify` sees it: `undefined` and
/// functions become `null`.
///
/// # Errors
///
/// What `JSON.stringify` throws (a `BigInt`, a cycle), as a message.
pub(crate) fn from_js(value: &JsValue) -> Result<Value, String> {
    if value.is_undefined() {
        return Ok(Value::Null);
    }
    let text = JSON::stringify(value).map_err(|e| display(&e))?;
    match text.as_string() {
        Some(text) => serde_json::from_str(&text).map_err(|e| e.to_string()),
        None => Ok(Value::Null),
    }
}

/// What `String(value)` would print, or the `message` of an `Error`.
pub(crate) fn display(value: &JsValue) -> String {
    if let Some(text) = value.as_string() {
        return text;
    }
    if let Some(error) = value.dyn_ref::<js_sys::Error>() {
        return String::from(error.message());
    }
    if value.is_undefined() {
        return "undefined".to_owned();
    }
    if value.is_null() {
        return "null".to_owned();
    }
    String::from(value.unchecked_ref::<Object>().to_string())
}

/// `object[key] = value`, on an object this crate made.
pub(crate) fn set(object: &Object, key: &str, value: impl Into<JsValue>) {
    // Only fails on frozen objects or throwing setters, which ours are not.
    let _ = Reflect::set(object, &JsValue::from_str(key), &value.into());
}

/// `object[key]`, or `None` if it is `undefined`.
pub(crate) fn get(object: &JsValue, key: &str) -> Option<JsValue> {
    if !object.is_object() {
        return None;
    }
    Reflect::get(object, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined())
}

/// A [`CallReport`] as `{ fuelConsumed, wallTime, peakMemory, ... }` (the
/// kit's field names, camel-cased; `wallTime` in milliseconds).
pub(crate) fn report_to_js(report: &CallReport) -> JsValue {
    let object = Object::new();
    // Counters far below 2^53: exact as JavaScript numbers.
    set(&object, "fuelConsumed", report.fuel_consumed as f64);
    set(&object, "wallTime", report.wall_time.as_secs_f64() * 1000.0);
    set(&object, "peakMemory", report.peak_memory as f64);
    set(&object, "hostCalls", report.host_calls);
    set(&object, "notifications", report.notifications);
    set(&object, "bytesIn", report.bytes_in as f64);
    set(&object, "bytesOut", report.bytes_out as f64);
    set(&object, "stderrBytes", report.stderr_bytes as f64);
    object.into()
}
