"""The Python plugin kit: JSON-RPC 2.0 over stdin/stdout (PROTOCOL.md).

Register functions as methods; the kit reads requests line by line, maps
their params onto the function's parameters (checking them against the
annotations), and answers with the return value or an error::

    import logging
    from wasmi_plugin import RpcError, host, method

    log = logging.getLogger("greeter")

    @method
    def greet(name: str, times: int = 1) -> str:
        log.info("greeting %s", name)
        return " ".join([f"hello {name}"] * times)

    @method
    def now() -> int:
        return host.call("host.time")

Plain Python, no dependencies. Under wasmi-hdk the reactor imports this
kit and the plugin once, the host snapshots the interpreter, and every
request starts from that snapshot (plugins/python/README.md). Run natively,
``if __name__ == "__main__": wasmi_plugin.run()`` serves stdin the same way.
"""

import gc
import json
import logging
import os
import sys
import types

try:
    import _wasmi  # the reactor's own module (reactor.c)
except ImportError:  # run natively
    _wasmi = None

__all__ = [
    "RpcError",
    "host",
    "method",
    "run",
    "set_info",
    "TRACE",
    "PARSE_ERROR",
    "INVALID_REQUEST",
    "METHOD_NOT_FOUND",
    "INVALID_PARAMS",
    "INTERNAL_ERROR",
]

# The JSON-RPC codes of PROTOCOL.md §4.
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603

#: The level below DEBUG that PROTOCOL.md §5 calls TRACE.
TRACE = 5
logging.addLevelName(TRACE, "TRACE")


class RpcError(Exception):
    """A JSON-RPC error: raise it from a method to answer with it; host.call
    raises it when the host answers with an error."""

    def __init__(self, code, message, data=None):
        super().__init__(message)
        self.code = int(code)
        self.message = str(message)
        self.data = data

    def __repr__(self):
        return f"RpcError({self.code}, {self.message!r}, {self.data!r})"

    def _to_json(self):
        error = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error


# --- wire ---------------------------------------------------------------------


def _write(fd, data):
    """Writes all of ``data`` to ``fd`` (WASI may take part of a write)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _send(message):
    _write(1, _encode(message) + b"\n")


_encoder = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)
_ascii_encoder = json.JSONEncoder(separators=(",", ":"), allow_nan=False)


def _encode(message):
    """A message as compact UTF-8 JSON."""
    try:
        return _encoder.encode(message).encode()
    except UnicodeEncodeError:  # a lone surrogate ("\ud800" came in): escape it
        return _ascii_encoder.encode(message).encode()


class _Lines:
    """stdin, line by line (the request, then the answers to host calls)."""

    def __init__(self):
        self._buffer = b""
        self._eof = False

    def next(self):
        """The next non-blank line without its line end, or None at EOF."""
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0:
                line, self._buffer = self._buffer[:end], self._buffer[end + 1 :]
                if line.strip():
                    return line.rstrip(b"\r")
                continue
            if self._eof:
                line, self._buffer = self._buffer, b""
                return line if line.strip() else None
            # Read up to the next line end; joined once, so a long line costs
            # its length, not its length squared.
            parts = [self._buffer]
            while True:
                chunk = os.read(0, 65536)
                if not chunk:
                    self._eof = True
                    break
                parts.append(chunk)
                if b"\n" in chunk:
                    break
            self._buffer = b"".join(parts)


_stdin = _Lines()


def _response(id, result=None, error=None):
    if error is not None:
        return {"jsonrpc": "2.0", "id": id, "error": error._to_json()}
    return {"jsonrpc": "2.0", "id": id, "result": result}


# --- host calls ------------------------------------------------------------------


def _params_json(params):
    """PROTOCOL.md §3: none -> absent, a list or dict as it is, a scalar -> [x]."""
    if params is None:
        return None
    if isinstance(params, (list, dict)):
        return params
    if isinstance(params, tuple):
        return list(params)
    return [params]


class Host:
    """Calls into the host. ``host`` is the one instance."""

    def __init__(self):
        self._next_id = 1

    def call(self, method, params=None):
        """Calls host method ``method`` and returns its result.

        ``params``: None (sent as absent), a list or tuple, a dict, or one
        value (sent as ``[value]``). Raises RpcError with the host's error,
        or with -32603 if stdin ends before the answer."""
        own = self._next_id
        self._next_id += 1
        request = {"jsonrpc": "2.0", "id": own, "method": str(method)}
        params = _params_json(params)
        if params is not None:
            request["params"] = params
        _send(request)
        while True:
            line = _stdin.next()
            if line is None:
                raise RpcError(INTERNAL_ERROR, f"the host did not answer {method}")
            try:
                message = json.loads(line.decode())
            except (ValueError, RecursionError):
                continue
            if not isinstance(message, dict) or "method" in message:
                continue
            answer_id = message.get("id")
            if type(answer_id) is not int or answer_id != own:
                continue  # not the answer to this call
            if "error" in message:
                error = message["error"] if isinstance(message["error"], dict) else {}
                raise RpcError(
                    error.get("code", INTERNAL_ERROR),
                    error.get("message", "the host failed"),
                    error.get("data"),
                )
            return message.get("result")

    def notify(self, method, params=None):
        """Sends a notification (no answer; the host handles it before the
        call returns)."""
        notification = {"jsonrpc": "2.0", "method": str(method)}
        params = _params_json(params)
        if params is not None:
            notification["params"] = params
        _send(notification)


host = Host()


# --- methods -----------------------------------------------------------------------

_methods = {}
_info = {"title": "python plugin", "version": "0.0.0"}
_EMPTY = object()


def set_info(title=None, version=None):
    """Sets the ``info`` of the plugin's rpc.discover answer."""
    if title is not None:
        _info["title"] = str(title)
    if version is not None:
        _info["version"] = str(version)


