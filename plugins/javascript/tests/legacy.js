// A test script for the runner (not an example): written without main(),
// as one loop at the top level, which the runner cannot pre-initialise and
// so runs in full for every request. Answers every request with its method
// and a Math.random() value. Built by plugins/test.sh as
// javascript-legacy.wasm.
"use strict";

for (let line; (line = readLine()) !== null; ) {
  const msg = JSON.parse(line);
  if (typeof msg.method !== "string" || !("id" in msg)) continue;
  const result = { method: msg.method, random: Math.random() };
  writeLine(JSON.stringify({ jsonrpc: "2.0", id: msg.id, result }));
}
