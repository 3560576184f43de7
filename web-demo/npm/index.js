// The package in browsers, workers and bundlers (the `browser` and `default`
// conditions of the exports map): the host's .wasm is fetched from beside
// wasmi_plugins.js (`new URL('wasmi_plugins_bg.wasm', import.meta.url)`,
// which bundlers such as Vite, webpack 5 and Rollup turn into an asset URL)
// on the first `Plugin.load`, or earlier by `await init()`.
import { lazyInit } from './shared.js';

export const { init, Plugin, Store } = lazyInit(() => undefined);
export { isPluginError, isStoreError } from './shared.js';
