//! Host methods written in JavaScript, served to plugins.

use core::{cell::RefCell, future::ready};
use std::{collections::HashMap, rc::Rc};

use js_sys::{Function, Object, Promise};
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasmi_hdk::{
    BoxFuture, CallerInfo, HostHandler, RpcError,
    protocol::codes::{HOST_ERROR, INTERNAL_ERROR, METHOD_NOT_FOUND},
};

use crate::convert::{display, from_js, get, set, to_js};

/// The JavaScript functions a [`WebPlugin`](crate::WebPlugin) serves,
/// shared with the handler its plugin calls (methods can be added after
/// loading).
pub(crate) type JsMethods = Rc<RefCell<HashMap<String, Function>>>;

/// A [`HostHandler`] that calls JavaScript functions.
#[derive(Debug, Default)]
pub(crate) struct JsHost {
    methods: JsMethods,
}

impl JsHost {
    pub(crate) fn new(methods: JsMethods) -> Self {
        Self { methods }
    }
}

impl HostHandler for JsHost {
    fn handle(
        &self,
        caller: CallerInfo,
        method: &str,
        params: Option<Value>,
    ) -> BoxFuture<Result<Value, RpcError>> {
        // Cloned out, so the function may register methods while it runs.
        let function = self.methods.borrow().get(method).cloned();
        let Some(function) = function else {
            return Box::pin(ready(Err(RpcError::new(
                METHOD_NOT_FOUND,
                format!("host method not found: {method}"),
            ))));
        };
        let params = params.as_ref().map_or(JsValue::UNDEFINED, to_js);
        let info = Object::new();
        set(&info, "plugin", caller.plugin());
        set(&info, "method", method);
        match function.call2(&JsValue::UNDEFINED, &params, &info) {
            Err(thrown) => Box::pin(ready(Err(rpc_error(&thrown)))),
            Ok(returned) if is_thenable(&returned) => {
                let promise = Promise::resolve(&returned);
                Box::pin(async move {
                    match JsFuture::from(promise).await {
                        Ok(value) => answer(&value),
                        Err(thrown) => Err(rpc_error(&thrown)),
                    }
                })
            }
            Ok(returned) => Box::pin(ready(answer(&returned))),
        }
    }

    fn method_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.methods.borrow().keys().cloned().collect();
        names.sort_unstable();
        names
    }
}

/// A returned JavaScript value as the JSON result.
fn answer(value: &JsValue) -> Result<Value, RpcError> {
    from_js(value).map_err(|e| {
        RpcError::new(
            INTERNAL_ERROR,
            format!("host method result is not JSON: {e}"),
        )
    })
}

fn is_thenable(value: &JsValue) -> bool {
    value.is_instance_of::<Promise>() || get(value, "then").is_some_and(|then| then.is_function())
}

/// What a host method threw, as the plugin's JSON-RPC error: its own
/// integer `code` (with `message` and `data`) if it has one, else `-32001`.
fn rpc_error(thrown: &JsValue) -> RpcError {
    let message = display(thrown);
    let code = get(thrown, "code")
        .and_then(|code| code.as_f64())
        .filter(|code| {
            code.fract() == 0.0 && (f64::from(i32::MIN)..=f64::from(i32::MAX)).contains(code)
        });
    match code {
        Some(code) => {
            let data = get(thrown, "data").and_then(|data| from_js(&data).ok());
            RpcError {
                code: code as i32,
                message,
                data,
            }
        }
        None => RpcError::new(HOST_ERROR, message),
    }
}
