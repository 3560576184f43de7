// The package in web pages: the built Vite app (fixtures/vite-app) and the
// page without a bundler (fixtures/plain), each served statically and driven
// in a browser of web-demo/e2e/engines.mjs (Debian's Chromium by default).
// Both pages run the same scenario and leave its outcome in `window.outcome`.
//
//   NPM_PAGES="vite-app=DIR plain=DIR" [NPM_ENGINES="chromium firefox"] node --test tests/pages.test.mjs
//
// Each DIR is a page's root, with the installed package and test-plugin.wasm
// in it (web-demo/npm/test.sh prepares them).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { after, before, test } from 'node:test';
import { launch } from '../../e2e/engines.mjs';
import { waitFor, within } from '../../e2e/page.mjs';

const pages = (process.env.NPM_PAGES ?? '')
  .split(/\s+/)
  .filter(Boolean)
  .map((entry) => {
    const [name, dir] = entry.split('=');
    return { name, dir };
  });
const engines = (process.env.NPM_ENGINES ?? 'chromium').split(/\s+/).filter(Boolean);

/** What both pages' scenario must end with. */
const EXPECTED = {
  name: 'fixture',
  add: 42,
  hostSync: 'hello page',
  hostAsync: { echo: [1, 2] },
  hostThrows: { pluginError: true, kind: 'rpc', code: 4242 },
  hostMethods: ['host.fail', 'host.greet', 'host.later'],
  sieve: 168,
  fuelReported: true,
  logged: ['ERROR error line', 'WARN warn line'],
  timeout: { pluginError: true, kind: 'timeout', limit: 200 },
  unknownMethod: { pluginError: true, kind: 'rpc', code: -32601 },
  invalidModule: { pluginError: true, kind: 'invalid_module' },
  plainError: false,
};

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
};

/** A static file server of `root` on a free port; resolves to [url, server]. */
function serve(root) {
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url, 'http://x').pathname);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(root + sep)) {
      response.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => resolve([`http://127.0.0.1:${server.address().port}/`, server]));
  });
}

const servers = [];
before(async () => {
  assert.ok(pages.length > 0, 'NPM_PAGES names no page');
  for (const page of pages) {
    const [url, server] = await serve(normalize(page.dir));
    page.url = url;
    servers.push(server);
  }
});
after(() => {
  for (const server of servers) server.close();
});

for (const engine of engines) {
  for (const { name } of pages.length > 0 ? pages : [{ name: '(none)' }]) {
    test(`${name} in ${engine}: load, call, JS host methods, typed errors`, { timeout: 300_000 }, async () => {
      const { url } = pages.find((page) => page.name === name);
      const browser = await launch(engine);
      try {
        await within(60_000, browser.goto(url), `loading ${url}`);
        const settled = await waitFor(browser, () => window.outcome ?? window.failure, null, {
          timeout: 120_000,
          what: `the ${name} page's scenario`,
        });
        assert.equal(typeof settled, 'object', `the scenario failed: ${settled}`);
        assert.deepEqual(settled, EXPECTED);
      } finally {
        await browser.close();
      }
    });
  }
}
