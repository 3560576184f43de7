// The three browser engines the web demo is tested in, all from Debian
// packages (no browser build is ever downloaded), behind one small page
// interface so that every test runs the same code in each:
//
//   chromium  Debian `chromium`, driven by playwright-core (DevTools protocol)
//   firefox   Debian `firefox-esr`, driven by puppeteer-core over WebDriver BiDi
//   webkit    Debian `webkit2gtk-driver`: WebKitGTK's MiniBrowser (JavaScriptCore,
//             the engine of Safari) through WebKitWebDriver, W3C WebDriver,
//             on an Xvfb display (MiniBrowser has no headless mode)
//
// A page has: `engine`, `version`, `goto(url)`, `evaluate(fn, arg)` (`fn` runs
// in the page, may return a Promise; one JSON argument), `uploadFile(selector,
// path)` (a real file pick), `screenshot(path)` and `close()`.
import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { Session, freePort, startServer } from './webdriver.mjs';

export const ENGINES = ['chromium', 'firefox', 'webkit'];

const VIEWPORT = { width: 1280, height: 1100 };

/** Launches `engine` and returns a page showing nothing yet. */
export async function launch(engine) {
  switch (engine) {
    case 'chromium':
      return launchChromium();
    case 'firefox':
      return launchFirefox();
    case 'webkit':
      return launchWebKit();
    default:
      throw new Error(`unknown engine ${engine} (use ${ENGINES.join(', ')})`);
  }
}

async function launchChromium() {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
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
  const page = await browser.newPage({ viewport: VIEWPORT });
  page.setDefaultTimeout(30_000);
  return {
    engine: 'chromium',
    version: `Chromium ${browser.version()}`,
    goto: (url) => page.goto(url, { timeout: 60_000 }),
    evaluate: (fn, arg) => page.evaluate(fn, arg ?? null),
    uploadFile: (selector, path) => page.setInputFiles(selector, path),
    screenshot: (path) => page.screenshot({ path, fullPage: true }),
    close: () => browser.close(),
  };
}

async function launchFirefox() {
  const { default: puppeteer } = await import('puppeteer-core');
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: process.env.FIREFOX ?? '/usr/bin/firefox-esr',
    headless: true,
    timeout: 60_000,
    protocolTimeout: 180_000,
    args: ['--no-remote'],
    defaultViewport: VIEWPORT,
  });
  const page = await browser.newPage();
  page.setDefaultTimeout(30_000);
  return {
    engine: 'firefox',
    version: (await browser.version()).replace('/', ' '),
    goto: (url) => page.goto(url, { timeout: 60_000 }),
    evaluate: (fn, arg) => page.evaluate(fn, arg ?? null),
    uploadFile: async (selector, path) => {
      const input = await page.$(selector);
      await input.uploadFile(path);
    },
    screenshot: (path) => page.screenshot({ path, fullPage: true }),
    close: () => browser.close(),
  };
}

/** The MiniBrowser of Debian's libwebkit2gtk-4.1 (its directory is per architecture). */
function miniBrowser() {
  if (process.env.MINIBROWSER) return process.env.MINIBROWSER;
  for (const dir of readdirSync('/usr/lib')) {
    const candidate = `/usr/lib/${dir}/webkit2gtk-4.1/MiniBrowser`;
    try {
      readdirSync(`/usr/lib/${dir}/webkit2gtk-4.1`);
      return candidate;
    } catch {
      // not this one
    }
  }
  throw new Error('MiniBrowser not found: apt-get install webkit2gtk-driver');
}

/** Starts Xvfb on a free display; resolves to [display, process]. */
function startXvfb() {
  return new Promise((resolve, reject) => {
    // -displayfd: Xvfb picks a free display and writes its number to fd 3.
    const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1100x24', '-nolisten', 'tcp'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let number = '';
    const timer = setTimeout(() => reject(new Error('Xvfb did not start within 20 s')), 20_000);
    xvfb.on('error', reject);
    xvfb.on('exit', (code) => reject(new Error(`Xvfb exited ${code}`)));
    xvfb.stdio[3].on('data', (chunk) => {
      number += chunk;
      if (number.includes('\n')) {
        clearTimeout(timer);
        resolve([`:${number.trim()}`, xvfb]);
      }
    });
  });
}

async function launchWebKit() {
  const [display, xvfb] = await startXvfb();
  const port = await freePort();
  let driver;
  try {
    driver = await startServer('WebKitWebDriver', [`--port=${port}`], port, {
      env: { ...process.env, DISPLAY: display },
    });
    const session = await Session.create(`http://127.0.0.1:${port}`, {
      browserName: 'MiniBrowser',
      'webkitgtk:browserOptions': { binary: miniBrowser(), args: ['--automation'] },
    });
    await session.setWindowSize(VIEWPORT.width, VIEWPORT.height);
    const kill = () => {
      driver.kill();
      xvfb.kill();
    };
    return {
      engine: 'webkit',
      version: `WebKitGTK ${session.browserVersion ?? ''}`.trim(),
      goto: (url) => session.goto(url),
      evaluate: (fn, arg) => session.evaluate(fn, arg),
      uploadFile: (selector, path) => session.uploadFile(selector, path),
      screenshot: async (path) => writeFileSync(path, await session.screenshot()),
      close: async () => {
        await session.close();
        kill();
      },
    };
  } catch (error) {
    driver?.kill();
    xvfb.kill();
    throw error;
  }
}
