"""A plugin that exercises the Python kit (wasmi_plugin.py), driven by
tests/tests/python.rs. Built by plugins/python/build.sh into
OUT_DIR/python-tests/."""

import logging
import os
import random
from typing import Optional

import wasmi_plugin
from wasmi_plugin import TRACE, RpcError, host, method, run, set_info

log = logging.getLogger("kit_test")
set_info(title="kit test", version="1.2.3")


@method
def typed(i: int, f: float, s: str, b: bool, xs: list[int], d: dict[str, int], o: Optional[int] = None) -> dict:
    """Answers its params as the function received them."""
    return {"i": i, "f": f, "f_type": type(f).__name__, "s": s, "b": b, "xs": xs, "d": d, "o": o}


@method
def union(x: int | str | None) -> str:
    return type(x).__name__


@method
def total(xs: list[int]) -> int:
    """One list parameter: takes [1, 2, 3] as well as [[1, 2, 3]]."""
    return sum(xs)


@method
def keywords(a: int, *, b: int = 2) -> list:
    return [a, b]


@method
def fail(message: str):
    """An uncaught exception: -32603, the traceback in the log."""
    raise ValueError(message)


@method
def fail_rpc(code: int, message: str, data=None):
    raise RpcError(code, message, data)


@method
def not_json():
    return {1, 2}


@method
def notify(n: int) -> int:
    for i in range(n):
        host.notify("host.note", [i])
    return n


@method
def call_host(name: str, params=None):
    return host.call(name, params)


@method
def catch_host_error(name: str):
    try:
        host.call(name)
    except RpcError as e:
        return {"code": e.code, "message": e.message, "data": e.data}
    return None


@method
def log_levels():
    log.log(TRACE, "trace line")
    log.debug("debug line")
    log.info("info line")
    log.warning("warn line")
    log.error("error line\nsecond line")


@method
def say(text: str) -> str:
    print(text)
    return text


@method
def random_numbers() -> list:
    return [random.random() for _ in range(4)]


@method
def environ(key: str) -> Optional[str]:
    return os.environ.get(key)


@method
def handle_lines(lines: list[str]) -> list:
    """The kit's answers to raw lines (the host only ever sends valid requests)."""
    return [wasmi_plugin._handle(line.encode()) for line in lines]


if __name__ == "__main__":
    run()
