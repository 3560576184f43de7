//! Integration tests of the runtime: the host kit driving the test plugins
//! (built from source for wasm32-wasip1 by `test-plugin-artifacts`) and tiny
//! WAT modules. Every test future runs under a timeout, so a hang fails.

mod harness;
mod util;
mod watchdog;

mod api;
mod calls;
mod dispatch;
mod docs;
mod files;
mod host_methods;
mod hostile;
mod hostile_files;
mod hostile_io;
mod idle;
mod javascript_kit;
mod kits_preinit;
mod languages;
mod languages_preinit;
mod loading;
mod memory_edges;
mod misbehaviour;
mod plugin_set;
mod preinit;
mod python;
mod soak;
mod storage;
mod store;
mod wasi;

// The library target only exists to hold the package; the tests are here.
use integration_tests as _;
// Used by the user guide's doctests (`src/book.rs`).
use {serde as _, wasmi_pdk as _};
