//! `wasmi_hdk::Error` as a JavaScript `Error` with a `kind` to switch on.

use js_sys::Object;
use wasm_bindgen::{JsCast, JsValue};
use wasmi_hdk::{CallReport, Error, ErrorKind};

use crate::convert::{report_to_js, set, to_js};

/// The error a failed call rejects with: an `Error` named `PluginError`
/// whose `kind` is the host kit's [`ErrorKind`] name (the same string the
/// CLI and the mobile bindings use), plus the details of that kind (see
/// the `PluginError` TypeScript interface).
pub(crate) fn to_js_error(error: &Error, report: Option<&CallReport>) -> JsValue {
    let js = js_sys::Error::new(&error.to_string());
    js.set_name("PluginError");
    let object: &Object = js.unchecked_ref();
    set(object, "kind", error.kind().as_str());
    match error {
        Error::Rpc(rpc) => {
            set(object, "code", rpc.code);
            if let Some(data) = &rpc.data {
                set(object, "data", to_js(data));
            }
        }
        Error::Trap {
            code: Some(code), ..
        } => set(object, "trapCode", code.as_str()),
        Error::Exit { code, .. } => set(object, "exitCode", *code),
        Error::OutOfFuel { budget } => set(object, "limit", *budget as f64),
        Error::Timeout { limit } => set(object, "limit", limit.as_secs_f64() * 1000.0),
        Error::MemoryLimit {
            limit, requested, ..
        } => {
            set(object, "limit", *limit as f64);
            set(object, "requested", *requested as f64);
        }
        Error::RequestTooLarge { size, limit } => {
            set(object, "limit", *limit as f64);
            set(object, "requested", *size as f64);
        }
        _ => {}
    }
    if let Some(tail) = error.stderr_tail() {
        set(object, "stderrTail", tail);
    }
    if let Some(report) = report {
        set(object, "report", report_to_js(report));
    }
    js.into()
}

/// A `PluginError` of `kind` for a bad argument from JavaScript.
pub(crate) fn usage_error(kind: ErrorKind, message: &str) -> JsValue {
    let js = js_sys::Error::new(message);
    js.set_name("PluginError");
    set(js.unchecked_ref(), "kind", kind.as_str());
    js.into()
}
