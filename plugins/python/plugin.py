"""The example plugin in Python (the contract of plugins/README.md), on the
kit in wasmi_plugin.py."""

import logging

from wasmi_plugin import INVALID_PARAMS, RpcError, host, method, run

log = logging.getLogger("python_plugin")

I64_MIN, I64_MAX = -(2**63), 2**63 - 1
MAX_LIMIT = 10_000_000


@method(raw=True)
def ping(_params):
    """Answers "pong" and logs one line."""
    log.info("ping")
    return "pong"


@method(raw=True)
def echo(params):
    """Answers its params unchanged (null when absent)."""
    return params


@method
def add(a: int, b: int) -> int:
    """a + b, both 64-bit signed integers."""
    total = a + b
    if not (I64_MIN <= a <= I64_MAX and I64_MIN <= b <= I64_MAX and I64_MIN <= total <= I64_MAX):
        raise RpcError(INVALID_PARAMS, "add: the sum overflows a 64-bit integer")
    return total


@method
def sieve(limit: int) -> int:
    """The number of primes <= limit (0 <= limit <= 10 000 000), from a byte-array sieve."""
    if not 0 <= limit <= MAX_LIMIT:
        raise RpcError(INVALID_PARAMS, f"sieve takes 0 <= limit <= {MAX_LIMIT}")
    if limit < 2:
        return 0
    composite = bytearray(limit + 1)
    composite[0] = composite[1] = 1
    i = 2
    while i * i <= limit:
        if not composite[i]:
            composite[i * i :: i] = b"\x01" * len(range(i * i, limit + 1, i))
        i += 1
    return composite.count(0)


@method
def echo_host(x):
    """Calls the host's host.echo with [x] and answers with its result."""
    return host.call("host.echo", [x])


if __name__ == "__main__":
    run()
