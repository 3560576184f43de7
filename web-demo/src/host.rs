//! `Plugin`: one loaded plugin, called from JavaScript.

use core::future::Future;

use js_sys::{Array, Function, Object, Promise, Uint8Array};
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue, closure::Closure, prelude::wasm_bindgen};
use wasm_bindgen_futures::future_to_promise;
use wasmi_hdk::{
    CallFailure, CancelHandle, Dialect, ErrorKind, LogRecord, Plugin as HostPlugin, PluginBuilder,
    Reported, store::StoreHost,
};

use crate::{
    convert::{display, from_js, get, report_to_js, set, to_js},
    error::{to_js_error, usage_error},
    js_host::{JsHost, JsMethods},
    options::{
        AbortSignal, CallOptions, HostMethod, LoadOptions, apply_limits, count, entries, function,
        string, strings,
    },
    store::WebStore,
};

/// A loaded plugin: compiled once, a fresh instance for every call. In
/// JavaScript its class is `Plugin`, the noun Rust and the mobile bindings
/// use too.
///
/// Calls run on the page's main thread and give the event loop back about
/// every 10 ms while they compute; several calls may run at once.
#[wasm_bindgen(js_name = Plugin)]
#[derive(Debug, Clone)]
pub struct WebPlugin {
    plugin: HostPlugin,
    methods: JsMethods,
}

#[wasm_bindgen(js_class = Plugin)]
impl WebPlugin {
    /// Compiles and links a plugin (a `wasm32-wasip1` command module).
    ///
    /// # Errors
    ///
    /// Rejects with a `PluginError` of kind `invalid_module`,
    /// `missing_entry_point`, `missing_memory`, `unsupported_import` or
    /// `invalid_options`; with a `StoreError` if the `store` option's
    /// database cannot be opened.
    pub async fn load(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer")] bytes: JsValue,
        options: Option<LoadOptions>,
    ) -> Result<WebPlugin, JsValue> {
        let wasm = wasm_bytes(&bytes)?;
        let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
        let methods = JsMethods::default();
        for (name, value) in entries(&options, "methods")? {
            let function = value.dyn_into::<Function>().map_err(|_| {
                usage_error(
                    ErrorKind::InvalidOptions,
                    &format!("option `methods.{name}` must be a function"),
                )
            })?;
            methods.borrow_mut().insert(name, function);
        }
        let mut builder = HostPlugin::builder()
            .with_limits(apply_limits(wasmi_hdk::Limits::default(), &options)?)
            .with_host(JsHost::new(methods.clone()));
        if let Some(name) = string(&options, "name")? {
            builder = builder.with_name(name);
        }
        if let Some(dialect) = string(&options, "dialect")? {
            let dialect = Dialect::from_name(&dialect).ok_or_else(|| {
                usage_error(
                    ErrorKind::InvalidOptions,
                    &format!("option `dialect`: `{dialect}` is not jsonrpc or framework-0.1"),
                )
            })?;
            builder = builder.with_dialect(dialect);
        }
        if let Some(instances) = count(&options, "maxConcurrent")? {
            builder = builder.with_max_concurrent(instances);
        }
        for arg in strings(&options, "args")? {
            builder = builder.with_arg(arg);
        }
        for (key, value) in entries(&options, "env")? {
            builder = builder.with_env(key, display(&value));
        }
        for (guest, entry) in entries(&options, "files")? {
            builder = with_files_entry(builder, guest, &entry)?;
        }
        if let Some(store) = get(&options, "store") {
            let store = WebStore::from_option(&store).await?;
            builder = builder.with_store(StoreHost::from_shared(store.store().clone()));
        }
        if let Some(on_log) = function(&options, "onLog")? {
            builder = builder.with_log_handler(move |record: &LogRecord<'_>| {
                let target = record.target.map_or(JsValue::UNDEFINED, JsValue::from_str);
                // A throwing log callback must not fail the call.
                let _ = on_log.call3(
                    &JsValue::UNDEFINED,
                    &JsValue::from_str(record.level.as_str()),
                    &JsValue::from_str(record.message),
                    &target,
                );
            });
        }
        let plugin = builder
            .build(&wasm)
            .map_err(|error| to_js_error(&error, None))?;
        Ok(Self { plugin, methods })
    }

    /// The plugin's name.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.plugin.name().to_owned()
    }

    /// Adds (or replaces) host method `name`, written in JavaScript: it gets
    /// the params and returns the result, or a Promise of it.
    #[wasm_bindgen(js_name = setHostMethod)]
    pub fn set_host_method(&self, name: String, handler: HostMethod) {
        self.methods
            .borrow_mut()
            .insert(name, handler.unchecked_into());
    }

    /// The host methods written in JavaScript, sorted.
    #[wasm_bindgen(js_name = hostMethods)]
    pub fn host_methods(&self) -> Vec<String> {
        let mut names: Vec<String> = self.methods.borrow().keys().cloned().collect();
        names.sort_unstable();
        names
    }

    /// Calls `method` with JSON `params` (an array, an object, a scalar sent
    /// as `[x]`, or nothing) in a fresh instance.
    ///
    /// Resolves to the result; rejects with a `PluginError` whose `kind`
    /// says what went wrong and whose `report` says what the call cost.
    #[wasm_bindgen(unchecked_return_type = "Promise<any>")]
    pub fn call(
        &self,
        method: String,
        params: Option<JsValue>,
        options: Option<CallOptions>,
    ) -> Promise {
        let call = self.start(&method, params, options);
        future_to_promise(async move {
            match call?.await {
                Ok(reported) => Ok(to_js(&reported.value)),
                Err(failure) => Err(to_js_error(&failure.error, Some(&failure.report))),
            }
        })
    }

    /// Like `call`, but resolves to `{ result, report }`.
    #[wasm_bindgen(js_name = callWithReport, unchecked_return_type = "Promise<CallResult>")]
    pub fn call_with_report(
        &self,
        method: String,
        params: Option<JsValue>,
        options: Option<CallOptions>,
    ) -> Promise {
        let call = self.start(&method, params, options);
        future_to_promise(async move {
            match call?.await {
                Ok(reported) => {
                    let object = Object::new();
                    set(&object, "result", to_js(&reported.value));
                    set(&object, "report", report_to_js(&reported.report));
                    Ok(object.into())
                }
                Err(failure) => Err(to_js_error(&failure.error, Some(&failure.report))),
            }
        })
    }

    /// The plugin's method names, from its `rpc.discover` answer (an
    /// OpenRPC document); empty if it does not answer one.
    #[wasm_bindgen(unchecked_return_type = "Promise<string[]>")]
    pub fn methods(&self) -> Promise {
        let call = self.plugin.discover();
        future_to_promise(async move {
            let names = Array::new();
            if let Ok(discovery) = call.await {
                for method in &discovery.methods {
                    names.push(&JsValue::from_str(&method.name));
                }
            }
            Ok(names.into())
        })
    }
}

