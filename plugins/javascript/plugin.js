// The example plugin in JavaScript, written with the runner's kit (see
// README.md in this folder): each method is a function, the kit answers the
// requests, rpc.discover and unknown methods. Its top level runs once, when
// the plugin is loaded; the methods run per request. The contract is in
// plugins/README.md.
"use strict";

// Log lines are `INFO javascript_plugin: ...`.
console.target = "javascript_plugin";

const MAX_LIMIT = 10_000_000;
const integer = { type: "integer" };

method("ping", () => {
  console.info("ping");
  return "pong";
});

// Params as given: an array, an object, or undefined (answered as null).
method("echo", (params) => params);

// Named params: [a, b] reaches the handler as {a, b}; the kit answers
// -32602 when one is missing or not an integer. Numbers are doubles here,
// so the sum must be exact (|n| <= 2^53 - 1).
method(
  "add",
  {
    description: "a + b",
    params: [
      { name: "a", schema: integer },
      { name: "b", schema: integer },
    ],
    result: { schema: integer },
  },
  ({ a, b }) => {
    if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || !Number.isSafeInteger(a + b)) {
      throw RpcError.invalidParams("add: the operands and their sum must be exact integers");
    }
    return a + b;
  },
);

method(
  "sieve",
  {
    description: "the number of primes <= limit",
    params: [{ name: "limit", schema: { type: "integer", minimum: 0, maximum: MAX_LIMIT } }],
    result: { schema: integer },
  },
  ({ limit }) => {
    if (limit < 0 || limit > MAX_LIMIT) {
      throw RpcError.invalidParams(`sieve takes 0 <= limit <= ${MAX_LIMIT}`);
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
);

// Calls the host's host.echo and answers with its result; a host error
// (or no answer at all, -32603) passes through as the answer.
method("echo_host", { params: ["x"] }, async ({ x }) => await host.call("host.echo", [x]));
