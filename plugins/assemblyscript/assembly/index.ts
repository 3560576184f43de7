// The example plugin in AssemblyScript: newline-delimited JSON-RPC 2.0 on
// stdin/stdout, one log line on stderr. `process` comes from
// @assemblyscript/wasi-shim (fd_read/fd_write); see plugins/README.md.
//
// Like the C plugin it never builds a JSON tree: a value is a Span (offset and
// length) of the input bytes, and the scanner skips values to find members.

const MAX_LIMIT: i64 = 10_000_000;
const CHUNK = 65536;

// ---- input: stdin bytes in one growing buffer; spans are offsets into it ----

let input = new ArrayBuffer(CHUNK * 2);
let pos = 0; // first unread byte
let end = 0; // end of the bytes read so far

// @ts-ignore: decorator
@inline function at(i: i32): u32 {
  return load<u8>(changetype<usize>(input) + <usize>i);
}

/** Reads more of stdin; returns the number of bytes (0 at EOF). */
function fill(): i32 {
  if (input.byteLength - end < CHUNK) {
    const bigger = new ArrayBuffer(input.byteLength * 2);
    memory.copy(changetype<usize>(bigger), changetype<usize>(input), <usize>end);
    input = bigger;
  }
  const n = process.stdin.read(input, end);
  end += n;
  return n;
}

class Span {
  constructor(public start: i32, public len: i32) {}
  get end(): i32 { return this.start + this.len; }
  first(): u32 { return this.len > 0 ? at(this.start) : 0; }
}

/** The next line without "\n" or "\r\n", or null at EOF. Earlier lines stay put. */
function readLine(): Span | null {
  let i = pos;
  while (true) {
    if (i < end) {
      if (at(i) == 10) break;
      i++;
    } else if (fill() == 0) {
      if (pos == end) return null;
      break;
    }
  }
  let line = new Span(pos, i - pos);
  pos = i < end ? i + 1 : i;
  if (line.len > 0 && at(line.end - 1) == 13) line.len--;
  return line;
}

/** Nothing refers to earlier lines any more: move the unread rest down. */
function compact(): void {
  const base = changetype<usize>(input);
  memory.copy(base, base + <usize>pos, <usize>(end - pos));
  end -= pos;
  pos = 0;
}

// ---- output: one message is built here and written with a single fd_write ----

class Out {
  buf: ArrayBuffer = new ArrayBuffer(256);
  len: i32 = 0;

  reserve(n: i32): usize {
    if (this.len + n > this.buf.byteLength) {
      const bigger = new ArrayBuffer(max(this.buf.byteLength * 2, this.len + n));
      memory.copy(changetype<usize>(bigger), changetype<usize>(this.buf), <usize>this.len);
      this.buf = bigger;
    }
    const p = changetype<usize>(this.buf) + <usize>this.len;
    this.len += n;
    return p;
  }

  /** ASCII text. */
  str(s: string): Out {
    const p = this.reserve(s.length);
    for (let i = 0; i < s.length; i++) store<u8>(p + <usize>i, <u8>s.charCodeAt(i));
    return this;
  }

  /** Raw input bytes (a JSON value as it arrived). */
  raw(v: Span): Out {
    const p = this.reserve(v.len);
    memory.copy(p, changetype<usize>(input) + <usize>v.start, <usize>v.len);
    return this;
  }

  int(v: i64): Out {
    return this.str(v.toString());
  }

  /** Writes the line to stdout (the host only sees complete lines). */
  send(): void {
    this.str("\n");
    process.stdout.write(this.buf.slice(0, this.len));
    this.len = 0;
  }
}

const out = new Out();

// ---- JSON scanning ----

function ws(p: i32, e: i32): i32 {
  while (p < e) {
    const c = at(p);
    if (c != 32 && c != 9 && c != 10 && c != 13) break;
    p++;
  }
  return p;
}

function isDigit(p: i32, e: i32): bool {
  return p < e && at(p) - 48 < 10;
}

function digits(p: i32, e: i32): i32 {
  while (isDigit(p, e)) p++;
  return p;
}

function word(p: i32, e: i32, w: string): i32 {
  if (e - p < w.length) return -1;
  for (let i = 0; i < w.length; i++) if (at(p + i) != <u32>w.charCodeAt(i)) return -1;
  return p + w.length;
}

