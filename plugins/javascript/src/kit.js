// The JavaScript half of the runner's plugin kit: `method`, `host` and
// `RpcError` (see plugins/javascript/README.md, and types/wasmi-plugin.d.ts
// for the API). The serve loop and `console` are native (serve.rs,
// console.rs): every bytecode QuickJS runs is itself interpreted by the
// host, so what runs per request stays out of JavaScript where it can.
//
// The runner evaluates this file before the plugin's script, in the Wizer
// initialiser, so everything built here is in the snapshot. The file is one
// function expression: the runner calls it with its native hooks and keeps
// the object it returns, which the serve loop uses.
(function (runner) {
  "use strict";

  const { writeLine } = runner;

  /** A JSON object (not an array). */
  const isRecord = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

  // --- Errors ------------------------------------------------------------

  /** An error with a JSON-RPC code: what a handler throws to answer with it. */
  class RpcError extends Error {
    constructor(code, message, data) {
      if (!Number.isSafeInteger(code)) {
        throw new TypeError(`RpcError: the code must be an integer, not ${String(code)}`);
      }
      super(message === undefined ? "" : String(message));
      this.name = "RpcError";
      this.code = code;
      if (data !== undefined) this.data = data;
    }

    static invalidParams(message, data) {
      return new RpcError(RpcError.INVALID_PARAMS, message, data);
    }

    static internal(message, data) {
      return new RpcError(RpcError.INTERNAL_ERROR, message, data);
    }
  }
  RpcError.PARSE_ERROR = -32700;
  RpcError.INVALID_REQUEST = -32600;
  RpcError.METHOD_NOT_FOUND = -32601;
  RpcError.INVALID_PARAMS = -32602;
  RpcError.INTERNAL_ERROR = -32603;

  // --- Methods -------------------------------------------------------------

  /** name -> { handler, params: [{ name, required, types, schema, description }] | null, spec } */
  const methods = Object.create(null);

  const TYPES = {
    integer: (v) => Number.isInteger(v),
    number: (v) => typeof v === "number" && Number.isFinite(v),
    string: (v) => typeof v === "string",
    boolean: (v) => typeof v === "boolean",
    null: (v) => v === null,
    array: (v) => Array.isArray(v),
    object: isRecord,
  };

  function param(p, method) {
    if (typeof p === "string") p = { name: p };
    if (!isRecord(p) || typeof p.name !== "string" || p.name === "") {
      throw new TypeError(`method ${method}: each of spec.params is a name or { name, schema?, required? }`);
    }
    const type = isRecord(p.schema) ? p.schema.type : undefined;
    const types = type === undefined ? [] : [].concat(type).filter((t) => t in TYPES);
    return {
      name: p.name,
      required: p.required !== false,
      types: types.length > 0 ? types : null,
      schema: p.schema,
      description: p.description,
    };
  }

  /**
   * Registers (or replaces) method `name`:
   * `method(name, handler)` or `method(name, spec, handler)`.
   */
  function method(name, spec, handler) {
    if (handler === undefined && typeof spec === "function") {
      handler = spec;
      spec = undefined;
    }
    if (typeof name !== "string" || name === "") {
      throw new TypeError("method(name, [spec,] handler): the name is a non-empty string");
    }
    if (typeof handler !== "function") {
      throw new TypeError(`method ${name}: the handler must be a function`);
    }
    if (spec !== undefined && !isRecord(spec)) {
      throw new TypeError(`method ${name}: the spec must be an object`);
    }
    let params = null;
    if (spec?.params !== undefined) {
      if (!Array.isArray(spec.params)) throw new TypeError(`method ${name}: spec.params must be an array`);
      params = spec.params.map((p) => param(p, name));
    }
    methods[name] = { handler, params, spec };
  }

  /** The params a handler with named params gets (the serve loop calls it). */
  function shape(name, names, params) {
    let named;
    if (params === undefined) {
      named = {};
    } else if (Array.isArray(params)) {
      if (params.length > names.length) {
        const list = names.map((p) => p.name).join(", ");
        throw RpcError.invalidParams(`${name} takes at most ${names.length} params (${list}), got ${params.length}`);
      }
      named = {};
      for (let i = 0; i < params.length; i++) named[names[i].name] = params[i];
    } else {
      named = params;
    }
    for (const p of names) {
      const value = named[p.name];
      if (value === undefined) {
        if (p.required) throw RpcError.invalidParams(`${name}: missing param ${p.name}`);
      } else if (p.types !== null && !p.types.some((t) => TYPES[t](value))) {
        throw RpcError.invalidParams(`${name}: param ${p.name} must be ${p.types.join(" or ")}`);
      }
    }
    return named;
  }

  /** The answer to rpc.discover: an OpenRPC document of the registered methods. */
  function discover() {
    const describe = (name) => {
      const { params, spec } = methods[name];
      const doc = { name };
      if (typeof spec?.description === "string") doc.description = spec.description;
      doc.params = (params ?? []).map((p) => {
        const d = { name: p.name };
        if (typeof p.description === "string") d.description = p.description;
        d.required = p.required;
        d.schema = p.schema ?? {};
        return d;
      });
      if (params !== null) doc.paramStructure = "either";
      if (isRecord(spec?.result)) {
        doc.result = { name: spec.result.name ?? "result", schema: spec.result.schema ?? {} };
      }
      return doc;
    };
    return {
      openrpc: "1.2.6",
      info: { title: "plugin", version: "0.0.0" },
      methods: Object.keys(methods).sort().map(describe),
    };
  }

  // --- Host calls ----------------------------------------------------------

  /** id -> { resolve, reject, name }: the host calls still unanswered. */
  const calls = new Map();
  let nextCallId = 1;
  let stdinClosed = false;

  /** Params as PROTOCOL.md §3 sends them: none, [x] for a scalar, or as given. */
  const encodeParams = (params) =>
    params === undefined || params === null ? undefined : typeof params === "object" ? params : [params];

  function checkName(what, name) {
    if (typeof name !== "string" || name === "") {
      throw new TypeError(`host.${what}(name, params): the name is a non-empty string`);
    }
  }

  const host = {
    call(name, params) {
      checkName("call", name);
      if (stdinClosed) {
        return Promise.reject(RpcError.internal(`cannot call ${name}: the host closed stdin`));
      }
      const id = nextCallId++;
      writeLine(JSON.stringify({ jsonrpc: "2.0", id, method: name, params: encodeParams(params) }));
      return new Promise((resolve, reject) => calls.set(id, { resolve, reject, name }));
    },
    notify(name, params) {
      checkName("notify", name);
      writeLine(JSON.stringify({ jsonrpc: "2.0", method: name, params: encodeParams(params) }));
    },
  };

  /** Settles the host call a response answers; a stray one is ignored. */
  function route(msg) {
    const call = calls.get(msg.id);
    if (call === undefined) return;
    calls.delete(msg.id);
    if ("result" in msg) {
      call.resolve(msg.result);
    } else {
      const e = msg.error;
      const code = Number.isSafeInteger(e?.code) ? e.code : RpcError.INTERNAL_ERROR;
      const message = typeof e?.message === "string" ? e.message : `${call.name} failed`;
      call.reject(new RpcError(code, message, e?.data));
    }
  }

  /** Stdin ended: no answer can come any more. */
  function closeStdin() {
    stdinClosed = true;
    const pending = [...calls.values()];
    calls.clear();
    for (const call of pending) {
      call.reject(RpcError.internal(`the host closed stdin before answering ${call.name}`));
    }
  }

  globalThis.RpcError = RpcError;
  globalThis.method = method;
  globalThis.host = host;
  // What the serve loop uses.
  return {
    methods,
    shape,
    discover,
    RpcError,
    calls,
    route,
    closeStdin,
    toPromise: (thenable) => Promise.resolve(thenable),
  };
});
