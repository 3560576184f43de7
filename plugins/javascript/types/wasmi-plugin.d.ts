// The globals the JavaScript runner gives a plugin's script: its kit
// (`method`, `host`, `RpcError`, `console`) and the low-level stdio
// (`readLine`, `writeLine`). See plugins/javascript/README.md.
//
// A script file, not a module: its declarations are global. Reference it
// from a TypeScript plugin with
//   /// <reference path="path/to/wasmi-plugin.d.ts" />
// or list it in your tsconfig.json's "files" or "include".

/** The types of the kit's API. */
declare namespace WasmiPlugin {
  /** A JSON value, as `JSON.parse` gives it. */
  export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

  /** A request's params as the host sent them (PROTOCOL.md §3). */
  export type Params = Json[] | { [key: string]: Json };

  /** A JSON Schema (published by `rpc.discover`; the kit checks only `type`). */
  export type JsonSchema = { [keyword: string]: unknown };

  /** A param of a method, named in `MethodSpec.params`. */
  export interface ParamSpec {
    /** The member of the handler's params object that holds it. */
    name: string;
    /**
     * Its schema. The kit answers -32602 when the value does not have the
     * schema's `type` (`integer`, `number`, `string`, `boolean`, `null`,
     * `array`, `object`, or a list of them); the rest is only published.
     */
    schema?: JsonSchema;
    /** Whether the kit answers -32602 when it is missing (default `true`). */
    required?: boolean;
    description?: string;
  }

  /** What `method` may know about a method besides its handler. */
  export interface MethodSpec {
    /**
     * The method's params by name, in positional order. With them, a call
     * with `[a, b]` reaches the handler as `{ a: …, b: … }` (an object stays
     * as it is, absent params are `{}`), and the kit checks `required` and
     * the schemas' `type`. A string is shorthand for `{ name }`. Without
     * them, the handler gets the params as given.
     */
    params?: (string | ParamSpec)[];
    /** The result, published by `rpc.discover`. */
    result?: { name?: string; schema?: JsonSchema };
    description?: string;
  }

  /** The request a handler is answering. */
  export interface CallInfo {
    /** The request's id, as the host sent it. */
    readonly id: string | number | null;
    readonly method: string;
  }

  /**
   * Answers a request. Its return value (or what its promise resolves to)
   * is the result; `undefined` is answered as `null`. Throwing an `RpcError`
   * answers with that error; throwing anything else answers -32603 with its
   * message (and logs it).
   */
  export type Handler<P = any, R = unknown> = (params: P, call: CallInfo) => R | Promise<R>;
}

/** Registers (or replaces) method `name`; the handler gets the params as given. */
declare function method<P = WasmiPlugin.Params | undefined, R = unknown>(
  name: string,
  handler: WasmiPlugin.Handler<P, R>,
): void;
/** Registers (or replaces) method `name`, described by `spec` (see `MethodSpec.params`). */
declare function method<P = any, R = unknown>(
  name: string,
  spec: WasmiPlugin.MethodSpec,
  handler: WasmiPlugin.Handler<P, R>,
): void;

/** The plugin's host: the methods the host application offers it. */
declare const host: {
  /**
   * Calls host method `name`, and resolves to its result or rejects with
   * an `RpcError` (the host's error; -32603 if the host closed stdin).
   * Params go on the wire as PROTOCOL.md §3 says: none for `undefined` or
   * `null`, `[x]` for a scalar `x`, arrays and objects as they are.
   * Several calls may be in flight at once (`Promise.all`).
   */
  call<R = unknown>(name: string, params?: unknown): Promise<R>;
  /** Sends notification `name`: a host call without an answer. */
  notify(name: string, params?: unknown): void;
};

/** An error with a JSON-RPC code: throw it from a handler to answer with it. */
declare class RpcError extends Error {
  /**
   * @param code an integer; use codes outside -32768..=-32000 for your own
   *   errors, and the constants below for the protocol's.
   * @param data anything JSON can hold, sent as the error's `data`.
   */
  constructor(code: number, message: string, data?: unknown);
  readonly code: number;
  readonly data?: unknown;
  /** -32602 with this message. */
  static invalidParams(message: string, data?: unknown): RpcError;
  /** -32603 with this message. */
  static internal(message: string, data?: unknown): RpcError;
  static readonly PARSE_ERROR: -32700;
  static readonly INVALID_REQUEST: -32600;
  static readonly METHOD_NOT_FOUND: -32601;
  static readonly INVALID_PARAMS: -32602;
  static readonly INTERNAL_ERROR: -32603;
}

/**
 * The log: each call writes `LEVEL target: message` lines to stderr
 * (PROTOCOL.md §5), one per line of the message. Arguments are joined with
 * spaces; objects are written as JSON, errors with their stack. The level
 * filter is the `PLUGIN_LOG` environment variable (`off`, `error`, `warn`,
 * `info` (the default), `debug`, `trace`), read when the plugin loads.
 */
interface Console {
  /** The target of every line; `"javascript"` unless the script sets it. */
  target: string;
  /** At INFO. */
  log(...data: any[]): void;
  info(...data: any[]): void;
  warn(...data: any[]): void;
  error(...data: any[]): void;
  debug(...data: any[]): void;
  trace(...data: any[]): void;
}
declare var console: Console;

/**
 * The low-level API: the next line of stdin without its newline, or `null`
 * at the end. For a script that defines `main()` and speaks the protocol
 * itself; not available while the script's top level runs at load.
 */
declare function readLine(): string | null;
/** The low-level API: writes `text` and a newline to stdout, and flushes. */
declare function writeLine(text: string): void;
