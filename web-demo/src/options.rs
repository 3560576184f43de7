//! The option objects JavaScript passes in, their TypeScript types, and how
//! they become [`Limits`].

use js_sys::{Function, Object};
use wasm_bindgen::{JsCast, JsValue, prelude::wasm_bindgen};
use wasmi_hdk::{Error, ErrorKind, Limits, LimitsOverlay};

use crate::{
    convert::{from_js, get},
    error::usage_error,
};

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

/**
 * Limits shared by `LoadOptions` (defaults for every call) and `CallOptions`:
 * the host kit's limit fields, camel-cased, read by the kit's own rules.
 */
export interface LimitOptions {
  /** Wall-clock limit of one call: ms, or a string with its unit ("2s", "500ms"); default 30000; `null` or "unlimited": none. */
  timeout?: number | string | null;
  /** Fuel (about one per Wasm instruction) one call may use; default `null`: unlimited. */
  fuel?: number | bigint | string | null;
  /** Bytes of linear memory a plugin instance may have, or a string with a unit ("64M"); default 64 MiB. */
  maxMemory?: number | string;
  /** Bytes of one JSON-RPC line, either direction; default 16 MiB. */
  maxMessage?: number | string;
  /** Bytes of the plugin's stderr kept for error reports; default 8 KiB. */
  maxStderr?: number | string;
  /** Fuel run between two checks of the clock, cancellation and timeout; default 250000. */
  fuelSlice?: number;
  /** Files and directories an instance may hold open at once, its `files` included; default 1024. */
  maxOpenFiles?: number;
}

/**
 * What a plugin sees at one guest path of `LoadOptions.files` (as a
 * manifest's `[files]` entry): a tar or zip archive's contents, read-only,
 * shared by every call; or a writable scratch directory, empty at the start
 * of each call, holding at most `scratch` bytes (a number, or "1M").
 */
export type FilesEntry =
  | { archive: Uint8Array | ArrayBuffer }
  | { scratch: number | string };

/** Options of `Plugin.load`. */
export interface LoadOptions extends LimitOptions {
  /** The plugin's name: its argv[0], and what host methods see. Default "plugin". */
  name?: string;
  /** Command-line arguments after argv[0]. */
  args?: string[];
  /** Environment variables the plugin sees (e.g. `{ PLUGIN_LOG: "debug" }`). */
  env?: Record<string, string>;
  /** Receives every line the plugin writes to stderr, as it is written. */
  onLog?: (level: LogLevel, message: string, target?: string) => void;
  /** Host methods, as with `Plugin.setHostMethod`. */
  methods?: Record<string, HostMethod>;
  /** The wire dialect: "jsonrpc" (default) or "framework-0.1" (plugins built for wasmi-plugin-framework 0.1). */
  dialect?: "jsonrpc" | "framework-0.1";
  /** At most this many calls of the plugin run at once; more wait their turn (within their timeout). Default: no cap. */
  maxConcurrent?: number;
  /** Directories the plugin sees, by guest path: `{ "/assets": { archive: bytes }, "/tmp": { scratch: "1M" } }`. */
  files?: Record<string, FilesEntry>;
  /**
   * A key-value store for the plugin's `store.*` host methods (PROTOCOL.md §11), in its namespace
   * `plugin:NAME`: a `Store`, `{ indexedDb: "database name" }` (this origin's IndexedDB: survives a
   * reload), or `{ memory: true }`. Without it, `store.*` answers -32601.
   */
  store?: Store | { indexedDb: string } | { memory: true };
}

/** Options of `Store.list`. */
export interface ListOptions {
  /** Only keys starting with it (default: all). */
  prefix?: string;
  /** The previous page's `cursor`. */
  cursor?: string | null;
  /** Keys per page: 1 to 1000, default 100. */
  limit?: number;
}

/** One page of `Store.list`. */
export interface StorePage {
  keys: string[];
  /** Pass it back for the next page; `null` at the end. */
  cursor: string | null;
}

/** What a namespace holds (`Store.usage`). */
export interface StoreUsage {
  keys: number;
  /** Keys plus the values' JSON text. */
  bytes: number;
}

/**
 * What `Store` methods reject with (`error.name === "StoreError"`): the JSON-RPC error a plugin
 * gets for the same failure (PROTOCOL.md §11).
 */
export interface StoreError extends Error {
  /** -32602 bad input (a key, a null value, a limit), -32004 a quota, -32005 not an integer, -32603 the storage failed. */
  code: number;
  /** `{ reason }` for -32602, `{ quota, limit, requested }` for -32004, `{ reason, key }` for -32005. */
  data?: unknown;
}

