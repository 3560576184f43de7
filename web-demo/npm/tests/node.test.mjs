// The package in Node.js: installs the packed tarball into a fresh project
// (as a user would), imports it by name (the exports map's `node` entry),
// loads plugin .wasm files from disk and calls them.
//
//   WASMI_PLUGINS_TARBALL=.../wasmi-plugins-0.1.0.tgz TEST_PLUGINS_DIR=.../wasm32-wasip1/plugin \
//     node --test tests/node.test.mjs
//
// TEST_PLUGINS_DIR holds test-plugin.wasm and files-plugin.wasm (`cargo build
// -p test-plugin --bins --target wasm32-wasip1 --profile plugin`).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';

const tarball = process.env.WASMI_PLUGINS_TARBALL;
const pluginsDir = process.env.TEST_PLUGINS_DIR;
// Bounds a hang of one test; never a measure of speed.
const HANG = { timeout: 120_000 };

let project;
let pkg;
let testPlugin;
let filesPlugin;

/** What `promise` rejected with; fails if it resolved. */
async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
}

before(async () => {
  assert.ok(tarball, 'set WASMI_PLUGINS_TARBALL to the packed .tgz');
  assert.ok(pluginsDir, 'set TEST_PLUGINS_DIR to the directory of test-plugin.wasm');
  project = await mkdtemp(join(tmpdir(), 'wasmi-plugins-node-'));
  await writeFile(join(project, 'package.json'), JSON.stringify({ private: true, type: 'module' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', tarball], {
    cwd: project,
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 300_000,
  });
  // A module of the project imports the package by name, as user code does.
  await writeFile(
    join(project, 'app.mjs'),
    "export * from 'wasmi-plugins';\nexport const resolved = import.meta.resolve('wasmi-plugins');\n",
  );
  pkg = await import(pathToFileURL(join(project, 'app.mjs')).href);
  testPlugin = await readFile(join(pluginsDir, 'test-plugin.wasm'));
  filesPlugin = await readFile(join(pluginsDir, 'files-plugin.wasm'));
}, { timeout: 300_000 });

after(async () => {
  if (project) await rm(project, { recursive: true, force: true });
});

test('the package resolves to its Node entry and starts once', HANG, async () => {
  assert.match(pkg.resolved, /\/node_modules\/wasmi-plugins\/node\.js$/);
  assert.equal(await pkg.init(), undefined);
  assert.equal(await pkg.init(), undefined);
  assert.deepEqual(Object.keys(pkg).sort(), ['Plugin', 'Store', 'init', 'isPluginError', 'isStoreError', 'resolved']);
});

test('load a plugin from disk and call it', HANG, async () => {
  const plugin = await pkg.Plugin.load(testPlugin, { name: 'from-disk', timeout: '10s', maxMemory: '32M' });
  assert.ok(plugin instanceof pkg.Plugin);
  assert.equal(plugin.name, 'from-disk');
  assert.equal(await plugin.call('add', [2, 40]), 42);
  assert.deepEqual(await plugin.call('echo', { nested: [1, 'two', null] }), { nested: [1, 'two', null] });
  const { result, report } = await plugin.callWithReport('sieve', [1000]);
  assert.equal(result, 168);
  assert.ok(report.fuelConsumed > 0, JSON.stringify(report));
  assert.ok((await plugin.methods()).includes('sieve'));
});

test('host methods written in JavaScript, sync, async and throwing', HANG, async () => {
  const plugin = await pkg.Plugin.load(testPlugin, {
    methods: { 'host.greet': ([who], caller) => `hello ${who} from ${caller.plugin}` },
  });
  plugin.setHostMethod('host.later', async (params) => ({ echo: params }));
  plugin.setHostMethod('host.fail', () => {
    throw Object.assign(new Error('refused'), { code: 4242, data: { why: 'test' } });
  });
  assert.equal(await plugin.call('call_host', { method: 'host.greet', params: ['node'] }), 'hello node from plugin');
  assert.deepEqual(await plugin.call('call_host', { method: 'host.later', params: [1, 2] }), { echo: [1, 2] });
  const error = await rejection(plugin.call('call_host', { method: 'host.fail', params: [] }));
  assert.ok(pkg.isPluginError(error));
  assert.equal(error.kind, 'rpc');
  assert.equal(error.code, 4242);
  assert.deepEqual(error.data, { why: 'test' });
  assert.deepEqual(plugin.hostMethods(), ['host.fail', 'host.greet', 'host.later']);
});

test('typed errors: kind and details', HANG, async () => {
  const plugin = await pkg.Plugin.load(testPlugin, { timeout: '10s' });

  const timeout = await rejection(plugin.call('sleep', [5000], { timeout: 100 }));
  assert.equal(timeout.name, 'PluginError');
  assert.equal(timeout.kind, 'timeout');
  assert.equal(timeout.limit, 100);
  assert.ok(timeout.report.wallTime >= 100, JSON.stringify(timeout.report));

  const unknown = await rejection(plugin.call('no_such_method'));
  assert.equal(unknown.kind, 'rpc');
  assert.equal(unknown.code, -32601);

  const fuel = await rejection(plugin.call('sieve', [1_000_000], { fuel: 10_000 }));
  assert.equal(fuel.kind, 'out_of_fuel');
  assert.equal(fuel.limit, 10_000);

  const aborted = await rejection(plugin.call('sleep', [5000], { signal: AbortSignal.abort() }));
  assert.equal(aborted.kind, 'cancelled');

  const invalid = await rejection(pkg.Plugin.load(new Uint8Array([0, 1, 2, 3])));
  assert.equal(invalid.kind, 'invalid_module');

  const badOption = await rejection(pkg.Plugin.load(testPlugin, { maxMemory: 'lots' }));
  assert.equal(badOption.kind, 'invalid_options');
  assert.match(badOption.message, /maxMemory/);

  assert.equal(pkg.isPluginError(new Error('not from a plugin')), false);
});

test('files: an archive read-only and a scratch directory', HANG, async () => {
  // A tar archive made by the system's tar, as a user would make one.
  const tree = join(project, 'tree');
  await mkdir(join(tree, 'docs'), { recursive: true });
  await writeFile(join(tree, 'docs', 'hello.txt'), 'hello from the archive\n');
  const archive = join(project, 'assets.tar');
  execFileSync('tar', ['-cf', archive, '-C', tree, 'docs']);

  const plugin = await pkg.Plugin.load(filesPlugin, {
    files: {
      '/assets': { archive: await readFile(archive) },
      '/tmp': { scratch: '1M' },
    },
  });
  assert.equal(await plugin.call('read', { path: '/assets/docs/hello.txt' }), 'hello from the archive\n');
  assert.deepEqual(await plugin.call('list', { path: '/assets/docs' }), ['hello.txt']);
  const readOnly = await rejection(plugin.call('write', { path: '/assets/docs/new.txt', text: 'x' }));
  assert.equal(readOnly.kind, 'rpc');
  assert.equal(readOnly.code, -32000);
  assert.equal(await plugin.call('write', { path: '/tmp/note.txt', text: 'scratch' }), null);
  assert.equal(await plugin.call('read', { path: '/tmp/note.txt' }).catch((e) => e.kind), 'rpc', 'scratch is empty at the start of each call');

  const badEntry = await rejection(pkg.Plugin.load(filesPlugin, { files: { '/x': { archive: 'not bytes' } } }));
  assert.equal(badEntry.kind, 'invalid_options');
});

test("a store: the plugin's state outlives its instance, the app reads it", HANG, async () => {
  await pkg.init();
  const store = pkg.Store.memory();
  const plugin = await pkg.Plugin.load(testPlugin, { name: 'counter', store });
  const visit = { method: 'store.increment', params: ['visits'] };
  assert.equal(await plugin.call('call_host', visit), 1);
  assert.equal(await plugin.call('call_host', visit), 2, "a fresh instance sees the last one's write");
  const ns = pkg.Store.pluginNamespace('counter');
  assert.equal(await store.get(ns, 'visits'), 2);
  await store.set(ns, 'visits', 41);
  assert.equal(await plugin.call('call_host', visit), 42);

  const notANumber = await rejection(store.set(ns, 'visits', null));
  assert.ok(pkg.isStoreError(notANumber), String(notANumber));
  assert.equal(notANumber.code, -32602);
  assert.equal(await store.get(ns, 'visits'), 42, 'the store stays usable');
});
