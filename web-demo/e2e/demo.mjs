// End-to-end test of the demo page, the same steps in every engine.
//
//   node web-demo/e2e/demo.mjs <engine> <page url> [screenshot.png]
//
// `engine` is chromium, firefox or webkit (see engines.mjs). Clicks through a
// call, checks the result, report and log panels, that the plugin called
// JavaScript host methods, that `sieve` computes while the page keeps
// animating, that a runaway plugin is stopped by the timeout while the page
// keeps painting, and that a plugin picked as a file loads and runs. Every
// wait has a timeout; the last line is "N passed, N failed" and the exit
// code is non-zero if any step failed.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { attribute, click, fill, heartbeat, openDemo, pageErrors, text, waitFor, within } from './page.mjs';

const [engine, url, screenshot = `target/web-demo/demo-${engine}.png`] = process.argv.slice(2);
if (!engine || !url) {
  console.error('usage: node e2e/demo.mjs <chromium|firefox|webkit> <page url> [screenshot.png]');
  process.exit(2);
}

/**
 * The longest the page's main thread may be unable to run a timer while a
 * plugin computes: the host hands the event loop back about every 10 ms,
 * and this leaves room for a loaded 2-core CI machine. WebKit here is
 * WebKitGTK's MiniBrowser drawing in software on an Xvfb display; its
 * gaps measured up to ~170 ms on a loaded machine (about 75 ms for plain
 * JavaScript yielding the same way), so it gets more room.
 */
const MAX_GAP_MS = engine === 'webkit' ? 250 : 150;

/**
 * Frames a page must draw per second of plugin work: Chromium draws ~60,
 * headless Firefox and WebKit under Xvfb 10-30 when the machine is busy.
 */
const MIN_FPS = 3;

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

const page = await openDemo(url, engine);
console.log(`# ${page.version}`);
const scratch = mkdtempSync(join(tmpdir(), 'wasmi-e2e-'));

/** Picks `method`, types `params` and clicks Call; resolves to the result box once the call ended. */
async function callMethod(method, params) {
  await fill(page, '#method', method);
  await fill(page, '#params', JSON.stringify(params));
  await click(page, '#call');
  await waitFor(page, () => document.querySelector('#result').dataset.kind !== 'pending', null, {
    what: `${method} to end`,
  });
  return { kind: await attribute(page, '#result', 'data-kind'), text: await text(page, '#result') };
}

/** How the page's main thread is doing: a round trip into the page, and its frame counter. */
async function probe() {
  const sent = Date.now();
  const frames = await within(5_000, page.evaluate(() => window.demo.frames), 'page round trip');
  return { frames, roundTripMs: Date.now() - sent };
}

/** Waits until the status says `name` is loaded. */
function loaded(name) {
  return waitFor(
    page,
    (n) => {
      const status = document.querySelector('#status');
      return status.dataset.state === 'ready' && status.textContent.includes(n);
    },
    name,
    { timeout: 30_000, what: `${name} to load` },
  );
}