function skipString(p: i32, e: i32): i32 {
  for (p++; p < e; p++) {
    const c = at(p);
    if (c == 34) return p + 1;
    if (c < 32) return -1;
    if (c == 92) {
      if (++p >= e) return -1;
      const x = at(p);
      if (x == 117) {
        for (let k = 0; k < 4; k++) {
          if (++p >= e) return -1;
          const h = at(p);
          if (!(h - 48 < 10 || (h | 32) - 97 < 6)) return -1;
        }
      } else if (x != 34 && x != 92 && x != 47 && x != 98 && x != 102 && x != 110 && x != 114 && x != 116) {
        return -1;
      }
    }
  }
  return -1;
}

function skipNumber(p: i32, e: i32): i32 {
  if (p < e && at(p) == 45) p++;
  if (!isDigit(p, e)) return -1;
  p = at(p) == 48 ? p + 1 : digits(p, e);
  if (p < e && at(p) == 46) {
    if (!isDigit(++p, e)) return -1;
    p = digits(p, e);
  }
  if (p < e && (at(p) | 32) == 101) {
    p++;
    if (p < e && (at(p) == 43 || at(p) == 45)) p++;
    if (!isDigit(p, e)) return -1;
    p = digits(p, e);
  }
  return p;
}

/** Skips one value (after whitespace); returns the offset after it, or -1 if invalid. */
function skip(p: i32, e: i32, depth: i32 = 0): i32 {
  p = ws(p, e);
  if (p >= e || depth > 128) return -1;
  const c = at(p);
  if (c == 34) return skipString(p, e);
  if (c == 116) return word(p, e, "true");
  if (c == 102) return word(p, e, "false");
  if (c == 110) return word(p, e, "null");
  if (c != 91 && c != 123) return skipNumber(p, e);
  const close = c + 2; // `[`+2 is `]`, `{`+2 is `}`
  p = ws(p + 1, e);
  if (p < e && at(p) == close) return p + 1;
  while (true) {
    if (c == 123) {
      p = ws(p, e);
      if (p >= e || at(p) != 34 || (p = skipString(p, e)) < 0) return -1;
      p = ws(p, e);
      if (p >= e || at(p) != 58) return -1;
      p++;
    }
    if ((p = skip(p, e, depth + 1)) < 0) return -1;
    p = ws(p, e);
    if (p >= e) return -1;
    if (at(p) == close) return p + 1;
    if (at(p) != 44) return -1;
    p++;
  }
}

/** The whole line as one JSON value, or null. */
function parse(line: Span): Span | null {
  const start = ws(line.start, line.end);
  const after = skip(start, line.end);
  if (after < 0 || ws(after, line.end) != line.end) return null;
  return new Span(start, after - start);
}

/** The member `key` of an object (raw key text), or null. */
function get(v: Span | null, key: string): Span | null {
  if (v == null || v.first() != 123) return null;
  const e = v.end;
  let p = ws(v.start + 1, e);
  while (p < e && at(p) == 34) {
    const k = p + 1;
    p = skipString(p, e);
    const found = p - 1 - k == key.length && word(k, e, key) >= 0;
    const vs = ws(ws(p, e) + 1, e); // past the colon
    const ve = skip(vs, e);
    if (found) return new Span(vs, ve - vs);
    p = ws(ve, e);
    if (at(p) == 44) p = ws(p + 1, e);
  }
  return null;
}

/** Element i of an array, or null; with i = -1 returns null and sets `count`. */
let count = 0;
function element(v: Span | null, i: i32): Span | null {
  count = -1;
  if (v == null || v.first() != 91) return null;
  const e = v.end;
  let p = ws(v.start + 1, e);
  count = 0;
  if (at(p) == 93) return null;
  while (true) {
    const vs = ws(p, e);
    const ve = skip(vs, e);
    if (count == i) return new Span(vs, ve - vs);
    count++;
    p = ws(ve, e);
    if (at(p) != 44) return null;
    p++;
  }
}

function length(v: Span | null): i32 {
  element(v, -1);
  return count;
}

/** An integer (no fraction or exponent) that fits an i64; sets `ok`. */
let ok = false;
function int(v: Span | null): i64 {
  ok = false;
  if (v == null) return 0;
  let p = v.start;
  const e = v.end;
  const neg = p < e && at(p) == 45;
  if (neg) p++;
  if (p >= e) return 0;
  let mag: u64 = 0;
  for (; p < e; p++) {
    if (!isDigit(p, e)) return 0;
    const d = <u64>(at(p) - 48);
    if (mag > (<u64>0x8000000000000000 - d) / 10) return 0;
    mag = mag * 10 + d;
  }
  if (!neg && mag == <u64>0x8000000000000000) return 0;
  ok = true;
  return neg ? -(<i64>mag) : <i64>mag;
}