impl WebPlugin {
    /// The wasmi-hdk plugin behind this JavaScript object.
    pub fn plugin(&self) -> &HostPlugin {
        &self.plugin
    }

    /// Prepares a call: decodes params and options, wires an abort signal.
    fn start(
        &self,
        method: &str,
        params: Option<JsValue>,
        options: Option<CallOptions>,
    ) -> Result<impl Future<Output = Result<Reported<Value>, CallFailure>> + 'static, JsValue> {
        let params = match params {
            None => Value::Null,
            Some(params) => from_js(&params).map_err(|e| {
                usage_error(
                    ErrorKind::InvalidParams,
                    &format!("params are not JSON: {e}"),
                )
            })?,
        };
        let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
        let limits = apply_limits(self.plugin.limits().clone(), &options)?;
        let cancel = CancelHandle::new();
        let abort = get(&options, "signal")
            .map(|signal| AbortListener::new(signal.unchecked_into(), cancel.clone()));
        let call = self.plugin.call_with::<Value>(
            method,
            params,
            wasmi_hdk::CallOptions::new()
                .with_limits(limits)
                .with_cancel(cancel),
        );
        Ok(async move {
            let outcome = call.await;
            drop(abort);
            outcome
        })
    }
}

/// Cancels a call when its `AbortSignal` fires; stops listening on drop.
struct AbortListener {
    signal: AbortSignal,
    listener: Closure<dyn FnMut()>,
}

impl AbortListener {
    fn new(signal: AbortSignal, cancel: CancelHandle) -> Self {
        if signal.aborted() {
            cancel.cancel();
        }
        let listener = Closure::<dyn FnMut()>::new(move || cancel.cancel());
        signal.add_event_listener("abort", listener.as_ref().unchecked_ref());
        Self { signal, listener }
    }
}

impl Drop for AbortListener {
    fn drop(&mut self) {
        self.signal
            .remove_event_listener("abort", self.listener.as_ref().unchecked_ref());
    }
}

/// The bytes of a `Uint8Array` or an `ArrayBuffer`.
/// `builder` with one entry of the `files` option: `{ archive: bytes }` or
/// `{ scratch: quota }`.
///
/// # Errors
///
/// `invalid_options` naming `files.GUEST` for anything else.
fn with_files_entry(
    builder: PluginBuilder,
    guest: String,
    entry: &JsValue,
) -> Result<PluginBuilder, JsValue> {
    let invalid = |what: &str| {
        usage_error(
            ErrorKind::InvalidOptions,
            &format!("option `files.{guest}`: {what}"),
        )
    };
    if let Some(archive) = get(entry, "archive") {
        let bytes = if let Some(array) = archive.dyn_ref::<Uint8Array>() {
            array.to_vec()
        } else if let Some(buffer) = archive.dyn_ref::<js_sys::ArrayBuffer>() {
            Uint8Array::new(buffer).to_vec()
        } else {
            return Err(invalid("`archive` must be a Uint8Array or an ArrayBuffer"));
        };
        return Ok(builder.with_archive(guest, bytes));
    }
    if let Some(quota) = get(entry, "scratch") {
        let bytes = match (quota.as_f64(), quota.as_string()) {
            (Some(n), _) if n >= 0.0 && n.fract() == 0.0 && n <= 2f64.powi(53) => n as u64,
            (_, Some(text)) => wasmi_hdk::units::parse_bytes(&text)
                .map(|n| n as u64)
                .map_err(|e| invalid(&format!("`scratch`: {e}")))?,
            _ => {
                return Err(invalid(
                    "`scratch` must be a size in bytes (a number or \"1M\")",
                ));
            }
        };
        return Ok(builder.with_scratch(guest, bytes));
    }
    Err(invalid(
        "expected `{ archive: bytes }` or `{ scratch: quota }`",
    ))
}

fn wasm_bytes(bytes: &JsValue) -> Result<Vec<u8>, JsValue> {
    if let Some(array) = bytes.dyn_ref::<Uint8Array>() {
        return Ok(array.to_vec());
    }
    if let Some(buffer) = bytes.dyn_ref::<js_sys::ArrayBuffer>() {
        return Ok(Uint8Array::new(buffer).to_vec());
    }
    Err(usage_error(
        ErrorKind::InvalidOptions,
        "plugin bytes must be a Uint8Array or an ArrayBuffer",
    ))
}
