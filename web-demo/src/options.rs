//! The option objects JavaScript passes in, their TypeScript types, and how
//! they become [`Limits`].

use core::time::Duration;

use js_sys::{Function, Object};
use wasm_bindgen::{JsCast, JsValue, prelude::wasm_bindgen};
use wasmi_hdk::Limits;

use crate::{convert::get, error::usage_error};

#[wasm_bindgen(typescript_custom_section)]
const TYPESCRIPT: &str = r#"
/** A plugin log line's level. */
export type LogLevel = "ERROR" | "WARN" | "INFO" | "DEBUG" | "TRACE";

/** Who calls a host method. */
export interface HostCaller {
  /** The calling plugin's name. */
  plugin: string;
  /** The host method called. */
  method: string;
}

/**
 * A host method written in JavaScript. It gets the JSON params of the
 * plugin's request (`undefined` if it sent none) and returns the JSON result,
 * or a Promise of it. Throwing (or rejecting) answers the plugin with a
 * JSON-RPC error: the thrown object's own integer `code`, `message` and
 * `data` if it has a `code`, otherwise `-32001` and its message.
 */
export type HostMethod = (params: any, caller: HostCaller) => unknown | Promise<unknown>;

/** Limits shared by `LoadOptions` (defaults for every call) and `CallOptions`. */
export interface LimitOptions {
  /** Wall-clock limit of one call in ms; default 30000; `null`: none. */
  timeoutMs?: number | null;
  /** Fuel (about one per Wasm instruction) one call may use; default `null`: unlimited. */
  fuel?: number | bigint | null;
  /** Bytes of linear memory a plugin instance may have; default 64 MiB. */
  maxMemory?: number;
  /** Fuel run between two checks of the clock, cancellation and timeout; default 250000. */
  fuelSlice?: number;
  /** Bytes of one JSON-RPC line, either direction; default 16 MiB. */
  maxMessage?: number;
}

/** Options of `PluginHost.load`. */
export interface LoadOptions extends LimitOptions {
  /** The plugin's name: its argv[0], and what host methods see. Default "plugin". */
  name?: string;
  /** Command-line arguments after argv[0]. */
  args?: string[];
  /** Environment variables the plugin sees (e.g. `{ PLUGIN_LOG: "debug" }`). */
  env?: Record<string, string>;
  /** Receives every line the plugin writes to stderr, as it is written. */
  onLog?: (level: LogLevel, message: string, target?: string) => void;
  /** Host methods, as with `PluginHost.method`. */
  methods?: Record<string, HostMethod>;
}

/** Options of one call: limits override the plugin's. */
export interface CallOptions extends LimitOptions {
  /** Aborting it stops the call (`kind: "cancelled"`). */
  signal?: AbortSignal;
}

/** What one call cost. */
export interface CallReport {
  fuelConsumed: number;
  wallTimeMs: number;
  /** Largest linear memory of the instance, bytes. */
  peakMemory: number;
  /** Requests the plugin made to the host. */
  hostCalls: number;
  notifications: number;
  bytesIn: number;
  bytesOut: number;
  stderrBytes: number;
}

/** A successful call with its report. */
export interface CallResult {
  result: any;
  report: CallReport;
}

/** What went wrong, as the `kind` of a `PluginError`. */
export type PluginErrorKind =
  | "rpc" | "trap" | "exit" | "outOfFuel" | "timeout" | "memoryLimit" | "protocol"
  | "cancelled" | "invalidModule" | "missingStart" | "unsupportedImport" | "instantiation"
  | "invalidParams" | "requestTooLarge" | "unexpectedResult" | "invalidOptions" | "other";

/** What `load` and `call` reject with (`error.name === "PluginError"`). */
export interface PluginError extends Error {
  kind: PluginErrorKind;
  /** `rpc`: the plugin's JSON-RPC error code. */
  code?: number;
  /** `rpc`: the error's data, if any. */
  data?: unknown;
  /** `exit`: the plugin's exit code. */
  exitCode?: number;
  /** `trap`: the Wasm trap, e.g. "UnreachableCodeReached". */
  trapCode?: string;
  /** `timeout`: ms; `outOfFuel`: the budget; `memoryLimit`, `requestTooLarge`: bytes. */
  limit?: number;
  /** `memoryLimit`, `requestTooLarge`: bytes asked for. */
  requested?: number;
  /** The last lines the plugin wrote to stderr (e.g. its panic message). */
  stderrTail?: string;
  /** What the call cost until it failed (calls only). */
  report?: CallReport;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// Options of `PluginHost.load` (see the `LoadOptions` TypeScript type).
    #[wasm_bindgen(typescript_type = "LoadOptions")]
    #[derive(Debug, Clone)]
    pub type LoadOptions;

    /// Options of one call (see the `CallOptions` TypeScript type).
    #[wasm_bindgen(typescript_type = "CallOptions")]
    #[derive(Debug, Clone)]
    pub type CallOptions;

    /// A host method written in JavaScript (see the `HostMethod` TypeScript type).
    #[wasm_bindgen(typescript_type = "HostMethod", extends = Function)]
    #[derive(Debug, Clone)]
    pub type HostMethod;

