// Browser benchmark: runs the demo page's benchmark in headless Chromium and
// prints its medians next to the native host's.
//
//   node web-demo/e2e/bench.mjs <page url> [native medians as JSON]
//
// The page measures what the native twin (`cargo run --release -p
// wasmi-web-native-bench`) measures: the embedded test plugin with default
// limits, one call at a time: `ping` after 200 warm-up calls, the median of
// 20 batches of 10 calls (mean per call); `sieve(1000000)` after one warm-up
// call, the median of 7 calls.
import { openDemo, within } from './chromium.mjs';

const url = process.argv[2];
const native = process.argv[3] ? JSON.parse(process.argv[3]) : null;
if (!url) {
  console.error('usage: node e2e/bench.mjs <page url> [native JSON]');
  process.exit(2);
}

const { browser, page } = await openDemo(url);
let browserFigures;
try {
  await page.click('#bench');
  await page.waitForFunction(() => window.demo.bench !== null, null, { timeout: 180_000 });
  browserFigures = await within(5_000, page.evaluate(() => window.demo.bench), 'reading the figures');
} finally {
  await browser.close();
}

const version = (await import('node:child_process'))
  .execFileSync(process.env.CHROMIUM ?? '/usr/bin/chromium', ['--version'], { encoding: 'utf8' })
  .trim();
console.log(`browser: ${version} (headless)`);
console.log(JSON.stringify({ browser: browserFigures, native }));
const row = (name, key, digits) => {
  const b = browserFigures[key];
  const n = native?.[key];
  const ratio = n ? `${(b / n).toFixed(2)}x` : 'n/a';
  console.log(`| ${name} | ${n ? n.toFixed(digits) : 'n/a'} ms | ${b.toFixed(digits)} ms | ${ratio} |`);
};
console.log('| median | native | browser | browser / native |');
console.log('|---|---|---|---|');
row('ping (20 batches of 10 calls)', 'pingMedianMs', 3);
row('sieve(1,000,000) (7 calls)', 'sieveMedianMs', 1);
