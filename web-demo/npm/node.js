// The package in Node.js (the `node` condition of the exports map): the
// host's .wasm is read from the installed package on the first
// `Plugin.load`, or earlier by `await init()`.
import { readFile } from 'node:fs/promises';
import { lazyInit } from './shared.js';

export const { init, Plugin, Store } = lazyInit(() => readFile(new URL('./wasmi_plugins_bg.wasm', import.meta.url)));
export { isPluginError, isStoreError } from './shared.js';
