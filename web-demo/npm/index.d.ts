// Types of the package's entries (index.js and node.js alike). The classes
// and option types are wasm-bindgen's, generated from the Rust crate
// (wasmi-web: src/host.rs, src/options.rs). `Plugin` is `Disposable`
// (`using plugin = await Plugin.load(...)` frees it), hence the lib reference.
/// <reference lib="esnext.disposable" />
import type { PluginError, StoreError } from './wasmi_plugins.js';

export { Plugin, Store } from './wasmi_plugins.js';
export type {
  CallOptions,
  CallReport,
  CallResult,
  FilesEntry,
  HostCaller,
  HostMethod,
  LimitOptions,
  ListOptions,
  LoadOptions,
  LogLevel,
  PluginError,
  PluginErrorKind,
  StoreError,
  StorePage,
  StoreUsage,
} from './wasmi_plugins.js';

/**
 * What `init` compiles: the host's `.wasm` as a URL (string or `URL`), a
 * `Response` or a Promise of one (e.g. `fetch(url)`), its bytes, or a
 * compiled `WebAssembly.Module`.
 */
export type InitInput = string | URL | Request | Response | BufferSource | WebAssembly.Module;

/**
 * Compiles and starts the host's wasm module, once; later calls return the
 * same Promise. `Plugin.load` calls it, so calling it yourself is optional:
 * to start early, or to say where the `.wasm` is. Without `input` it
 * fetches `wasmi_plugins_bg.wasm` from beside the package's JavaScript (in
 * Node.js: reads it from disk). A failed start may be retried.
 */
export function init(input?: InitInput | Promise<InitInput>): Promise<void>;

/** Whether `error` is a `PluginError` (what `load` and `call` reject with): narrows it so `error.kind` is typed. */
export function isPluginError(error: unknown): error is PluginError;

/** Whether `error` is a `StoreError` (what a `Store`'s methods reject with): narrows it so `error.code` is typed. */
export function isStoreError(error: unknown): error is StoreError;