try {
  await step('the embedded test plugin loads and lists its methods', async () => {
    const methods = await page.evaluate(() => [...document.querySelectorAll('#methods button')].map((b) => b.textContent));
    for (const m of ['ping', 'sieve', 'add', 'call_host', 'log']) check(methods.includes(m), `no ${m} in ${methods}`);
    check((await text(page, '#plugin-info')).includes('compiled in'), 'no load info');
  });

  await step('a call shows its result and report', async () => {
    const { kind, text: result } = await callMethod('add', [2, 40]);
    check(kind === 'ok' && result.trim() === '42', `add gave ${kind}: ${result}`);
    const report = await text(page, '#report');
    check(report.includes('fuel') && report.includes('wall time') && report.includes('peak memory'), report);
  });

  await step('log lines appear in the log panel', async () => {
    const { kind } = await callMethod('log', []);
    check(kind === 'ok', `log gave ${kind}`);
    await waitFor(page, () => [...document.querySelectorAll('#log li')].some((li) => li.textContent.includes('warn line')), null, {
      timeout: 5_000,
      what: 'the warn line',
    });
    const levels = await page.evaluate(() => [...document.querySelectorAll('#log .level')].map((e) => e.textContent));
    for (const level of ['ERROR', 'WARN', 'INFO', 'DEBUG']) check(levels.includes(level), `no ${level} in ${levels}`);
  });

  await step('the plugin calls JavaScript host methods (sync and async)', async () => {
    const before = await page.evaluate(() => window.demo.jsHostCalls);
    await click(page, '#greet');
    await waitFor(page, () => document.querySelector('#result').dataset.kind !== 'pending', null, { what: 'greet' });
    const greeting = await text(page, '#result');
    check(greeting.includes('Hello browser, from a JavaScript host method'), greeting);
    const { kind } = await callMethod('many_echo', [3]);
    check(kind === 'ok', `many_echo gave ${kind}`);
    const later = await callMethod('call_host', { method: 'host.now' });
    check(later.kind === 'ok' && later.text.includes('iso'), later.text);
    const after = await page.evaluate(() => window.demo.jsHostCalls);
    check(after - before === 5, `expected 5 JS host calls, saw ${after - before}`);
    check(Number(await text(page, '#js-calls')) === after, 'JS call counter not shown');
    check((await text(page, '#host-calls')).includes('host.greet(["browser"])'), 'host call not listed');
  });

  await step('a JSON-RPC error shows its kind and code', async () => {
    const { kind, text: result } = await callMethod('fail', { code: 42, message: 'failing as asked' });
    check(kind === 'rpc' && result.includes('42') && result.includes('failing as asked'), `${kind}: ${result}`);
  });

  await step('sieve computes while the page keeps animating', async () => {
    await fill(page, '#sieve-n', '10000000');
    const before = await probe();
    await heartbeat(page, { reset: true });
    const started = Date.now();
    await click(page, '#compute');
    await new Promise((resolve) => setTimeout(resolve, 400));
    const during = await probe();
    check(during.roundTripMs < 1_000, `the page took ${during.roundTripMs} ms to answer`);
    await waitFor(page, () => document.querySelector('#compute-status').dataset.result, null, {
      timeout: 90_000,
      what: 'sieve(10,000,000)',
    });
    const seconds = (Date.now() - started) / 1000;
    const after = await probe();
    const gap = await heartbeat(page);
    check((await attribute(page, '#compute-status', 'data-result')) === '664579', 'wrong prime count');
    const frameGap = await page.evaluate(() => window.demo.maxGap);
    const fps = (after.frames - before.frames) / seconds;
    console.log(`    longest main-thread gap ${gap.toFixed(1)} ms, longest frame gap ${frameGap.toFixed(1)} ms, ` +
      `${fps.toFixed(1)} frames/s while computing, round trip into the page ${during.roundTripMs} ms`);
    console.log(`    ${await text(page, '#compute-status')}`);
    check(fps >= MIN_FPS, `only ${fps.toFixed(1)} frames/s were drawn while computing`);
    check(gap < MAX_GAP_MS, `the main thread was blocked for ${gap.toFixed(1)} ms`);
  });

  await step('a runaway plugin is stopped by the timeout, the page keeps painting', async () => {
    await fill(page, '#timeout', '1500');
    await fill(page, '#plugin-select', 'misbehaving');
    await loaded('misbehaving-plugin');
    await fill(page, '#method', 'loop');
    await fill(page, '#params', '[]');
    await heartbeat(page, { reset: true });
    const before = await probe();
    const started = Date.now();
    await click(page, '#call');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const a = await probe();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const b = await probe();
    check(b.frames > before.frames, 'no frames while the plugin spins');
    check(Math.max(a.roundTripMs, b.roundTripMs) < 1_000, 'the page stopped answering');
    check((await attribute(page, '#result', 'data-kind')) === 'pending', 'the call ended early');
    await waitFor(page, () => document.querySelector('#result').dataset.kind === 'timeout', null, {
      timeout: 15_000,
      what: 'the timeout',
    });
    const elapsed = Date.now() - started;
    const gap = await heartbeat(page);
    const fps = ((await probe()).frames - before.frames) / (elapsed / 1000);
    const result = await text(page, '#result');
    console.log(`    stopped after ${elapsed} ms: "${result.trim()}"; longest main-thread gap ${gap.toFixed(1)} ms, ` +
      `${fps.toFixed(1)} frames/s`);
    check(fps >= MIN_FPS, `only ${fps.toFixed(1)} frames/s were drawn while the plugin spun`);
    check(result.includes('timed out after 1.5s'), result);
    check(elapsed >= 1_400 && elapsed < 10_000, `stopped after ${elapsed} ms`);
    check(gap < MAX_GAP_MS, `the main thread was blocked for ${gap.toFixed(1)} ms`);
  });

  await step('a plugin picked as a file loads and runs', async () => {
    // The test plugin's bytes, written to a file and picked in the file input.
    const base64 = await page.evaluate(async () => {
      const { testPlugin } = await import(new URL('pkg/wasmi_web.js', location.href).href);
      const bytes = testPlugin();
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(binary);
    });
    const file = join(scratch, 'picked-plugin.wasm');
    writeFileSync(file, Buffer.from(base64, 'base64'));
    await fill(page, '#timeout', '5000');
    await page.uploadFile('#plugin-file', file);
    await loaded('picked-plugin');
    const { kind, text: result } = await callMethod('sieve', [1000]);
    check(kind === 'ok' && result.trim() === '168', `sieve gave ${kind}: ${result}`);
  });

  await step('no uncaught errors in the page', async () => {
    const errors = await pageErrors(page);
    check(errors.length === 0, errors.join('\n'));
  });

  mkdirSync(dirname(screenshot), { recursive: true });
  await page.screenshot(screenshot);
  console.log(`screenshot: ${screenshot}`);
} finally {
  await page.close();
  rmSync(scratch, { recursive: true, force: true });
}

console.log(`${engine}: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
