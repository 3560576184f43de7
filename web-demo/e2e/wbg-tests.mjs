// Runs the browser test suite (web-demo/tests/browser.rs, wasm-bindgen-test)
// in any engine of engines.mjs. wasm-bindgen-test-runner drives only
// chromedriver, geckodriver and safaridriver; with `NO_HEADLESS=1` it instead
// serves the suite's page, which runs every test on load and writes the
// harness output into `#output`. This opens that page, waits for the
// harness's `test result:` line and prints the output.
//
//   NO_HEADLESS=1 WASM_BINDGEN_TEST_ADDRESS=127.0.0.1:PORT wasm-bindgen-test-runner browser-….wasm &
//   node web-demo/e2e/wbg-tests.mjs <engine> http://127.0.0.1:PORT/
//
// Exits 0 only if the page reports `test result: ok`.
import { launch } from './engines.mjs';
import { within } from './page.mjs';

const [engine, url, limit = '900'] = process.argv.slice(2);
if (!engine || !url) {
  console.error('usage: node e2e/wbg-tests.mjs <chromium|firefox|webkit> <test page url> [timeout seconds]');
  process.exit(2);
}

const page = await launch(engine);
let output = '';
try {
  console.log(`# ${page.version}: ${url}`);
  await within(60_000, page.goto(url), `loading ${url}`);
  const deadline = Date.now() + Number(limit) * 1000;
  let printed = 0;
  while (Date.now() < deadline) {
    output = (await within(30_000, page.evaluate(() => document.getElementById('output')?.textContent ?? ''), 'reading #output')) ?? '';
    // Stream what is new, so a slow suite shows progress.
    if (output.length > printed) {
      process.stdout.write(output.slice(printed));
      printed = output.length;
    }
    if (output.includes('test result: ')) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
} finally {
  await page.close();
}

if (!output.includes('test result: ')) {
  console.log(`\n${engine}: the suite did not finish within ${limit} s`);
  process.exit(1);
}
process.exit(output.includes('test result: ok') ? 0 : 1);