class _ParamError(Exception):
    pass


class _Param:
    __slots__ = ("name", "annotation", "default", "kind")

    def __init__(self, name, annotation, default, kind):
        self.name = name
        self.annotation = annotation
        self.default = default
        self.kind = kind  # "positional_only", "positional", "keyword_only"

    @property
    def required(self):
        return self.default is _EMPTY


class _Method:
    def __init__(self, name, func, raw):
        self.name = name
        self.func = func
        self.raw = raw
        self._resolved = False
        code = func.__code__
        names = code.co_varnames
        positional = code.co_argcount
        keyword_only = code.co_kwonlyargcount
        defaults = func.__defaults__ or ()
        kwdefaults = func.__kwdefaults__ or {}
        self.params = []
        first_default = positional - len(defaults)
        for i in range(positional):
            kind = "positional_only" if i < code.co_posonlyargcount else "positional"
            default = defaults[i - first_default] if i >= first_default else _EMPTY
            self.params.append(_Param(names[i], _EMPTY, default, kind))
        for name in names[positional : positional + keyword_only]:
            self.params.append(_Param(name, _EMPTY, kwdefaults.get(name, _EMPTY), "keyword_only"))
        self.varargs = bool(code.co_flags & 0x04)
        self.varkw = bool(code.co_flags & 0x08)
        self.result = _EMPTY
        self.description = (func.__doc__ or "").strip()

    def _resolve(self):
        """Annotations, with string ones (``from __future__ import
        annotations``) evaluated in the function's module."""
        if self._resolved:
            return
        annotations = getattr(self.func, "__annotations__", None) or {}
        scope = getattr(self.func, "__globals__", {})

        def resolve(annotation):
            if isinstance(annotation, str):
                try:
                    return eval(annotation, scope)  # noqa: S307 (the plugin's own code)
                except Exception:
                    return _EMPTY
            return annotation

        for param in self.params:
            param.annotation = resolve(annotations.get(param.name, _EMPTY))
        self.result = resolve(annotations.get("return", _EMPTY))
        self._resolved = True

    def call(self, params):
        if self.raw:
            return self.func(params)
        self._resolve()
        args, kwargs = self._bind(params)
        return self.func(*args, **kwargs)

    def _bind(self, params):
        """Maps the request's params onto the function's parameters."""
        if len(self.params) == 1 and not self.varargs and not self.varkw:
            # PROTOCOL.md §3: one list (dict) parameter takes the whole array
            # (object) too, unless the object names the parameter.
            only = self.params[0]
            if _takes_whole(only.annotation, params) and not (
                isinstance(params, dict) and set(params) == {only.name}
            ):
                try:
                    return self._arguments({only.name: _check(params, only.annotation, only.name)})
                except _ParamError:
                    if not (isinstance(params, list) and len(params) == 1):
                        raise
        if params is None:
            return self._arguments({})
        if isinstance(params, list):
            positional = [p for p in self.params if p.kind != "keyword_only"]
            if len(params) > len(positional) and not self.varargs:
                most = len(positional)
                raise _ParamError(f"takes at most {most} param{'' if most == 1 else 's'}, got {len(params)}")
            values = {}
            for param, value in zip(positional, params):
                values[param.name] = _check(value, param.annotation, param.name)
            return self._arguments(values, params[len(positional) :])
        # An object: by name.
        known = {p.name: p for p in self.params}
        values = {}
        extra_kw = {}
        for key, value in params.items():
            param = known.get(key)
            if param is None:
                if not self.varkw:
                    raise _ParamError(f"unknown param {key!r}")
                extra_kw[key] = value
            else:
                values[key] = _check(value, param.annotation, key)
        return self._arguments(values, (), extra_kw)

    def _arguments(self, values, extra=(), extra_kw=None):
        args = []
        kwargs = dict(extra_kw or {})
        missing = []
        for param in self.params:
            if param.name in values:
                value = values[param.name]
            elif param.required:
                missing.append(param.name)
                continue
            else:
                value = param.default
            if param.kind == "keyword_only":
                kwargs[param.name] = value
            else:
                args.append(value)
        if missing:
            raise _ParamError("missing " + ", ".join(repr(m) for m in missing))
        if extra:
            args.extend(extra)
        return args, kwargs

    def describe(self):
        self._resolve()
        entry = {"name": self.name, "params": []}
        if self.description:
            entry["description"] = self.description
        if not self.raw:
            entry["params"] = [{"name": "params", "schema": self._params_schema()}]
            if self.result is not _EMPTY:
                entry["result"] = {"name": "result", "schema": _schema(self.result)}
        return entry

    def _params_schema(self):
        positional = [p for p in self.params if p.kind != "keyword_only"]
        properties = {p.name: _schema(p.annotation) for p in self.params}
        required = [p.name for p in self.params if p.required]
        by_name = {"type": "object", "properties": properties}
        if required:
            by_name["required"] = required
        if not self.varkw:
            by_name["additionalProperties"] = False
        by_position = {
            "type": "array",
            "prefixItems": [_schema(p.annotation) for p in positional],
            "minItems": sum(1 for p in positional if p.required),
        }
        if not self.varargs:
            by_position["maxItems"] = len(positional)
        return {"anyOf": [by_position, by_name]}