    /// `AbortSignal`, the part of it a call listens to.
    #[derive(Debug, Clone)]
    pub(crate) type AbortSignal;
    #[wasm_bindgen(method, getter)]
    pub(crate) fn aborted(this: &AbortSignal) -> bool;
    #[wasm_bindgen(method, js_name = addEventListener)]
    pub(crate) fn add_event_listener(this: &AbortSignal, kind: &str, listener: &Function);
    #[wasm_bindgen(method, js_name = removeEventListener)]
    pub(crate) fn remove_event_listener(this: &AbortSignal, kind: &str, listener: &Function);
}

/// `limits` with what `options` sets (the `LimitOptions` fields) applied.
///
/// # Errors
///
/// A `PluginError` of kind `invalidOptions` naming the bad field.
pub(crate) fn apply_limits(mut limits: Limits, options: &JsValue) -> Result<Limits, JsValue> {
    if let Some(value) = get(options, "timeoutMs") {
        let timeout =
            nullable_number(&value, "timeoutMs")?.map(|ms| Duration::from_secs_f64(ms / 1000.0));
        limits = limits.with_timeout(timeout);
    }
    if let Some(value) = get(options, "fuel") {
        let fuel = if value.is_bigint() {
            let text = String::from(
                value
                    .unchecked_ref::<js_sys::BigInt>()
                    .to_string(10)
                    .map_err(|_| invalid("fuel", "a non-negative integer"))?,
            );
            Some(
                text.parse::<u64>()
                    .map_err(|_| invalid("fuel", "a non-negative integer below 2^64"))?,
            )
        } else {
            nullable_number(&value, "fuel")?.map(whole)
        };
        limits = limits.with_fuel(fuel);
    }
    if let Some(value) = get(options, "maxMemory") {
        limits = limits.with_max_memory(size(&value, "maxMemory")?);
    }
    if let Some(value) = get(options, "maxMessage") {
        limits = limits.with_max_message(size(&value, "maxMessage")?);
    }
    if let Some(value) = get(options, "fuelSlice") {
        limits = limits.with_fuel_slice(whole(number(&value, "fuelSlice")?));
    }
    Ok(limits)
}

/// The function at `options[key]`, if set.
///
/// # Errors
///
/// `invalidOptions` if it is set to something other than a function.
pub(crate) fn function(options: &JsValue, key: &str) -> Result<Option<Function>, JsValue> {
    match get(options, key) {
        None => Ok(None),
        Some(value) => value
            .dyn_into::<Function>()
            .map(Some)
            .map_err(|_| invalid(key, "a function")),
    }
}

/// The string at `options[key]`, if set.
///
/// # Errors
///
/// `invalidOptions` if it is set to something other than a string.
pub(crate) fn string(options: &JsValue, key: &str) -> Result<Option<String>, JsValue> {
    match get(options, key) {
        None => Ok(None),
        Some(value) => value
            .as_string()
            .map(Some)
            .ok_or_else(|| invalid(key, "a string")),
    }
}

/// The `[key, value]` pairs of the plain object at `options[key]`.
///
/// # Errors
///
/// `invalidOptions` if it is set to something other than an object.
pub(crate) fn entries(options: &JsValue, key: &str) -> Result<Vec<(String, JsValue)>, JsValue> {
    let Some(value) = get(options, key) else {
        return Ok(Vec::new());
    };
    if !value.is_object() {
        return Err(invalid(key, "an object"));
    }
    Object::entries(value.unchecked_ref())
        .iter()
        .map(|pair| {
            let pair: js_sys::Array = pair.unchecked_into();
            let name = pair.get(0).as_string().unwrap_or_default();
            Ok((name, pair.get(1)))
        })
        .collect()
}

/// The strings of the array at `options[key]`.
///
/// # Errors
///
/// `invalidOptions` if it is not an array of strings.
pub(crate) fn strings(options: &JsValue, key: &str) -> Result<Vec<String>, JsValue> {
    let Some(value) = get(options, key) else {
        return Ok(Vec::new());
    };
    let array = value
        .dyn_into::<js_sys::Array>()
        .map_err(|_| invalid(key, "an array of strings"))?;
    array
        .iter()
        .map(|item| {
            item.as_string()
                .ok_or_else(|| invalid(key, "an array of strings"))
        })
        .collect()
}

fn nullable_number(value: &JsValue, key: &str) -> Result<Option<f64>, JsValue> {
    if value.is_null() {
        Ok(None)
    } else {
        number(value, key).map(Some)
    }
}

fn number(value: &JsValue, key: &str) -> Result<f64, JsValue> {
    match value.as_f64() {
        Some(n) if n.is_finite() && n >= 0.0 => Ok(n),
        _ => Err(invalid(key, "a finite number >= 0")),
    }
}

fn size(value: &JsValue, key: &str) -> Result<usize, JsValue> {
    let n = number(value, key)?;
    Ok(if n >= usize::MAX as f64 {
        usize::MAX
    } else {
        n as usize
    })
}

/// A checked non-negative finite number as a whole `u64` (saturating).
fn whole(n: f64) -> u64 {
    n as u64
}

fn invalid(key: &str, expected: &str) -> JsValue {
    usage_error(
        "invalidOptions",
        &format!("option `{key}` must be {expected}"),
    )
}
