// What both entries share: the lazy start of the host's wasm module and the
// `PluginError` and `StoreError` checks. Each entry (index.js: browsers and bundlers; node.js:
// Node) only says where the module's bytes come from by default.
import initWasm, { Plugin, Store } from './wasmi_plugins.js';

/**
 * Returns the package's `init(input?)` and its `Plugin` and `Store` classes:
 * `Plugin.load` and `Store.indexedDb` first await `init()`; the synchronous
 * `Store.memory()` and `Store.pluginNamespace()` need it done and say so
 * otherwise. `defaultInput()` gives what `init` compiles when
 * called without an argument (`undefined`: fetch the `.wasm` next to the
 * glue, by `import.meta.url`).
 */
export function lazyInit(defaultInput) {
  let ready;
  let started = false;
  function init(input) {
    if (ready === undefined) {
      ready = Promise.resolve()
        .then(() => initWasm({ module_or_path: input ?? defaultInput() }))
        .then(
          () => {
            started = true;
          },
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
  const indexedDb = Store.indexedDb;
  Store.indexedDb = async function indexedDbAfterInit(name) {
    await init();
    return indexedDb.call(this, name);
  };
  for (const name of ['memory', 'pluginNamespace']) {
    const method = Store[name];
    Store[name] = function needsInit(...args) {
      if (!started) {
        throw new Error(`Store.${name}() needs the host started: \`await init()\` first`);
      }
      return method.apply(this, args);
    };
  }
  return { init, Plugin, Store };
}

/** Whether `error` is what `load` and `call` reject with (a `PluginError`, with a `kind`). */
export function isPluginError(error) {
  return error instanceof Error && error.name === 'PluginError' && typeof error.kind === 'string';
}

/** Whether `error` is what a `Store` rejects with (a `StoreError`, with the JSON-RPC `code`). */
export function isStoreError(error) {
  return error instanceof Error && error.name === 'StoreError' && typeof error.code === 'number';
}
