// The demo page: plain ES module, no bundler. `./pkg` is built by web-demo/build.sh.
import init, { Plugin, Store, testPlugin, misbehavingPlugin } from './pkg/wasmi_web.js';

const $ = (id) => document.getElementById(id);

/** Example params for the test plugins' methods. */
const EXAMPLES = {
  add: [2, 40],
  alloc: [16],
  call_host: { method: 'host.greet', params: ['browser'] },
  concurrent: [3],
  echo: { hello: 'world' },
  exit: [3],
  fail: { code: 42, message: 'failing as asked', data: { why: 'demo' } },
  many_echo: [3],
  notify: { event: 'demo' },
  sieve: [100000],
  sleep: [200],
};

/** What the page exposes for its end-to-end test and for poking around in the console. */
const demo = (window.demo = {
  host: null,
  store: null,
  frames: 0,
  maxGap: 0,
  maxTask: 0,
  jsHostCalls: 0,
  lastResult: null,
  bench: null,
  resetStats() {
    this.maxGap = 0;
    this.maxTask = 0;
  },
});

// ---- main-thread animation and responsiveness meters ----

const canvas = $('animation');
const ctx = canvas.getContext('2d');
let lastFrame = performance.now();
function frame(now) {
  const gap = now - lastFrame;
  lastFrame = now;
  demo.frames += 1;
  if (demo.frames > 2 && gap > demo.maxGap) demo.maxGap = gap;
  const t = now / 1000;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  for (let i = 0; i < 5; i += 1) {
    const x = 20 + ((t * 90 + i * 40) % (canvas.width - 40));
    const y = 35 + Math.sin(t * 4 + i) * 22;
    ctx.beginPath();
    ctx.fillStyle = `hsl(${(t * 60 + i * 50) % 360} 70% 55%)`;
    ctx.arc(x, y, 8, 0, Math.PI * 2);
    ctx.fill();
  }
  $('frames').textContent = demo.frames;
  $('max-gap').textContent = demo.maxGap.toFixed(0);
  $('max-task').textContent = demo.maxTask.toFixed(0);
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);

// Chromium reports every main-thread task longer than 50 ms.
if (window.PerformanceObserver && PerformanceObserver.supportedEntryTypes?.includes('longtask')) {
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) demo.maxTask = Math.max(demo.maxTask, entry.duration);
  }).observe({ type: 'longtask' });
}

// ---- host methods written in JavaScript ----

function recordHostCall(method, params, answer) {
  demo.jsHostCalls += 1;
  $('js-calls').textContent = demo.jsHostCalls;
  const item = document.createElement('li');
  item.textContent = `${method}(${JSON.stringify(params) ?? ''}) → ${JSON.stringify(answer)}`;
  const list = $('host-calls');
  list.prepend(item);
  while (list.children.length > 50) list.lastChild.remove();
}

const HOST_METHODS = {
  // Synchronous: returns its params.
  'host.echo': (params) => {
    recordHostCall('host.echo', params, params);
    return params;
  },
  // Synchronous, using who called.
  'host.greet': (params, caller) => {
    const name = Array.isArray(params) ? params[0] : params;
    const answer = `Hello ${name}, from a JavaScript host method (called by ${caller.plugin})`;
    recordHostCall('host.greet', params, answer);
    return answer;
  },
  // Asynchronous: the plugin waits (suspended, no CPU) until the Promise resolves.
  'host.now': () =>
    new Promise((resolve) =>
      setTimeout(() => {
        const answer = { iso: new Date().toISOString() };
        recordHostCall('host.now', undefined, answer);
        resolve(answer);
      }, 50),
    ),
  // A notification target (`notify`).
  'host.notified': (params) => {
    recordHostCall('host.notified', params, null);
    return null;
  },
};

// ---- plugin log ----

function onLog(level, message, target) {
  const item = document.createElement('li');
  const badge = document.createElement('span');
  badge.className = `level ${level}`;
  badge.textContent = level;
  item.append(badge, ` ${target ? `${target}: ` : ''}${message}`);
  const log = $('log');
  log.append(item);
  while (log.children.length > 500) log.firstChild.remove();
  log.scrollTop = log.scrollHeight;
}

// ---- loading ----

function setStatus(state, text) {
  const status = $('status');
  status.dataset.state = state;
  status.textContent = text;
}

function loadOptions(name) {
  const fuel = $('fuel').value;
  return {
    name,
    timeout: Number($('timeout').value) || null,
    fuel: fuel ? Number(fuel) : null,
    maxMemory: Number($('max-memory').value || 64) * 1024 * 1024,
    env: { PLUGIN_LOG: 'debug' },
    onLog,
    methods: HOST_METHODS,
    // The plugin's store.* host methods, in its namespace `plugin:NAME` of this page's IndexedDB.
    store: demo.store,
  };
}

