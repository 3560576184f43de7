// End-to-end test of the demo page in headless Chromium.
//
//   node web-demo/e2e/demo.mjs <page url> [screenshot.png]
//
// Clicks through a call, checks the result, report and log panels, that the
// plugin called a JavaScript host method, that `sieve` computes while the page
// keeps animating, and that a runaway plugin is stopped by the timeout with a
// clear error while the page stays responsive. Saves a screenshot. Every wait
// has a timeout; the last line is "N passed, N failed".
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { openDemo, within } from './chromium.mjs';

const url = process.argv[2];
const screenshot = process.argv[3] ?? 'target/web-demo/demo.png';
if (!url) {
  console.error('usage: node e2e/demo.mjs <page url> [screenshot.png]');
  process.exit(2);
}

let passed = 0;
let failed = 0;
async function step(name, body) {
  const started = Date.now();
  try {
    await within(120_000, body(), name);
    passed += 1;
    console.log(`ok - ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    failed += 1;
    console.log(`not ok - ${name}: ${error.stack ?? error}`);
  }
}
function check(condition, message) {
  if (!condition) throw new Error(message);
}

const { browser, page, pageErrors } = await openDemo(url);

/** Picks `method`, types `params` and clicks Call; resolves to the result box once the call ended. */
async function callMethod(method, params) {
  await page.selectOption('#method', method);
  await page.fill('#params', JSON.stringify(params));
  await page.click('#call');
  await page.waitForSelector('#result:not([data-kind="pending"])', { timeout: 30_000 });
  return {
    kind: await page.getAttribute('#result', 'data-kind'),
    text: await page.textContent('#result'),
  };
}

/** How the page's main thread is doing: a round trip into the page, and its frame counter. */
async function probe() {
  const sent = Date.now();
  const frames = await within(5_000, page.evaluate(() => window.demo.frames), 'page round trip');
  return { frames, roundTripMs: Date.now() - sent };
}

try {
  await step('the embedded test plugin loads and lists its methods', async () => {
    const methods = await page.$$eval('#methods button', (buttons) => buttons.map((b) => b.textContent));
    for (const m of ['ping', 'sieve', 'add', 'call_host', 'log']) check(methods.includes(m), `no ${m} in ${methods}`);
    check((await page.textContent('#plugin-info')).includes('compiled in'), 'no load info');
  });

  await step('a call shows its result and report', async () => {
    const { kind, text } = await callMethod('add', [2, 40]);
    check(kind === 'ok' && text.trim() === '42', `add gave ${kind}: ${text}`);
    const report = await page.textContent('#report');
    check(report.includes('fuel') && report.includes('wall time') && report.includes('peak memory'), report);
  });

  await step('log lines appear in the log panel', async () => {
    const { kind } = await callMethod('log', []);
    check(kind === 'ok', `log gave ${kind}`);
    await page.waitForSelector('#log li:has-text("warn line")', { timeout: 5_000 });
    const levels = await page.$$eval('#log .level', (els) => els.map((e) => e.textContent));
    for (const level of ['ERROR', 'WARN', 'INFO', 'DEBUG']) check(levels.includes(level), `no ${level} in ${levels}`);
  });

  await step('the plugin calls JavaScript host methods (sync and async)', async () => {
    const before = await page.evaluate(() => window.demo.jsHostCalls);
    await page.click('#greet');
    await page.waitForSelector('#result:not([data-kind="pending"])');
    const text = await page.textContent('#result');
    check(text.includes('Hello browser, from a JavaScript host method'), text);
    const { kind } = await callMethod('many_echo', [3]);
    check(kind === 'ok', `many_echo gave ${kind}`);
    const later = await callMethod('call_host', { method: 'host.now' });
    check(later.kind === 'ok' && later.text.includes('iso'), later.text);
    const after = await page.evaluate(() => window.demo.jsHostCalls);
    check(after - before === 5, `expected 5 JS host calls, saw ${after - before}`);
    check(Number(await page.textContent('#js-calls')) === after, 'JS call counter not shown');
    check((await page.textContent('#host-calls')).includes('host.greet(["browser"])'), 'host call not listed');
  });

  await step('a JSON-RPC error shows its kind and code', async () => {
    const { kind, text } = await callMethod('fail', { code: 42, message: 'failing as asked' });
    check(kind === 'rpc' && text.includes('42') && text.includes('failing as asked'), `${kind}: ${text}`);
  });

  await step('sieve computes while the page keeps animating', async () => {
    await page.fill('#sieve-n', '10000000');
    const before = await probe();
    await page.click('#compute');
    await page.waitForTimeout(400);
    const during = await probe();
    check(during.frames > before.frames, 'no frames were drawn while computing');
    check(during.roundTripMs < 1_000, `the page took ${during.roundTripMs} ms to answer`);
    await page.waitForSelector('#compute-status[data-result]', { timeout: 60_000 });
    check((await page.getAttribute('#compute-status', 'data-result')) === '664579', 'wrong prime count');
    const { maxGap, maxTask } = await page.evaluate(() => ({ maxGap: window.demo.maxGap, maxTask: window.demo.maxTask }));
    console.log(`    longest frame gap ${maxGap.toFixed(1)} ms, longest task ${maxTask.toFixed(1)} ms, ` +
      `frames during the first 400 ms: ${during.frames - before.frames}, round trip ${during.roundTripMs} ms`);
    // The target is no task over ~50 ms; leave room for a loaded 2-core CI machine.
    check(maxTask < 150, `a main-thread task took ${maxTask} ms`);
    check(maxGap < 250, `a frame gap of ${maxGap} ms`);
    console.log(`    ${await page.textContent('#compute-status')}`);
  });

  await step('a runaway plugin is stopped by the timeout, the page stays responsive', async () => {
    await page.fill('#timeout', '1500');
    await page.selectOption('#plugin-select', 'misbehaving');
    await page.waitForSelector('#status[data-state="ready"]:has-text("misbehaving-plugin")', { timeout: 30_000 });
    await page.selectOption('#method', 'loop');
    await page.fill('#params', '[]');
    await page.evaluate(() => window.demo.resetStats());
    const started = Date.now();
    await page.click('#call');
    await page.waitForTimeout(500);
    const a = await probe();
    await page.waitForTimeout(300);
    const b = await probe();
    check(b.frames > a.frames, 'no frames while the plugin spins');
    check(Math.max(a.roundTripMs, b.roundTripMs) < 1_000, 'the page stopped answering');
    check((await page.getAttribute('#result', 'data-kind')) === 'pending', 'the call ended early');
    await page.waitForSelector('#result[data-kind="timeout"]', { timeout: 15_000 });
    const elapsed = Date.now() - started;
    const text = await page.textContent('#result');
    check(text.includes('timed out after 1.5s'), text);
    check(elapsed >= 1_400 && elapsed < 10_000, `stopped after ${elapsed} ms`);
    const maxTask = await page.evaluate(() => window.demo.maxTask);
    console.log(`    stopped after ${elapsed} ms: "${text.trim()}"; longest task ${maxTask.toFixed(1)} ms`);
    check(maxTask < 150, `a main-thread task took ${maxTask} ms`);
  });

  await step('no uncaught errors in the page', async () => {
    check(pageErrors.length === 0, pageErrors.map((e) => e.stack ?? e).join('\n'));
  });

  mkdirSync(dirname(screenshot), { recursive: true });
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`screenshot: ${screenshot}`);
} finally {
  await browser.close();
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
