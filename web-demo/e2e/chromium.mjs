// Shared by the end-to-end test and the benchmark: Debian's Chromium, driven
// by playwright-core (which never downloads a browser of its own).
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Launches headless Chromium and opens `url` once the demo says it is ready. */
export async function openDemo(url, { viewport = { width: 1280, height: 1100 } } = {}) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 60_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(30_000);
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error));
  page.on('console', (message) => {
    if (message.type() === 'error') console.error(`[page console] ${message.text()}`);
  });
  await page.goto(url, { timeout: 30_000 });
  await page.waitForSelector('#status[data-state="ready"]', { timeout: 60_000 });
  return { browser, page, pageErrors };
}

/** Rejects if `promise` takes longer than `ms`. */
export function within(ms, promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
