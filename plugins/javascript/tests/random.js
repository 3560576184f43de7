// A test script for the runner (not an example): answers every request with
// Math.random() values drawn at load and at request time, so the tests can
// tell that each request draws its own. Built by plugins/test.sh as
// javascript-random.wasm.
"use strict";

const atLoad = Math.random();

function main() {
  for (let line; (line = readLine()) !== null; ) {
    const msg = JSON.parse(line);
    if (typeof msg.method !== "string" || !("id" in msg)) continue;
    const result = { atLoad, now: [Math.random(), Math.random()] };
    writeLine(JSON.stringify({ jsonrpc: "2.0", id: msg.id, result }));
  }
}
