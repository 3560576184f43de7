//! The names a plugin module exports, as the host looks them up
//! (PROTOCOL.md §2): how a request enters it, and how it is initialised.

/// The linear memory the host reads and writes.
pub const MEMORY: &str = "memory";

/// A WASI command's entry point, `() -> ()`: runs once per request, with
/// the request on stdin.
pub const START: &str = "_start";

/// A reactor's per-request entry point, `() -> ()`: what `_start` is to a
/// command, for modules built as WASI reactors (Go's `-buildmode=c-shared`
/// with `//go:wasmexport plugin_main`, C with `export_name`), which export
/// no `_start`.
pub const REACTOR_MAIN: &str = "plugin_main";

/// A WASI reactor's initialiser, `() -> ()`: starts the language runtime;
/// the host runs it once (and snapshots the result) before any request.
pub const REACTOR_INITIALIZE: &str = "_initialize";

/// The initialiser of the Wizer convention, `() -> ()`: the host runs it
/// once, snapshots the instance, and starts every request from the
/// snapshot.
pub const WIZER_INITIALIZE: &str = "wizer.initialize";