def _takes_whole(annotation, params):
    """Whether a parameter annotated ``annotation`` may take the whole
    params: a list for a list (or tuple), a dict for a dict."""
    origin = _origin(annotation)
    if origin is _UNION:
        return any(_takes_whole(member, params) for member in _args(annotation))
    if isinstance(params, list):
        return origin in (list, tuple)
    return isinstance(params, dict) and origin is dict


_UNION = object()


def _origin(annotation):
    """list for list / list[int] / typing.List[int], _UNION for a union, the
    class itself otherwise."""
    if isinstance(annotation, types.UnionType):
        return _UNION
    origin = getattr(annotation, "__origin__", None)
    if origin is not None:
        if getattr(origin, "_name", None) == "Union" or repr(origin) == "typing.Union":
            return _UNION
        return origin
    return annotation


def _args(annotation):
    return getattr(annotation, "__args__", ()) or ()


def _type_name(annotation):
    if annotation is None or annotation is type(None):
        return "None"
    if isinstance(annotation, type) and not _args(annotation):
        return annotation.__name__
    text = repr(annotation)
    return text.replace("typing.", "")


def _value_kind(value):
    if value is None:
        return "null"
    return type(value).__name__


def _check(value, annotation, path):
    """``value`` if it fits ``annotation`` (an int for a float becomes a
    float); raises _ParamError naming ``path`` otherwise."""
    if annotation is _EMPTY or annotation is object or _is_any(annotation):
        return value
    if annotation is None or annotation is type(None):
        if value is None:
            return None
        raise _ParamError(f"{path}: expected None, got {_value_kind(value)}")
    origin = _origin(annotation)
    if origin is _UNION:
        for member in _args(annotation):
            try:
                return _check(value, member, path)
            except _ParamError:
                pass
        raise _ParamError(
            f"{path}: expected {_type_name(annotation)}, got {_value_kind(value)}"
        )
    if origin is bool:
        if isinstance(value, bool):
            return value
    elif origin is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif origin is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            try:
                return float(value)
            except OverflowError:
                raise _ParamError(f"{path}: {value} is too large for a float") from None
    elif origin is str:
        if isinstance(value, str):
            return value
    elif origin in (list, tuple):
        if isinstance(value, list):
            items = _args(annotation)
            if origin is list and len(items) == 1:
                value = [_check(v, items[0], f"{path}[{i}]") for i, v in enumerate(value)]
            elif origin is tuple and items:
                if len(items) == 2 and items[1] is Ellipsis:
                    value = [_check(v, items[0], f"{path}[{i}]") for i, v in enumerate(value)]
                elif len(items) != len(value):
                    raise _ParamError(f"{path}: expected {len(items)} items, got {len(value)}")
                else:
                    value = [_check(v, t, f"{path}[{i}]") for i, (v, t) in enumerate(zip(value, items))]
            return tuple(value) if origin is tuple else value
    elif origin is dict:
        if isinstance(value, dict):
            items = _args(annotation)
            if len(items) == 2:
                value = {k: _check(v, items[1], f"{path}.{k}") for k, v in value.items()}
            return value
    elif isinstance(origin, type):
        if isinstance(value, origin):
            return value
    else:
        return value  # an annotation the kit does not understand: no check
    raise _ParamError(f"{path}: expected {_type_name(annotation)}, got {_value_kind(value)}")