async function loadPlugin(bytes, name) {
  setStatus('busy', `loading ${name}…`);
  const started = performance.now();
  try {
    const host = await Plugin.load(bytes, loadOptions(name));
    const loadMs = performance.now() - started;
    demo.host?.free();
    demo.host = host;
    const methods = await host.methods();
    showMethods(methods);
    $('plugin-info').textContent =
      `${name}: ${(bytes.byteLength / 1024).toFixed(0)} KiB, compiled in ${loadMs.toFixed(1)} ms, ` +
      `${methods.length} methods; JS host methods: ${host.hostMethods().join(', ')}`;
    await showVisits();
    setStatus('ready', `ready: ${name}`);
  } catch (e) {
    setStatus('error', `could not load ${name}: ${e.message}`);
  }
}

function showMethods(methods) {
  const select = $('method');
  select.replaceChildren(...methods.map((m) => new Option(m, m)));
  const chips = $('methods');
  chips.replaceChildren(
    ...methods.map((m) => {
      const chip = document.createElement('button');
      chip.textContent = m;
      chip.addEventListener('click', () => chooseMethod(m));
      return chip;
    }),
  );
  const preferred = ['add', 'loop'].find((m) => methods.includes(m)) ?? methods[0];
  if (preferred) chooseMethod(preferred);
}

function chooseMethod(method) {
  $('method').value = method;
  $('params').value = method in EXAMPLES ? JSON.stringify(EXAMPLES[method]) : '[]';
}

function loadSelected() {
  const which = $('plugin-select').value;
  const bytes = which === 'misbehaving' ? misbehavingPlugin() : testPlugin();
  return loadPlugin(bytes, `${which === 'misbehaving' ? 'misbehaving' : 'test'}-plugin`);
}

// ---- calls ----

function showReport(table, report) {
  const rows = report
    ? [
        ['fuel', report.fuelConsumed.toLocaleString('en')],
        ['wall time', `${report.wallTime.toFixed(2)} ms`],
        ['peak memory', `${(report.peakMemory / 1024).toLocaleString('en')} KiB`],
        ['host calls', report.hostCalls],
        ['notifications', report.notifications],
        ['bytes in / out', `${report.bytesIn} / ${report.bytesOut}`],
        ['stderr bytes', report.stderrBytes],
      ]
    : [];
  table.replaceChildren(
    ...rows.map(([k, v]) => {
      const tr = document.createElement('tr');
      const th = document.createElement('th');
      const td = document.createElement('td');
      th.textContent = k;
      td.textContent = v;
      tr.append(th, td);
      return tr;
    }),
  );
}

function showOutcome(outcome) {
  const result = $('result');
  demo.lastResult = outcome;
  if (outcome.ok) {
    result.className = 'result ok';
    result.textContent = JSON.stringify(outcome.result, null, 2);
  } else {
    const e = outcome.error;
    result.className = 'result error';
    const code = e.code !== undefined ? ` ${e.code}` : '';
    const tail = e.stderrTail ? `\n--- plugin stderr ---\n${e.stderrTail}` : '';
    result.textContent = `${e.name} (${e.kind ?? 'unknown'}${code}): ${e.message}${tail}`;
  }
  result.dataset.kind = outcome.ok ? 'ok' : outcome.error.kind ?? 'unknown';
  showReport($('report'), outcome.report);
}

let controller = null;

async function callSelected() {
  if (!demo.host) return;
  let params;
  try {
    const text = $('params').value.trim();
    params = text ? JSON.parse(text) : undefined;
  } catch (e) {
    showOutcome({ ok: false, error: { name: 'SyntaxError', kind: 'invalid_params', message: e.message } });
    return;
  }
  const method = $('method').value;
  controller = new AbortController();
  $('call').disabled = true;
  $('cancel').disabled = false;
  $('result').className = 'result';
  $('result').textContent = `calling ${method}…`;
  $('result').dataset.kind = 'pending';
  try {
    const { result, report } = await demo.host.callWithReport(method, params, { signal: controller.signal });
    showOutcome({ ok: true, result, report });
  } catch (error) {
    showOutcome({ ok: false, error, report: error.report });
  } finally {
    $('call').disabled = false;
    $('cancel').disabled = true;
    controller = null;
  }
}

// ---- compute ----

