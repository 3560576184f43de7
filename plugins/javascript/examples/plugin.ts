// The example plugin in TypeScript: the same contract as ../plugin.js
// (plugins/README.md), written with the kit's types. build.sh bundles it
// (and the modules it imports) into one script with esbuild, after
// type-checking it with tsc:
//   plugins/javascript/build.sh OUT_DIR typescript plugins/javascript/examples/plugin.ts
/// <reference path="../types/wasmi-plugin.d.ts" />

import { countPrimes } from "./sieve";

console.target = "typescript_plugin";

const MAX_LIMIT = 10_000_000;
const integer = { type: "integer" };

method("ping", (): string => {
  console.info("ping");
  return "pong";
});

method("echo", (params) => params ?? null);

interface AddParams {
  a: number;
  b: number;
}

method<AddParams, number>(
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
    const sum = a + b;
    if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || !Number.isSafeInteger(sum)) {
      throw RpcError.invalidParams("add: the operands and their sum must be exact integers");
    }
    return sum;
  },
);

method<{ limit: number }, number>(
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
    return countPrimes(limit);
  },
);

method<{ x: WasmiPlugin.Json }, WasmiPlugin.Json>("echo_host", { params: ["x"] }, async ({ x }) => {
  // A host error (or no answer, -32603) rejects, and passes through.
  return await host.call<WasmiPlugin.Json>("host.echo", [x]);
});
