//! # wasmi-web: plugins in a web page
//!
//! The `wasmi-hdk` host compiled to `wasm32-unknown-unknown`, with a
//! JavaScript API made by wasm-bindgen. Plugins run wasm-in-wasm on the
//! page's main thread, without Workers or `SharedArrayBuffer`: a call
//! computes in fuel slices and gives the event loop back about every 10 ms,
//! so the page keeps painting and answering input while a plugin works.
//!
//! ```js
//! import init, { Plugin, testPlugin } from './pkg/wasmi_web.js';
//!
//! await init();
//! const plugin = await Plugin.load(testPlugin(), {
//!   timeout: 5000,                                                 // ms, or "5s"
//!   maxMemory: "32M",
//!   onLog: (level, message) => console.log(`[${level}] ${message}`),
//! });
//! plugin.setHostMethod('host.echo', (params) => params);            // sync
//! plugin.setHostMethod('host.later', (params) => new Promise((ok) => setTimeout(() => ok(params), 10)));
//! console.log(await plugin.call('sieve', [1000]));                // 168
//! try {
//!   await plugin.call('fail', { code: 7, message: 'no' });
//! } catch (e) {
//!   console.log(e.kind, e.code, e.message);                       // "rpc" 7 "plugin error 7: no"
//! }
//! ```
//!
//! Natively this crate is empty; build it with
//! `cargo build --release --target wasm32-unknown-unknown -p wasmi-web`
//! and `wasm-bindgen --target web` (see `web-demo/build.sh`).
#![cfg(target_arch = "wasm32")]

mod convert;
mod error;
mod host;
mod js_host;
mod options;
#[cfg(feature = "test-plugins")]
mod plugins;

#[cfg(feature = "test-plugins")]
pub use self::plugins::{misbehaving_plugin, test_plugin};
pub use self::{
    host::WebPlugin,
    options::{CallOptions, HostMethod, LoadOptions},
};
