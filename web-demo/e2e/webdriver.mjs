// A small W3C WebDriver client (the HTTP protocol, over Node's fetch): just
// what the end-to-end tests need to drive WebKitGTK's MiniBrowser through
// Debian's WebKitWebDriver. Every request has a timeout.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts `command args` and resolves once `port` on 127.0.0.1 accepts HTTP, within `ms`. */
export async function startServer(command, args, port, { env = process.env, ms = 30_000 } = {}) {
  const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${command} exited ${child.exitCode}: ${stderr}`);
    try {
      await fetch(`http://127.0.0.1:${port}/status`, { signal: AbortSignal.timeout(1_000) });
      return child;
    } catch {
      await sleep(100);
    }
  }
  child.kill();
  throw new Error(`${command} did not listen on port ${port} within ${ms} ms: ${stderr}`);
}

/** One WebDriver session. */
export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  /** Opens a session on the driver at `base` with these capabilities. */
  static async create(base, capabilities, ms = 60_000) {
    const value = await request(base, 'POST', '/session', { capabilities: { alwaysMatch: capabilities } }, ms);
    const session = new Session(base, value.sessionId);
    session.browserVersion = value.capabilities?.browserVersion;
    return session;
  }

  command(method, path, body, ms = 30_000) {
    return request(this.base, method, `/session/${this.id}${path}`, body, ms);
  }

  goto(url) {
    return this.command('POST', '/url', { url }, 60_000);
  }

  /**
   * Runs `fn(arg)` in the page (it may return a Promise) and resolves to its
   * JSON result; a throw in the page rejects here with the page's message.
   */
  async evaluate(fn, arg, ms = 30_000) {
    const script = `const [source, arg, done] = arguments;
      Promise.resolve().then(() => (0, eval)('(' + source + ')')(arg)).then(
        (value) => done({ ok: value === undefined ? null : value }),
        (error) => done({ error: String((error && error.stack) || error) }));`;
    await this.command('POST', '/timeouts', { script: ms }, ms);
    const outcome = await this.command('POST', '/execute/async', { script, args: [fn.toString(), arg ?? null] }, ms + 5_000);
    if (outcome && 'error' in outcome) throw new Error(`in the page: ${outcome.error}`);
    return outcome?.ok ?? null;
  }

  async element(selector) {
    const value = await this.command('POST', '/element', { using: 'css selector', value: selector });
    return Object.values(value)[0];
  }

  /** Picks `path` in the file input `selector`, as a user would. */
  async uploadFile(selector, path) {
    const element = await this.element(selector);
    await this.command('POST', `/element/${element}/value`, { text: path });
  }

  async setWindowSize(width, height) {
    await this.command('POST', '/window/rect', { width, height });
  }

  /** The visible part of the page as PNG bytes. */
  async screenshot() {
    return Buffer.from(await this.command('GET', '/screenshot'), 'base64');
  }

  async close() {
    try {
      await request(this.base, 'DELETE', `/session/${this.id}`, undefined, 10_000);
    } catch {
      // The browser may be gone already.
    }
  }
}

async function request(base, method, path, body, ms) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(ms),
  });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`WebDriver ${method} ${path}: HTTP ${response.status}: ${text.slice(0, 500)}`);
  }
  if (!response.ok || json.value?.error) {
    const { error, message } = json.value ?? {};
    throw new Error(`WebDriver ${method} ${path}: ${error ?? response.status}: ${message ?? text.slice(0, 500)}`);
  }
  return json.value;
}
