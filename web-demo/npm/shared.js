// What both entries share: the lazy start of the host's wasm module and the
// `PluginError` check. Each entry (index.js: browsers and bundlers; node.js:
// Node) only says where the module's bytes come from by default.
import initWasm, { Plugin } from './wasmi_plugins.js';

/**
 * Returns the package's `init(input?)` and its `Plugin` class, whose `load`
 * first awaits `init()`. `defaultInput()` gives what `init` compiles when
 * called without an argument (`undefined`: fetch the `.wasm` next to the
 * glue, by `import.meta.url`).
 */
export function lazyInit(defaultInput) {
  let ready;
  function init(input) {
    if (ready === undefined) {
      ready = Promise.resolve()
        .then(() => initWasm({ module_or_path: input ?? defaultInput() }))
        .then(
          () => undefined,
          (error) => {
            // A failed start (a 404, a blocked fetch) may be retried.
            ready = undefined;
            throw error;
          },
        );
    }
    return ready;
  }
  const load = Plugin.load;
  Plugin.load = async function loadAfterInit(bytes, options) {
    await init();
    return load.call(this, bytes, options);
  };
  return { init, Plugin };
}

/** Whether `error` is what `load` and `call` reject with (a `PluginError`, with a `kind`). */
export function isPluginError(error) {
  return error instanceof Error && error.name === 'PluginError' && typeof error.kind === 'string';
}