def _is_any(annotation):
    return repr(annotation) == "typing.Any"


_JSON_TYPES = {
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
    list: "array",
    tuple: "array",
    dict: "object",
}


def _schema(annotation):
    """The JSON Schema an annotation stands for ({} for anything)."""
    if annotation is _EMPTY or annotation is object or _is_any(annotation):
        return {}
    if annotation is None or annotation is type(None):
        return {"type": "null"}
    origin = _origin(annotation)
    if origin is _UNION:
        return {"anyOf": [_schema(member) for member in _args(annotation)]}
    kind = _JSON_TYPES.get(origin)
    if kind is None:
        return {}
    schema = {"type": kind}
    items = _args(annotation)
    if origin is list and len(items) == 1:
        schema["items"] = _schema(items[0])
    elif origin is dict and len(items) == 2:
        schema["additionalProperties"] = _schema(items[1])
    return schema


def method(func=None, *, name=None, raw=False):
    """Registers a function as a method (by default under its own name).

    ``@method``, ``@method("name")`` or ``@method(name="x", raw=True)``. A
    plain method gets the request's params mapped onto its parameters: an
    array by position, an object by name, nothing for absent params; a
    function with one list (or dict) parameter also takes the whole array
    (or object). Params that do not fit the annotations (int, float, str,
    bool, list[T], dict[str, T], T | None, Optional[T], Any) answer -32602.
    A ``raw`` method gets the params as they came (None when absent)."""
    if isinstance(func, str):
        name, func = func, None

    def register(f):
        method_name = name or f.__name__
        _methods[method_name] = _Method(method_name, f, raw)
        return f

    return register(func) if func is not None else register


def _discover():
    return {
        "openrpc": "1.2.6",
        "info": dict(_info),
        "methods": [m.describe() for m in _methods.values()],
    }


# --- logging -------------------------------------------------------------------

_LEVELS = {"off": logging.CRITICAL + 10, "error": logging.ERROR, "warn": logging.WARNING,
           "info": logging.INFO, "debug": logging.DEBUG, "trace": TRACE}


def _level_prefix(levelno):
    if levelno >= logging.ERROR:
        return "ERROR"
    if levelno >= logging.WARNING:
        return "WARN"
    if levelno >= logging.INFO:
        return "INFO"
    if levelno >= logging.DEBUG:
        return "DEBUG"
    return "TRACE"


class _StderrHandler(logging.Handler):
    """Writes records as PROTOCOL.md §5 lines: ``LEVEL target: message``,
    the logger's name as the target, every line of the message prefixed."""

    muted = False  # while warming up

    def emit(self, record):
        try:
            text = self.format(record)
            level = _level_prefix(record.levelno)
            target = "".join("_" if c.isspace() else c for c in record.name) or "python"
            if target == "root":
                target = "python"
            out = "".join(f"{level} {target}: {line}\n" for line in text.split("\n"))
            if not self.muted:
                _write(2, out.encode("utf-8", "replace"))
        except Exception:
            self.handleError(record)


def _setup_logging():
    # What the handler never shows, and would cost every record its
    # caller's frame, thread and process (the logging HOWTO's
    # "Optimization"): a record has no filename, lineno or funcName.
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    global _handler
    _handler = handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    root.addHandler(handler)
    _apply_log_level()


def _apply_log_level():
    global _log_setting
    setting = os.environ.get("PLUGIN_LOG", "info")
    if setting != _log_setting:
        level = _LEVELS.get(setting.strip().lower(), logging.INFO)
        logging.getLogger().setLevel(level)
        _log_setting = setting


_log = logging.getLogger("wasmi_plugin")


# --- serving -------------------------------------------------------------------


