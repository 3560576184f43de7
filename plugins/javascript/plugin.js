// The example plugin in JavaScript, run by QuickJS inside the wasm module that
// src/main.rs builds: newline-delimited JSON-RPC 2.0 with readLine() and
// writeLine(), the log with console.log() (stderr). See plugins/README.md.
// The top level runs once, when the plugin is loaded (it may not use
// readLine or writeLine); main() serves the requests.
"use strict";

const MAX_LIMIT = 10_000_000;
let nextHostId = 1;

class RpcError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const invalidParams = (message) => new RpcError(-32602, message);
const send = (message) => writeLine(JSON.stringify(message));

// Numbers are doubles here: integers must be exact (|n| <= 2^53 - 1).
const int = Number.isSafeInteger;

const methods = new Map(Object.entries({
  ping() {
    console.log("INFO javascript_plugin: ping");
    return "pong";
  },

  echo(params) {
    return params === undefined ? null : params;
  },

  add(params) {
    const [a, b] = Array.isArray(params) ? (params.length === 2 ? params : []) : [params?.a, params?.b];
    if (!int(a) || !int(b)) throw invalidParams("add takes {a, b} or [a, b] (integers)");
    if (!int(a + b)) throw invalidParams("add: the sum overflows");
    return a + b;
  },

  sieve(params) {
    const limit = Array.isArray(params) ? (params.length === 1 ? params[0] : undefined) : params?.limit;
    if (!int(limit) || limit < 0 || limit > MAX_LIMIT) {
      throw invalidParams("sieve takes [limit] with 0 <= limit <= 10000000");
    }
    const composite = new Uint8Array(limit + 1);
    for (let i = 2; i * i <= limit; i++) {
      if (composite[i]) continue;
      for (let j = i * i; j <= limit; j += i) composite[j] = 1;
    }
    let primes = 0;
    for (let i = 2; i <= limit; i++) if (!composite[i]) primes++;
    return primes;
  },

  // Calls host.echo with our own id and answers with the host's answer.
  echo_host(params) {
    if (!Array.isArray(params) || params.length !== 1) throw invalidParams("echo_host takes [x]");
    const id = nextHostId++;
    send({ jsonrpc: "2.0", id, method: "host.echo", params });
    for (let line; (line = readLine()) !== null; ) {
      let msg;
      try {
        msg = JSON.parse(line);
      } catch {
        continue;
      }
      if (msg?.id !== id || "method" in msg) continue; // not the answer to our request
      if (msg.error) throw new RpcError(msg.error.code, msg.error.message);
      return msg.result ?? null;
    }
    throw new RpcError(-32603, "the host did not answer host.echo");
  },
}));

function handle(msg) {
  const method = methods.get(msg.method);
  if (!method) throw new RpcError(-32601, `method not found: ${msg.method}`);
  return method(msg.params);
}

// The runner calls main() once per instance (per request under wasmi-hdk):
// everything above ran once, when the plugin was loaded.
function main() {
  for (let line; (line = readLine()) !== null; ) {
    if (line.trim() === "") continue;
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      send({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "parse error" } });
      continue;
    }
    if (typeof msg?.method !== "string") {
      // A stray response is ignored; anything else is not a request.
      if (!(msg && ("result" in msg || "error" in msg))) {
        send({ jsonrpc: "2.0", id: null, error: { code: -32600, message: "invalid request" } });
      }
      continue;
    }
    if (!("id" in msg)) continue; // notifications get no answer
    try {
      send({ jsonrpc: "2.0", id: msg.id, result: handle(msg) });
    } catch (e) {
      const code = e instanceof RpcError ? e.code : -32603;
      send({ jsonrpc: "2.0", id: msg.id, error: { code, message: String(e.message ?? e) } });
    }
  }
}
