// End-to-end test of state that survives a page reload: the demo page gives
// its plugin a store in the page's IndexedDB (`Plugin.load(bytes, { store })`);
// the plugin counts visits with `store.increment`, the page is reloaded, and
// the plugin (a fresh instance of a freshly loaded module) reads the count
// back with `store.get`. The same steps in every engine of engines.mjs.
//
//   node web-demo/e2e/store-reload.mjs <engine> <page url>
//
// Every wait has a timeout; the last line is "N passed, N failed" and the
// exit code is non-zero if any step failed.
import { click, openDemo, pageErrors, text, waitFor, within } from './page.mjs';

const [engine, url] = process.argv.slice(2);
if (!engine || !url) {
  console.error('usage: node e2e/store-reload.mjs <chromium|firefox|webkit> <page url>');
  process.exit(2);
}

let passed = 0;
let failed = 0;
async function step(name, body) {
  const started = Date.now();
  try {
    await within(120_000, body(), name);
    passed += 1;
    console.log(`ok - ${engine}: ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    failed += 1;
    console.log(`not ok - ${engine}: ${name}: ${error.stack ?? error}`);
  }
}
function check(condition, message) {
  if (!condition) throw new Error(message);
}

/** The count the page shows once the plugin has read (or written) it. */
async function visits(page) {
  await waitFor(page, () => document.querySelector('#visits')?.dataset.state === 'read', null, {
    what: 'the plugin to read the visit count',
  });
  return Number(await text(page, '#visits'));
}

/** Reloads the page, waits until it is ready again, and collects its uncaught errors anew. */
async function reload(page) {
  await within(60_000, page.goto(url), `reloading ${url}`);
  await waitFor(page, () => document.querySelector('#status')?.dataset.state === 'ready', null, {
    timeout: 90_000,
    what: 'the reloaded page to be ready',
  });
  await page.evaluate(() => {
    window.__e2e = { errors: [] };
    addEventListener('error', (e) => window.__e2e.errors.push(String(e.error?.stack ?? e.message)));
    addEventListener('unhandledrejection', (e) => window.__e2e.errors.push(String(e.reason?.stack ?? e.reason)));
  });
}

const page = await openDemo(url, engine);
console.log(`# ${page.version}`);
let before = 0;

await step('the plugin reads its count from the store when the page loads', async () => {
  before = await visits(page);
  check(Number.isInteger(before) && before >= 0, `visits shown: ${before}`);
});

await step('each click is one fresh instance incrementing the stored count', async () => {
  for (let i = 1; i <= 3; i += 1) {
    await click(page, '#visit');
    await waitFor(page, (n) => document.querySelector('#visits').textContent === String(n), before + i, {
      what: `the count to reach ${before + i}`,
    });
  }
  check((await visits(page)) === before + 3, 'three visits counted');
});

await step('after a reload the plugin reads the same count back', async () => {
  await reload(page);
  const after = await visits(page);
  check(after === before + 3, `after the reload the plugin read ${after}, expected ${before + 3}`);
  // The page reaches the same value through its own Store (the embedder's access).
  const direct = await page.evaluate(() => window.demo.store.get('plugin:test-plugin', 'visits'));
  check(direct === before + 3, `the page's Store read ${direct}`);
});

await step('the page resets the plugin\'s count, and that survives a reload too', async () => {
  await click(page, '#forget');
  await waitFor(page, () => document.querySelector('#visits').textContent === '0', null, {
    what: 'the count to be reset',
  });
  await reload(page);
  check((await visits(page)) === 0, 'the reset count after a reload');
  await click(page, '#visit');
  await waitFor(page, () => document.querySelector('#visits').textContent === '1', null, {
    what: 'the first visit after the reset',
  });
});

await step('no uncaught errors in the page', async () => {
  const errors = await pageErrors(page);
  check(errors.length === 0, `uncaught: ${errors.join('\n')}`);
});

await page.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