def _handle(line):
    """The response to one line, or None (notifications, stray responses)."""
    try:
        message = json.loads(line.decode())
    except (ValueError, RecursionError) as e:
        return _response(None, error=RpcError(PARSE_ERROR, f"parse error: {e}"))
    if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
        return _response(None, error=RpcError(INVALID_REQUEST, "invalid request"))
    if "method" not in message:
        if "id" in message and ("result" in message or "error" in message):
            return None  # a stray response: nobody asked
        return _response(None, error=RpcError(INVALID_REQUEST, "invalid request"))
    name = message["method"]
    id = message.get("id", _EMPTY)
    params = message.get("params")
    if (
        not isinstance(name, str)
        or (id is not _EMPTY and (isinstance(id, bool) or not isinstance(id, (int, str))))
        or not (params is None or isinstance(params, (list, dict)))
    ):
        return _response(None, error=RpcError(INVALID_REQUEST, "invalid request"))
    if id is _EMPTY:
        return None  # a notification: no answer
    return _response_for(id, name, params)


def _response_for(id, name, params):
    registered = _methods.get(name)
    try:
        if registered is not None:
            result = registered.call(params)
        elif name == "rpc.discover":
            result = _discover()
        else:
            raise RpcError(METHOD_NOT_FOUND, f"method not found: {name}")
    except RpcError as e:
        return _response(id, error=e)
    except _ParamError as e:
        return _response(id, error=RpcError(INVALID_PARAMS, f"invalid params for {name}: {e}"))
    except Exception as e:
        _log.error("%s failed\n%s", name, _traceback(e).rstrip("\n"))
        text = str(e)
        return _response(
            id, error=RpcError(INTERNAL_ERROR, f"{type(e).__name__}: {text}" if text else type(e).__name__)
        )
    return _response(id, result)


def _encoded(response):
    """A response as its line; one whose result is not JSON becomes -32603."""
    try:
        return _encode(response) + b"\n"
    except (TypeError, ValueError, RecursionError) as e:
        error = RpcError(INTERNAL_ERROR, f"the result is not JSON: {e}")
        return _encode(_response(response.get("id"), error=error)) + b"\n"


def _traceback(error):
    """The traceback of ``error`` from the plugin's frames on (the kit's own
    frames left out)."""
    import traceback  # logging imports it anyway

    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(error), error, tb or error.__traceback__))


# What the instance's environment was when last looked at: at first the
# snapshot's (the build's), then the request's.
_environ = None
_log_setting = None


def _new_request():
    """What must differ between requests although they start from one snapshot."""
    global _environ
    if _wasmi is not None:
        environ = _wasmi.environ()
        if environ != _environ:
            data = os.environ._data
            data.clear()
            for key, value in environ.items():
                data[os.environ.encodekey(key)] = os.environ.encodevalue(value)
            _environ = environ
    _apply_log_level()
    random = sys.modules.get("random")
    if random is not None:
        random.seed()


def _serve():
    """Answers requests from stdin until it ends."""
    _new_request()
    while True:
        line = _stdin.next()
        if line is None:
            return
        response = _handle(line)
        if response is not None:
            _write(1, _encoded(response))


def run():
    """Serves stdin: call it at the end of a plugin run as a program
    (``python3 plugin.py < requests``). Under wasmi-hdk the reactor serves."""
    _serve()


def _preinitialize():
    """The reactor's initialiser: imports the plugin, then tidies the heap
    for the snapshot."""
    __import__(os.environ.get("PYTHON_PLUGIN_MODULE") or "plugin")
    for name in os.environ.get("PYTHON_PLUGIN_PRELOAD", "").replace(",", " ").split():
        __import__(name)
    if os.environ.get("WASMI_PYTHON_TRACE"):
        for module in sorted(sys.modules.values(), key=lambda m: getattr(m, "__name__", "")):
            path = getattr(module, "__file__", None)
            if path:
                _write(2, f"INFO wasmi_plugin: wasmi-python-module {path}\n".encode())
    global _environ
    _environ = _wasmi.environ() if _wasmi is not None else None
    _warm_up()
    gc.collect()
    gc.freeze()


def _warm_up():
    """Runs the kit's own path of a request (read, parse, dispatch, answer,
    log) often enough for CPython to specialise its bytecode, without
    running a plugin method or writing anything: the snapshot keeps the
    specialised code, so requests start warm."""
    line = b'{"jsonrpc":"2.0","id":1,"method":"wasmi_plugin.warm_up","params":[1,{"a":"b"}]}'
    log = logging.getLogger("wasmi_plugin.warm_up")
    _handler.muted = True
    try:
        for _ in range(32):
            _stdin._buffer = line + b"\n"
            _encoded(_handle(_stdin.next()))
            _encoded(_response(1, {"a": [1, 2.5, "x", None, True]}))
            log.warning("warming up %s", 1)
    finally:
        _handler.muted = False
        _stdin._buffer = b""


_setup_logging()
# print() in a plugin goes to the log (stderr), never onto the protocol's stdout.
sys.stdout = sys.stderr