/** Whether v is the string s (raw text between the quotes). */
function is(v: Span, s: string): bool {
  return v.len == s.length + 2 && word(v.start + 1, v.end, s) >= 0;
}

// ---- methods ----

let nextHostId: i64 = 1;
let composite = new Uint8Array(0);

function result(id: Span): Out {
  return out.str('{"jsonrpc":"2.0","id":').raw(id).str(',"result":');
}

function error(id: Span | null, code: i32, message: string, detail: Span | null = null): void {
  out.str('{"jsonrpc":"2.0","id":');
  if (id == null) out.str("null"); else out.raw(id);
  out.str(',"error":{"code":').int(code).str(',"message":"').str(message);
  if (detail != null) out.raw(detail);
  out.str('"}}').send();
}

function sieve(limit: i32): i64 {
  if (composite.length < limit + 1) composite = new Uint8Array(limit + 1);
  else composite.fill(0, 0, limit + 1);
  for (let i = 2; i * i <= limit; i++) {
    if (composite[i]) continue;
    for (let j = i * i; j <= limit; j += i) composite[j] = 1;
  }
  let primes: i64 = 0;
  for (let i = 2; i <= limit; i++) if (!composite[i]) primes++;
  return primes;
}

/** Sends host.echo with our own id, waits for its answer and forwards it. */
function echoHost(id: Span, params: Span): void {
  const own = nextHostId++;
  out.str('{"jsonrpc":"2.0","id":').int(own).str(',"method":"host.echo","params":').raw(params).str("}").send();
  let line: Span | null;
  while ((line = readLine()) != null) {
    const msg = parse(line);
    const got = int(get(msg, "id"));
    if (!ok || got != own) continue; // not the answer to our request
    const err = get(msg, "error");
    if (err != null) {
      out.str('{"jsonrpc":"2.0","id":').raw(id).str(',"error":').raw(err).str("}").send();
    } else {
      const res = get(msg, "result");
      if (res != null) result(id).raw(res).str("}").send();
      else result(id).str("null}").send();
    }
    return;
  }
  error(id, -32603, "the host did not answer host.echo");
}

function handle(id: Span, method: Span, params: Span | null): void {
  if (is(method, "ping")) {
    process.stderr.write("INFO assemblyscript_plugin: ping\n");
    result(id).str('"pong"}').send();
  } else if (is(method, "echo")) {
    if (params != null) result(id).raw(params).str("}").send();
    else result(id).str("null}").send();
  } else if (is(method, "add")) {
    let a = get(params, "a"), b = get(params, "b");
    if (a == null || b == null) {
      if (length(params) != 2) return error(id, -32602, "add takes {a, b} or [a, b] (integers)");
      a = element(params, 0);
      b = element(params, 1);
    }
    const x = int(a);
    if (!ok) return error(id, -32602, "add takes {a, b} or [a, b] (integers)");
    const y = int(b);
    if (!ok) return error(id, -32602, "add takes {a, b} or [a, b] (integers)");
    const sum = x + y;
    if (((x ^ sum) & (y ^ sum)) < 0) return error(id, -32602, "add: the sum overflows");
    result(id).int(sum).str("}").send();
  } else if (is(method, "sieve")) {
    const limit = int(length(params) == 1 ? element(params, 0) : get(params, "limit"));
    if (!ok || limit < 0 || limit > MAX_LIMIT) {
      return error(id, -32602, "sieve takes [limit] with 0 <= limit <= 10000000");
    }
    result(id).int(sieve(<i32>limit)).str("}").send();
  } else if (is(method, "echo_host")) {
    if (length(params) != 1) return error(id, -32602, "echo_host takes [x]");
    echoHost(id, params!);
  } else {
    error(id, -32601, "method not found: ", new Span(method.start + 1, method.len - 2));
  }
}

// The request loop, run by _start (the wasi-shim's asconfig exports it).
while (true) {
  compact();
  const line = readLine();
  if (line == null) break;
  if (line.len == 0) continue;
  const msg = parse(line);
  if (msg == null) {
    error(null, -32700, "parse error");
    continue;
  }
  const id = get(msg, "id");
  const method = get(msg, "method");
  if (method == null || method.first() != 34) {
    // A stray response is ignored; anything else is not a request.
    if (get(msg, "result") == null && get(msg, "error") == null) error(null, -32600, "invalid request");
    continue;
  }
  if (id != null) handle(id, method, get(msg, "params")); // notifications get no answer
}
