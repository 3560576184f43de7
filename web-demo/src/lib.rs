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
//! Plugins keep state between calls (each runs in a fresh instance) in a
//! `Store`: the page's IndexedDB survives a reload.
//!
//! ```js
//! import init, { Plugin, Store, testPlugin } from './pkg/wasmi_web.js';
//!
//! await init();
//! const store = await Store.indexedDb('my-app');                   // or { indexedDb: 'my-app' } below
//! const plugin = await Plugin.load(testPlugin(), { name: 'counter', store });
//! await plugin.call('call_host', { method: 'store.increment', params: ['visits'] });
//! const ns = Store.pluginNamespace('counter');                     // "plugin:counter"
//! console.log(await store.get(ns, 'visits'));                      // 1, and more after each reload
//! await store.set(ns, 'visits', 41);
//! console.log(await store.list(ns, { prefix: 'v' }));              // { keys: ["visits"], cursor: null }
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
mod store;

#[cfg(feature = "test-plugins")]
pub use self::plugins::{misbehaving_plugin, test_plugin};
pub use self::{
    host::WebPlugin,
    options::{CallOptions, HostMethod, LoadOptions},
    store::WebStore,
};