async function compute() {
  if (!demo.host) return;
  const n = Number($('sieve-n').value) || 10_000_000;
  const button = $('compute');
  const status = $('compute-status');
  const bar = $('progress-bar');
  button.disabled = true;
  demo.resetStats();
  const started = performance.now();
  let running = true;
  // Elapsed time and a sweeping bar, drawn by the main thread while the plugin computes.
  const tick = () => {
    if (!running) return;
    const elapsed = performance.now() - started;
    status.textContent = `computing… ${(elapsed / 1000).toFixed(2)} s`;
    bar.style.width = `${(elapsed / 10) % 100}%`;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  try {
    const { result, report } = await demo.host.callWithReport('sieve', [n], { timeout: 120000 });
    running = false;
    bar.style.width = '100%';
    const elapsed = performance.now() - started;
    status.textContent =
      `${result.toLocaleString('en')} primes up to ${n.toLocaleString('en')} in ${elapsed.toFixed(0)} ms ` +
      `(${report.fuelConsumed.toLocaleString('en')} fuel); longest frame gap meanwhile ${demo.maxGap.toFixed(0)} ms`;
    status.dataset.result = result;
  } catch (e) {
    running = false;
    status.textContent = `failed (${e.kind}): ${e.message}`;
  } finally {
    button.disabled = false;
  }
}

// ---- state in the store ----

/** The visit count, read by the plugin from its store (only the test plugin has `call_host`). */
async function showVisits(visits) {
  const shown = $('visits');
  const canCount = demo.host?.name === 'test-plugin';
  $('visit').disabled = !canCount;
  if (!canCount) {
    shown.textContent = 'load test-plugin';
    shown.dataset.state = 'unknown';
    return;
  }
  if (visits === undefined) {
    visits = await demo.host.call('call_host', { method: 'store.get', params: ['visits'] });
  }
  shown.textContent = visits ?? 0;
  shown.dataset.state = 'read';
}

async function visit() {
  $('visits').dataset.state = 'pending';
  const visits = await demo.host.call('call_host', { method: 'store.increment', params: ['visits'] });
  await showVisits(visits);
}

/** The page itself reaches into the plugin's namespace (the embedder's access). */
async function forget() {
  $('visits').dataset.state = 'pending';
  await demo.store.delete(Store.pluginNamespace('test-plugin'), 'visits');
  await showVisits();
}

// ---- benchmark ----

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Median over `batches` of the mean wall time of `perBatch` sequential calls,
 * after `warmup` calls. Batching averages out the coarse `performance.now()`
 * of pages that are not cross-origin isolated (0.1 ms in Chromium, 1 ms in
 * Firefox and WebKit).
 */
async function timeCalls(host, method, params, warmup, batches, perBatch, expected) {
  const check = (result) => {
    if (JSON.stringify(result) !== JSON.stringify(expected)) {
      throw new Error(`${method} returned ${JSON.stringify(result)}`);
    }
  };
  for (let i = 0; i < warmup; i += 1) check(await host.call(method, params));
  const times = [];
  for (let b = 0; b < batches; b += 1) {
    const t0 = performance.now();
    for (let i = 0; i < perBatch; i += 1) check(await host.call(method, params));
    times.push((performance.now() - t0) / perBatch);
  }
  return median(times);
}

async function bench() {
  const button = $('bench');
  button.disabled = true;
  $('bench-status').textContent = 'running…';
  try {
    // A fresh host with default limits and one host method: the same setup as the native benchmark.
    const host = await Plugin.load(testPlugin(), { methods: { 'host.echo': (params) => params } });
    const pingMedianMs = await timeCalls(host, 'ping', undefined, 200, 20, 100, 'pong');
    // A call whose plugin calls the host once (`host.echo`) and answers with its result.
    const roundTrip = { method: 'host.echo', params: [1] };
    const hostCallMedianMs = await timeCalls(host, 'call_host', roundTrip, 200, 20, 100, [1]);
    const sieveMedianMs = await timeCalls(host, 'sieve', [1000000], 1, 7, 1, 78498);
    host.free();
    demo.bench = { pingMedianMs, hostCallMedianMs, sieveMedianMs, pingRuns: 2000, sieveRuns: 7 };
    const rows = [
      ['ping, median of 20 batches of 100', `${pingMedianMs.toFixed(3)} ms`],
      ['call with one host round trip, median of 20 batches of 100', `${hostCallMedianMs.toFixed(3)} ms`],
      ['sieve(1,000,000), median of 7', `${sieveMedianMs.toFixed(1)} ms`],
    ];
    $('bench-result').replaceChildren(
      ...rows.map(([k, v]) => {
        const tr = document.createElement('tr');
        tr.innerHTML = '<th></th><td></td>';
        tr.firstChild.textContent = k;
        tr.lastChild.textContent = v;
        return tr;
      }),
    );
    $('bench-status').textContent = 'done';
  } catch (e) {
    $('bench-status').textContent = `failed: ${e.message}`;
  } finally {
    button.disabled = false;
  }
}

// ---- wiring ----

$('load').addEventListener('click', loadSelected);
$('plugin-select').addEventListener('change', loadSelected);
$('plugin-file').addEventListener('change', async (event) => {
  const file = event.target.files[0];
  if (file) await loadPlugin(new Uint8Array(await file.arrayBuffer()), file.name.replace(/\.wasm$/, ''));
});
$('method').addEventListener('change', () => chooseMethod($('method').value));
$('call').addEventListener('click', callSelected);
$('cancel').addEventListener('click', () => controller?.abort());
$('compute').addEventListener('click', compute);
$('greet').addEventListener('click', () => {
  chooseMethod('call_host');
  return callSelected();
});
$('clear-log').addEventListener('click', () => $('log').replaceChildren());
$('bench').addEventListener('click', bench);
$('visit').addEventListener('click', visit);
$('forget').addEventListener('click', forget);

await init();
demo.store = await Store.indexedDb('wasmi-demo');
await loadSelected();