/** Options of one call: limits override the plugin's. */
export interface CallOptions extends LimitOptions {
  /** Aborting it stops the call (`kind: "cancelled"`). */
  signal?: AbortSignal;
}

/** What one call cost. */
export interface CallReport {
  fuelConsumed: number;
  /** Milliseconds. */
  wallTime: number;
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

/** What went wrong, as the `kind` of a `PluginError`: the host kit's `ErrorKind` names. */
export type PluginErrorKind =
  | "rpc" | "trap" | "exit" | "out_of_fuel" | "timeout" | "memory_limit" | "protocol"
  | "cancelled" | "invalid_module" | "missing_entry_point" | "missing_memory" | "unsupported_import"
  | "instantiation" | "initializer" | "snapshot" | "files" | "invalid_params" | "request_too_large" | "unexpected_result" | "manifest"
  | "invalid_options" | "duplicate_host_method" | "unknown_plugin" | "io";

/** What `load` and `call` reject with (`error.name === "PluginError"`). */
export interface PluginError extends Error {
  kind: PluginErrorKind;
  /** `rpc`: the plugin's JSON-RPC error code. */
  code?: number;
  /** `rpc`: the error's data, if any. */
  data?: unknown;
  /** `exit`: the plugin's exit code. */
  exitCode?: number;
  /** `trap`: the Wasm trap code, e.g. "unreachable", "stack_overflow". */
  trapCode?: string;
  /** `timeout`: ms; `out_of_fuel`: the budget; `memory_limit`, `request_too_large`: bytes. */
  limit?: number;
  /** `memory_limit`, `request_too_large`: bytes asked for. */
  requested?: number;
  /** The last lines the plugin wrote to stderr (e.g. its panic message). */
  stderrTail?: string;
  /** What the call cost until it failed (calls only). */
  report?: CallReport;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// Options of `Plugin.load` (see the `LoadOptions` TypeScript type).
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

/// `limits` with what `options` sets (the `LimitOptions` fields: the
/// host kit's [`LimitsOverlay`] fields, camel-cased) applied, read by the
/// kit's own rules.
///
/// # Errors
///
/// A `PluginError` of kind `invalid_options` naming the bad field.
pub(crate) fn apply_limits(limits: Limits, options: &JsValue) -> Result<Limits, JsValue> {
    let mut fields = serde_json::Map::new();
    for field in LimitsOverlay::FIELDS {
        let Some(value) = get(options, &camel_case(field)) else {
            continue;
        };
        let value = if value.is_bigint() {
            // JSON has no BigInt: the kit reads fuel written as text too.
            let text = value
                .unchecked_ref::<js_sys::BigInt>()
                .to_string(10)
                .map_err(|_| invalid(&camel_case(field), "a non-negative integer"))?;
            serde_json::Value::String(String::from(text))
        } else {
            from_js(&value).map_err(|e| invalid(&camel_case(field), &e))?
        };
        fields.insert(field.to_owned(), value);
    }
    let overlay = LimitsOverlay::from_json(fields.into()).map_err(|error| match error {
        Error::InvalidOptions { option, reason } => usage_error(
            ErrorKind::InvalidOptions,
            &format!("option `{}`: {reason}", camel_case(&option)),
        ),
        other => usage_error(ErrorKind::InvalidOptions, &other.to_string()),
    })?;
    Ok(overlay.apply(&limits))
}

/// `max_memory` as JavaScript writes it: `maxMemory`.
fn camel_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The function at `options[key]`, if set.
///
/// # Errors
///
/// `invalid_options` if it is set to something other than a function.
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
/// `invalid_options` if it is set to something other than a string.
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
/// `invalid_options` if it is set to something other than an object.
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

/// The positive whole number at `options[key]`, if set.
///
/// # Errors
///
/// `invalid_options` if it is set to something else.
pub(crate) fn count(options: &JsValue, key: &str) -> Result<Option<usize>, JsValue> {
    match get(options, key) {
        None => Ok(None),
        Some(value) => match value.as_f64() {
            Some(n) if n.is_finite() && n >= 1.0 && n.fract() == 0.0 => Ok(Some(n as usize)),
            _ => Err(invalid(key, "a whole number >= 1")),
        },
    }
}

/// The strings of the array at `options[key]`.
///
/// # Errors
///
/// `invalid_options` if it is not an array of strings.
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

fn invalid(key: &str, expected: &str) -> JsValue {
    usage_error(
        ErrorKind::InvalidOptions,
        &format!("option `{key}` must be {expected}"),
    )
}
