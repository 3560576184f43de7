// Browser benchmark: runs the demo page's benchmark in each engine, one after
// the other, and prints its medians next to the native host's.
//
//   node web-demo/e2e/bench.mjs <page url> [native medians as JSON] [engine...]
//
// Engines default to chromium, firefox and webkit (see engines.mjs). The page
// measures what the native twin (`cargo run --release -p
// wasmi-web-native-bench`) measures: the embedded test plugin with default
// limits, one call at a time: `ping` and a call with one host round trip
// (`call_host` → `host.echo`) after 200 warm-up calls, the median of 20
// batches of 100 calls (mean per call); `sieve(1000000)` after one warm-up
// call, the median of 7 calls.
import { ENGINES } from './engines.mjs';
import { click, openDemo, waitFor } from './page.mjs';

const [url, nativeJson, ...chosen] = process.argv.slice(2);
if (!url) {
  console.error('usage: node e2e/bench.mjs <page url> [native JSON] [engine...]');
  process.exit(2);
}
const native = nativeJson ? JSON.parse(nativeJson) : null;
const engines = chosen.length > 0 ? chosen : ENGINES;

const figures = {};
const versions = {};
for (const engine of engines) {
  const page = await openDemo(url, engine, { heartbeat: false });
  try {
    versions[engine] = page.version;
    await click(page, '#bench');
    figures[engine] = await waitFor(page, () => window.demo.bench, null, { timeout: 300_000, what: `the ${engine} benchmark` });
  } finally {
    await page.close();
  }
  console.error(`${engine} (${versions[engine]}): ${JSON.stringify(figures[engine])}`);
}

console.log(JSON.stringify({ native, browsers: figures, versions }));
const rows = [
  ['ping (20 batches of 100 calls)', 'pingMedianMs', 3],
  ['call with one host round trip (20 batches of 100)', 'hostCallMedianMs', 3],
  ['sieve(1,000,000) (7 calls)', 'sieveMedianMs', 1],
];
const cell = (value, digits, base) =>
  value === undefined || value === null
    ? 'n/a'
    : `${value.toFixed(digits)} ms${base ? ` (${(value / base).toFixed(1)}x)` : ''}`;
console.log(`| median | native | ${engines.map((e) => versions[e]).join(' | ')} |`);
console.log(`|---|---|${engines.map(() => '---|').join('')}`);
for (const [name, key, digits] of rows) {
  const base = native?.[key];
  console.log(`| ${name} | ${cell(base, digits)} | ${engines.map((e) => cell(figures[e][key], digits, base)).join(' | ')} |`);
}
