// A test script for the runner's kit (not an example): one method per thing
// the kit does, driven by tests/tests/javascript_kit.rs. Built by
// plugins/test.sh as javascript-kit.wasm.
"use strict";

console.target = "kit_test";

// Three host calls in flight at once: the host answers none of them before
// it has all three (host.gate is a barrier), so awaiting them one by one
// would never finish.
method("fan_out", async () => Promise.all([1, 2, 3].map((i) => host.call("host.gate", [i]))));

// Host calls one after the other, each using the previous answer.
method("chain", { params: [{ name: "n", schema: { type: "integer" } }] }, async ({ n }) => {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const [x] = await host.call("host.echo", [total + 1]);
    total = x;
  }
  return total;
});

// host.notify: no answer; the host has handled it when the call returns.
method("notify", (params) => {
  host.notify("host.note", { text: params?.[0] ?? "none" });
  host.notify("host.note", "scalar");
  return "sent";
});

method("log_levels", () => {
  console.log("via log");
  console.info("via info");
  console.warn("via warn");
  console.error("via error");
  console.debug("via debug");
  console.trace("via trace");
  console.info("two", "parts", 3, { k: [1] }, null, undefined);
  console.warn("first line\nsecond line");
  const saved = console.target;
  console.target = "other::target";
  console.info("elsewhere: with a colon");
  console.target = saved;
  return "logged";
});

method("fail_with_data", () => {
  throw new RpcError(1234, "custom failure", { why: "a test", list: [1, 2] });
});

method("fail_untyped", (params) => {
  if (params?.[0] === "type") return params.no.such.member;
  if (params?.[0] === "string") throw "a thrown string";
  throw new Error("boom");
});

method("fail_async", async () => {
  await host.call("host.echo", [1]);
  throw new RpcError(4321, "failed after a host call");
});

method("fail_bad_code", () => {
  throw new RpcError(1.5, "not an integer code");
});

// A host error passes through when not caught, and is an RpcError when it is.
method("host_error", async (params) => {
  if (params?.[0] === "catch") {
    try {
      await host.call("host.nope", []);
    } catch (e) {
      return { code: e.code, message: e.message, isRpcError: e instanceof RpcError };
    }
  }
  return host.call("host.nope", []);
});

// An async handler that awaits no host call.
method("async_value", async (params) => {
  const doubled = await Promise.resolve(params[0] * 2);
  const later = await new Promise((resolve) => resolve(doubled + 1));
  return { doubled, later };
});

// An async handler waiting on something nothing can settle.
method("stuck", () => new Promise(() => {}));

// Named params with a schema, an optional one, and the call's id.
method(
  "named",
  {
    description: "echoes its named params",
    params: [
      { name: "n", schema: { type: "integer" }, description: "a count" },
      { name: "label", schema: { type: ["string", "null"] }, required: false },
      "any",
    ],
    result: { name: "echoed", schema: { type: "object" } },
  },
  (params, call) => ({ params, call }),
);

// Params as given.
method("raw", (params) => ({ params: params ?? null, isArray: Array.isArray(params), absent: params === undefined }));

// Answers nothing JSON can hold.
method("unencodable", () => {
  const cycle = {};
  cycle.self = cycle;
  return cycle;
});

method("nothing", () => undefined);
