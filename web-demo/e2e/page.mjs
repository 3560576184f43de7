// What the end-to-end test and the benchmark do to the demo page, written
// once for every engine of engines.mjs: everything goes through the page
// interface's `evaluate`, so clicks, typing and waits are the same DOM
// operations in Chromium, Firefox and WebKit.
import { launch } from './engines.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Rejects if `promise` takes longer than `ms`. */
export function within(ms, promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Launches `engine`, opens the demo at `url` and waits until it says it is
 * ready. Installs, in the page, a collector of uncaught errors and (unless
 * `heartbeat` is false, as for benchmarks: its timers cost the page time) a
 * main-thread heartbeat: a 5 ms timer chain whose longest gap tells how
 * long the page could not run anything (every engine has timers; only
 * Chromium reports long tasks).
 */
export async function openDemo(url, engine, { heartbeat = true } = {}) {
  const page = await launch(engine);
  try {
    await within(60_000, page.goto(url), `loading ${url}`);
    await waitFor(page, () => document.querySelector('#status')?.dataset.state === 'ready', null, {
      timeout: 90_000,
      what: 'the demo page to be ready',
    });
    await page.evaluate((withHeartbeat) => {
      window.__e2e = { errors: [], beat: { last: performance.now(), maxGap: 0 } };
      addEventListener('error', (e) => window.__e2e.errors.push(String(e.error?.stack ?? e.message)));
      addEventListener('unhandledrejection', (e) => window.__e2e.errors.push(String(e.reason?.stack ?? e.reason)));
      if (!withHeartbeat) return;
      const beat = window.__e2e.beat;
      const tick = () => {
        const now = performance.now();
        beat.maxGap = Math.max(beat.maxGap, now - beat.last);
        beat.last = now;
        setTimeout(tick, 5);
      };
      setTimeout(tick, 5);
    }, heartbeat);
    return page;
  } catch (error) {
    await page.close().catch(() => {});
    throw error;
  }
}

/** Polls `predicate(arg)` in the page every 50 ms until it is truthy; resolves to its value. */
export async function waitFor(page, predicate, arg, { timeout = 30_000, what = String(predicate) } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await within(10_000, page.evaluate(predicate, arg), `polling for ${what}`);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** Clicks the element `selector`. */
export function click(page, selector) {
  return page.evaluate((s) => {
    const element = document.querySelector(s);
    if (!element) throw new Error(`no element ${s}`);
    element.click();
  }, selector);
}

/** Sets the value of an input, textarea or select, as typing or picking would. */
export function fill(page, selector, value) {
  return page.evaluate(
    ([s, v]) => {
      const element = document.querySelector(s);
      if (!element) throw new Error(`no element ${s}`);
      if (element.tagName === 'SELECT' && ![...element.options].some((o) => o.value === v)) {
        throw new Error(`no option ${v} in ${s}`);
      }
      element.value = v;
      element.dispatchEvent(new Event('input', { bubbles: true }));
      element.dispatchEvent(new Event('change', { bubbles: true }));
    },
    [selector, String(value)],
  );
}

/** The text of `selector`, or null. */
export function text(page, selector) {
  return page.evaluate((s) => document.querySelector(s)?.textContent ?? null, selector);
}

/** Attribute `name` of `selector`, or null. */
export function attribute(page, selector, name) {
  return page.evaluate(([s, n]) => document.querySelector(s)?.getAttribute(n) ?? null, [selector, name]);
}

/** Longest main-thread gap since the last reset, in ms; `reset` starts a new measure. */
export function heartbeat(page, { reset = false } = {}) {
  return page.evaluate((r) => {
    const beat = window.__e2e.beat;
    const gap = Math.max(beat.maxGap, performance.now() - beat.last);
    if (r) {
      beat.maxGap = 0;
      beat.last = performance.now();
    }
    return gap;
  }, reset);
}

/** Uncaught errors the page had so far. */
export function pageErrors(page) {
  return page.evaluate(() => window.__e2e.errors);
}
