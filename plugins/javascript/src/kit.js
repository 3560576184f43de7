// The plugin kit of the JavaScript runner: `method`, `host`, `RpcError` and a
// levelled `console`, and the serve loop that answers the requests with the
// methods the script registers (see plugins/javascript/README.md, and
// types/wasmi-plugin.d.ts for the API).
//
// The runner evaluates this file before the plugin's script, in the Wizer
// initialiser, so everything built here is in the snapshot. The file is one
// function expression: the runner calls it with its native hooks and keeps
// what it returns, the serve loop, which it runs in every request unless the
// script defines its own main() (the low-level API: readLine/writeLine).
(function (runner) {
  "use strict";

  const { readLine, writeLine, writeLog, runJobs } = runner;

  // --- Errors ------------------------------------------------------------

  /** An error with a JSON-RPC code: what a handler throws to answer one. */
  class RpcError extends Error {
    constructor(code, message, data) {
      if (!Number.isSafeInteger(code)) {
        throw new TypeError(`RpcError: the code must be an integer, not ${show(code)}`);
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

  // --- Logging (PROTOCOL.md §5) -------------------------------------------

  const LEVELS = ["ERROR", "WARN", "INFO", "DEBUG", "TRACE"];
  // PLUGIN_LOG as the Rust kit reads it, once, at load; INFO by default.
  const maxLevel = (() => {
    const filter = (runner.logFilter ?? "").trim().toUpperCase();
    if (filter === "OFF") return -1;
    const index = LEVELS.indexOf(filter);
    return index < 0 ? 2 : index;
  })();

  /** One argument of a console call as text. */
  function show(value) {
    switch (typeof value) {
      case "string":
        return value;
      case "undefined":
        return "undefined";
      case "function":
        return `[function ${value.name || "(anonymous)"}]`;
      case "object":
        if (value === null) return "null";
        if (value instanceof Error) {
          const stack = typeof value.stack === "string" ? value.stack.trimEnd() : "";
          return stack ? `${value}\n${stack}` : String(value);
        }
        try {
          return JSON.stringify(value) ?? String(value);
        } catch {
          return String(value);
        }
      default:
        return String(value);
    }
  }

  /** Writes `LEVEL target: line` for every line of the message. */
  function log(level, target, args) {
    if (level > maxLevel) return;
    const text = args.length === 1 ? show(args[0]) : args.map(show).join(" ");
    const valid = typeof target === "string" && target !== "" && !/\s/.test(target);
    const prefix = valid ? `${LEVELS[level]} ${target}: ` : `${LEVELS[level]} `;
    const lines = text.split(/\r?\n/);
    writeLog(lines.length === 1 ? prefix + text : lines.map((line) => prefix + line).join("\n"));
  }

  const console = {
    /** The target of every line (`LEVEL target: message`). */
    target: "javascript",
    log(...args) {
      log(2, console.target, args);
    },
    info(...args) {
      log(2, console.target, args);
    },
    warn(...args) {
      log(1, console.target, args);
    },
    error(...args) {
      log(0, console.target, args);
    },
    debug(...args) {
      log(3, console.target, args);
    },
    trace(...args) {
      log(4, console.target, args);
    },
  };

  /** The runner's own messages: target `javascript`. */
  const runnerLog = (level, message) => log(level, "javascript", [message]);

  // --- Messages ----------------------------------------------------------

  const idText = (id) => (id === undefined ? "null" : JSON.stringify(id));

  function sendResult(id, result) {
    let text;
    try {
      text = JSON.stringify(result === undefined ? null : result);
    } catch (e) {
      sendError(id, RpcError.internal(`cannot encode the result as JSON: ${e?.message ?? e}`));
      return;
    }
    // `undefined` for a function or a symbol: nothing JSON can hold.
    writeLine(`{"jsonrpc":"2.0","id":${idText(id)},"result":${text ?? "null"}}`);
  }

  function sendError(id, error) {
    const body = { code: error.code, message: error.message };
    if (error.data !== undefined) body.data = error.data;
    let text;
    try {
      text = JSON.stringify(body);
    } catch {
      text = JSON.stringify({ code: error.code, message: error.message });
    }
    writeLine(`{"jsonrpc":"2.0","id":${idText(id)},"error":${text}}`);
  }

  /** The error a handler's failure answers with: its own, or -32603. */
  function failure(name, e) {
    if (e instanceof RpcError) return e;
    runnerLog(0, `${name} failed: ${show(e)}`);
    const message = e instanceof Error ? e.message : show(e);
    return RpcError.internal(message);
  }

  /** A JSON object (not an array). */
  const isRecord = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

  /**
   * Reads one line: a request, a notification or a response, or
   * `undefined` if it was blank or answered here (-32700, -32600).
   */
  function parse(line) {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      if (line.trim() === "") return undefined;
      sendError(null, new RpcError(RpcError.PARSE_ERROR, "parse error: the line is not JSON"));
      return undefined;
    }
    const why = invalidity(msg);
    if (why === undefined) return msg;
    sendError(null, new RpcError(RpcError.INVALID_REQUEST, `invalid request: ${why}`));
    return undefined;
  }

  /** Why `msg` is not a JSON-RPC 2.0 message, or `undefined` if it is one. */
  function invalidity(msg) {
    if (!isRecord(msg)) {
      return Array.isArray(msg) ? "batches are not used inside a plugin" : "not an object";
    }
    if (msg.jsonrpc !== "2.0") return 'missing "jsonrpc": "2.0"';
    if ("id" in msg) {
      const id = msg.id;
      if (!(id === null || typeof id === "string" || Number.isInteger(id))) {
        return "an id is an integer or a string";
      }
    }
    if ("method" in msg) {
      if (typeof msg.method !== "string") return "method must be a string";
      if ("result" in msg || "error" in msg) return "a request cannot carry result or error";
      if ("params" in msg && (msg.params === null || typeof msg.params !== "object")) {
        return "params must be an array or an object";
      }
      return undefined;
    }
    if (!("id" in msg)) return "neither a method nor an id";
    if (("result" in msg) === ("error" in msg)) return "a response has either result or error";
    return undefined;
  }

  // --- Methods -------------------------------------------------------------

  /** name -> { handler, params: [{ name, required, types, schema, description }] | null, spec } */
  const methods = new Map();

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
    const types = type === undefined ? null : [].concat(type).filter((t) => t in TYPES);
    return {
      name: p.name,
      required: p.required !== false,
      types: types && types.length > 0 ? types : null,
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
    methods.set(name, { handler, params, spec });
  }

  /** The params a handler gets: as given, or by name if its spec names them. */
  function shape(name, names, params) {
    if (names === null) return params;
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
      const { params, spec } = methods.get(name);
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
      methods: [...methods.keys()].sort().map(describe),
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

  // --- Serving -------------------------------------------------------------

  const isThenable = (v) =>
    v !== null && (typeof v === "object" || typeof v === "function") && typeof v.then === "function";

  function handle(msg) {
    const { id, method: name } = msg;
    const entry = methods.get(name);
    let out;
    try {
      if (entry !== undefined) {
        out = entry.handler(shape(name, entry.params, msg.params), { id, method: name });
      } else if (name === "rpc.discover") {
        out = discover();
      } else {
        throw new RpcError(RpcError.METHOD_NOT_FOUND, `method not found: ${name}`);
      }
      if (isThenable(out)) {
        settle(id, name, out);
        return;
      }
    } catch (e) {
      sendError(id, failure(name, e));
      return;
    }
    sendResult(id, out);
  }

  /**
   * Waits for an async handler: runs the job queue, then reads the host's
   * answers to the plugin's calls and routes them by id, until the handler's
   * promise settles.
   */
  function settle(id, name, promise) {
    let done = false;
    Promise.resolve(promise).then(
      (value) => {
        if (!done) sendResult(id, value);
        done = true;
      },
      (e) => {
        if (!done) sendError(id, failure(name, e));
        done = true;
      },
    );
    for (;;) {
      runJobs();
      if (done) return;
      if (calls.size === 0) {
        done = true;
        const why = `${name}: the handler is waiting on something other than a host call`;
        sendError(id, RpcError.internal(why));
        return;
      }
      const line = readLine();
      if (line === null) {
        closeStdin();
        continue;
      }
      const msg = parse(line);
      if (msg === undefined) continue;
      if (typeof msg.method !== "string") {
        route(msg);
      } else if ("id" in msg) {
        // One request at a time, as the Rust kit.
        sendError(msg.id, new RpcError(RpcError.INVALID_REQUEST, "the plugin is busy with another request"));
      }
    }
  }

  /** Answers requests from stdin until EOF. */
  function serve() {
    for (let line; (line = readLine()) !== null; ) {
      const msg = parse(line);
      if (msg === undefined) continue;
      if (typeof msg.method === "string") {
        // A notification gets no answer, and nothing is run for it.
        if ("id" in msg) handle(msg);
      } else {
        route(msg);
      }
    }
    closeStdin();
    runJobs();
  }

  globalThis.RpcError = RpcError;
  globalThis.console = console;
  globalThis.method = method;
  globalThis.host = host;
  return serve;
});
