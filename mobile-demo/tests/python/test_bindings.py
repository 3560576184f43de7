"""The generated Python bindings, driven against the Linux build of the crate.

The same interface Swift and Kotlin get: load a plugin, call it (async),
host methods implemented here in Python, log lines, limits, typed errors.

Run by `mobile-demo/test.sh`, which generates `wasmi_mobile.py` next to
`libwasmi_mobile.so` and puts that directory on PYTHONPATH.
"""

import asyncio
import io
import json
import gc
import sys
import tarfile
import tempfile
import time
import unittest

from wasmi_mobile import (
    CallOptions,
    CancelToken,
    FilesEntry,
    HostMethodError,
    HostMethods,
    LogHandler,
    LogLevel,
    PluginConfig,
    PluginError,
    PluginLimits,
    Plugin,
    Store,
    StoreError,
    default_limits,
    embedded_files_plugin,
    embedded_misbehaving_plugin,
    embedded_test_plugin,
    library_version,
    plugin_namespace,
)

# Every test's coroutine runs under this timeout, so a hang fails fast.
TEST_TIMEOUT_S = 60


def run(coroutine):
    """Runs `coroutine` on a fresh event loop, failing after TEST_TIMEOUT_S."""
    return asyncio.run(asyncio.wait_for(coroutine, TEST_TIMEOUT_S))


class PyHost(HostMethods):
    """Host methods written in Python (async, as the bindings require)."""

    def __init__(self):
        self.calls = []

    async def call(self, plugin, method, params_json):
        self.calls.append((plugin, method, params_json))
        if method == "host.echo":
            return params_json if params_json is not None else "null"
        if method == "host.slow":
            # A slow host method: the plugin waits, the event loop does not.
            await asyncio.sleep(0.3)
            return json.dumps({"slept_ms": 300, "plugin": plugin})
        if method == "host.fail":
            raise HostMethodError.Failed(4242, "python says no", json.dumps({"why": "test"}))
        if method == "host.bad_params":
            raise HostMethodError.InvalidParams("expected a number")
        if method == "host.crash":
            raise ValueError("an exception the bindings do not know")
        if method == "host.not_json":
            return "{this is not json"
        raise HostMethodError.NotFound()


class Collect(LogHandler):
    """Keeps every log line."""

    def __init__(self):
        self.lines = []

    def on_log(self, line):
        self.lines.append(line)


async def ticking(coroutine, period_s=0.01):
    """Awaits `coroutine` while a second task ticks on the same event loop.

    Returns (result, ticks): many ticks mean the loop stayed free while the
    call waited.
    """
    ticks = 0
    done = asyncio.Event()

    async def ticker():
        nonlocal ticks
        while not done.is_set():
            await asyncio.sleep(period_s)
            ticks += 1

    task = asyncio.create_task(ticker())
    try:
        result = await coroutine
    finally:
        done.set()
        await task
    return result, ticks


def test_plugin(**config):
    config.setdefault("name", "py")
    config.setdefault("limits", PluginLimits(timeout=20_000))
    return Plugin(embedded_test_plugin(), PluginConfig(**config))


class LoadAndCall(unittest.TestCase):
    def test_sieve(self):
        plugin = test_plugin()
        self.assertEqual(plugin.name(), "py")
        self.assertEqual(run(plugin.call("sieve", "[100000]")), "9592")
        self.assertEqual(run(plugin.call("ping")), '"pong"')
        self.assertEqual(json.loads(run(plugin.call("add", '{"a": 2, "b": 40}'))), 42)
        self.assertEqual(json.loads(run(plugin.call("echo", '{"k": [1, "x"]}'))), {"k": [1, "x"]})

    def test_concurrent_calls_on_one_plugin(self):
        plugin = test_plugin()

        async def many():
            return await asyncio.gather(*(plugin.call("sieve", json.dumps([n])) for n in (10, 100, 1000, 10000)))

        self.assertEqual(run(many()), ["4", "25", "168", "1229"])

    def test_env_and_args_reach_the_plugin(self):
        plugin = test_plugin(env={"GREETING": "hi"}, args=["--flag"])
        env = json.loads(run(plugin.call("env")))
        self.assertEqual(env["args"], ["py", "--flag"])
        self.assertEqual(env["env"], {"GREETING": "hi"})

    def test_call_with_reports(self):
        plugin = test_plugin(host=PyHost())
        result = run(plugin.call_with("many_echo", "[3]"))
        self.assertEqual(result.result_json, "3")
        self.assertEqual(result.report.host_calls, 3)
        self.assertGreater(result.report.fuel_consumed, 0)
        self.assertGreater(result.report.peak_memory, 0)
        self.assertGreater(result.report.bytes_out, 0)

    def test_library_version(self):
        self.assertRegex(library_version(), r"^\d+\.\d+\.\d+")


class HostCallbacks(unittest.TestCase):
    def test_many_echo_calls_python(self):
        host = PyHost()
        plugin = test_plugin(host=host)
        self.assertEqual(run(plugin.call("many_echo", "[20]")), "20")
        self.assertEqual(len(host.calls), 20)
        self.assertEqual(host.calls[0], ("py", "host.echo", "[0]"))
        self.assertEqual(host.calls[19], ("py", "host.echo", "[19]"))

    def test_concurrent_host_calls(self):
        plugin = test_plugin(host=PyHost())
        self.assertEqual(json.loads(run(plugin.call("concurrent", "[5]"))), [[0], [1], [2], [3], [4]])

    def test_slow_host_method_does_not_block_the_loop(self):
        plugin = test_plugin(host=PyHost())
        start = time.monotonic()
        result, ticks = run(ticking(plugin.call("call_host", '{"method": "host.slow"}')))
        elapsed = time.monotonic() - start
        self.assertEqual(json.loads(result), {"slept_ms": 300, "plugin": "py"})
        self.assertGreaterEqual(elapsed, 0.3)
        # ~30 ticks of 10 ms fit in 300 ms; allow for a loaded machine.
        self.assertGreaterEqual(ticks, 10, "the event loop was blocked")

    def test_host_errors_reach_the_plugin(self):
        plugin = test_plugin(host=PyHost())

        def host_error(method):
            with self.assertRaises(PluginError.Rpc) as caught:
                run(plugin.call("call_host", json.dumps({"method": method})))
            return caught.exception

        failed = host_error("host.fail")
        self.assertEqual(failed.code, 4242)
        self.assertEqual(failed.reason, "python says no")
        self.assertEqual(json.loads(failed.data_json), {"why": "test"})
        self.assertEqual(host_error("host.bad_params").code, -32602)
        missing = host_error("host.nope")
        self.assertEqual(missing.code, -32601)
        self.assertIn("host.nope", missing.reason)
        print("\n(expected: UniFFI prints the traceback of the next, unexpected exception)", file=sys.stderr)
        crash = host_error("host.crash")
        self.assertEqual(crash.code, -32603)
        self.assertIn("an exception the bindings do not know", crash.reason)
        self.assertEqual(host_error("host.not_json").code, -32603)

    def test_without_host_every_host_call_is_unknown(self):
        plugin = test_plugin()
        with self.assertRaises(PluginError.Rpc) as caught:
            run(plugin.call("many_echo", "[1]"))
        self.assertEqual(caught.exception.code, -32601)


class Waiting(unittest.TestCase):
    def test_sleep_in_the_plugin_costs_no_cpu_and_frees_the_loop(self):
        plugin = test_plugin()
        cpu = time.process_time()
        start = time.monotonic()
        result, ticks = run(ticking(plugin.call("sleep", "[500]")))
        elapsed = time.monotonic() - start
        cpu = time.process_time() - cpu
        self.assertGreaterEqual(int(result), 500)
        self.assertGreaterEqual(elapsed, 0.5)
        self.assertGreaterEqual(ticks, 15, "the event loop was blocked")
        # Ticking costs a little; a spinning wait would cost ~0.5 s.
        self.assertLess(cpu, 0.25, f"sleeping used {cpu:.3f} s of CPU")

    def test_cancel_token_stops_a_sleeping_call(self):
        plugin = test_plugin()
        token = CancelToken()

        async def cancel_soon():
            await asyncio.sleep(0.1)
            token.cancel()

        async def call():
            canceller = asyncio.create_task(cancel_soon())
            try:
                return await plugin.call_with("sleep", "[10000]", CallOptions(cancel=token))
            finally:
                await canceller

        start = time.monotonic()
        with self.assertRaises(PluginError.Cancelled):
            run(call())
        self.assertLess(time.monotonic() - start, 5)
        self.assertTrue(token.is_cancelled())

    def test_cancelling_the_python_task_drops_the_call(self):
        plugin = test_plugin()

        async def call():
            task = asyncio.create_task(plugin.call("sleep", "[10000]"))
            await asyncio.sleep(0.1)
            task.cancel()
            with self.assertRaises(asyncio.CancelledError):
                await task
            # The plugin is still usable afterwards.
            return await plugin.call("ping")

        start = time.monotonic()
        self.assertEqual(run(call()), '"pong"')
        self.assertLess(time.monotonic() - start, 5)


class Errors(unittest.TestCase):
    def test_unknown_method(self):
        with self.assertRaises(PluginError.Rpc) as caught:
            run(test_plugin().call("no_such_method"))
        self.assertEqual(caught.exception.code, -32601)
        self.assertIn("no_such_method", caught.exception.reason)

    def test_plugin_error_with_data(self):
        params = json.dumps({"code": 1234, "message": "nope", "data": {"x": 1}})
        with self.assertRaises(PluginError.Rpc) as caught:
            run(test_plugin().call("fail", params))
        self.assertEqual(caught.exception.code, 1234)
        self.assertEqual(caught.exception.reason, "nope")
        self.assertEqual(json.loads(caught.exception.data_json), {"x": 1})

    def test_loop_times_out(self):
        plugin = Plugin(embedded_misbehaving_plugin(), PluginConfig(limits=PluginLimits(timeout=200)))
        start = time.monotonic()
        with self.assertRaises(PluginError.Timeout) as caught:
            run(plugin.call("loop"))
        self.assertEqual(caught.exception.limit_ms, 200)
        self.assertLess(time.monotonic() - start, 5)

    def test_panic_traps_with_the_message(self):
        plugin = Plugin(embedded_misbehaving_plugin())
        with self.assertRaises(PluginError.Trap) as caught:
            run(plugin.call("panic"))
        self.assertIn("deliberate panic", caught.exception.stderr_tail)
        self.assertEqual(caught.exception.trap_code, "unreachable")

    def test_exit_code(self):
        plugin = Plugin(embedded_misbehaving_plugin())
        with self.assertRaises(PluginError.Exit) as caught:
            run(plugin.call("exit", "[3]"))
        self.assertEqual(caught.exception.code, 3)

    def test_bad_inputs(self):
        with self.assertRaises(PluginError.InvalidParams):
            run(test_plugin().call("echo", "{oops"))
        with self.assertRaises(PluginError.InvalidModule):
            Plugin(b"not wasm at all")

    def test_errors_share_a_base_class(self):
        with self.assertRaises(PluginError):
            run(test_plugin().call("no_such_method"))


class Logs(unittest.TestCase):
    def test_log_lines_reach_python(self):
        logs = Collect()
        plugin = test_plugin(log=logs)
        run(plugin.call("log"))
        levels = [line.level for line in logs.lines]
        # PLUGIN_LOG defaults to `info` inside the plugin.
        self.assertEqual(levels, [LogLevel.ERROR, LogLevel.WARN, LogLevel.INFO])
        info = logs.lines[2]
        self.assertEqual(info.plugin, "py")
        self.assertEqual(info.target, "test_plugin")
        self.assertEqual(info.message, "info line")

    def test_plugin_log_level_comes_from_the_env(self):
        logs = Collect()
        plugin = test_plugin(log=logs, env={"PLUGIN_LOG": "trace"})
        run(plugin.call("log"))
        messages = [line.message for line in logs.lines]
        self.assertEqual(messages, ["error line", "warn line", "info line", "debug line", "trace line"])

    def test_logs_during_host_calls(self):
        logs = Collect()
        plugin = test_plugin(log=logs, host=PyHost())
        run(plugin.call("many_echo", "[2]"))
        self.assertIn("echoing 2 times", [line.message for line in logs.lines])

    def test_panic_is_logged(self):
        logs = Collect()
        plugin = Plugin(embedded_misbehaving_plugin(), PluginConfig(log=logs))
        with self.assertRaises(PluginError.Trap):
            run(plugin.call("panic"))
        errors = [line for line in logs.lines if line.level == LogLevel.ERROR]
        self.assertTrue(any("deliberate panic" in line.message for line in errors), logs.lines)


class Limits(unittest.TestCase):
    def test_defaults(self):
        self.assertEqual(PluginLimits(), default_limits())
        self.assertEqual(default_limits().timeout, 30_000)
        self.assertIsNone(default_limits().fuel)
        self.assertEqual(Plugin(embedded_test_plugin()).limits(), default_limits())

    def test_fuel(self):
        plugin = test_plugin(limits=PluginLimits(fuel=1_000_000, timeout=20_000))
        self.assertEqual(plugin.limits().fuel, 1_000_000)
        with self.assertRaises(PluginError.OutOfFuel) as caught:
            run(plugin.call("sieve", "[10000000]"))
        self.assertEqual(caught.exception.budget, 1_000_000)
        # Small work fits the budget.
        self.assertEqual(run(plugin.call("sieve", "[100]")), "25")

    def test_memory(self):
        plugin = Plugin(
            embedded_misbehaving_plugin(),
            PluginConfig(limits=PluginLimits(max_memory=16 << 20)),
        )
        with self.assertRaises(PluginError.MemoryLimit) as caught:
            run(plugin.call("alloc", "[64]"))
        self.assertEqual(caught.exception.limit, 16 << 20)
        self.assertEqual(run(plugin.call("alloc", "[2]")), str(2 << 20))

    def test_per_call_limits(self):
        plugin = test_plugin()
        options = CallOptions(limits=PluginLimits(fuel=1_000_000))
        with self.assertRaises(PluginError.OutOfFuel):
            run(plugin.call_with("sieve", "[10000000]", options))
        # The plugin's own limits are untouched.
        self.assertIsNone(plugin.limits().fuel)


def tar_of(files):
    """A tar archive of {path: bytes}, as an app would bundle its assets."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for path, data in files.items():
            info = tarfile.TarInfo(path)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


class Files(unittest.TestCase):
    def test_archives_and_scratch_directories(self):
        archive = tar_of({"a.txt": b"bundled", "sub/b.txt": b"bee"})
        config = PluginConfig(
            name="files",
            files=[
                FilesEntry(guest="/assets", archive=archive),
                FilesEntry(guest="/tmp", scratch_quota=4096),
            ],
        )
        plugin = Plugin(embedded_files_plugin(), config)
        read = lambda path: json.loads(run(plugin.call("read", json.dumps({"path": path}))))
        self.assertEqual(read("/assets/sub/b.txt"), "bee")
        listing = json.loads(run(plugin.call("list", json.dumps({"path": "/assets"}))))
        self.assertEqual(listing, ["a.txt", "sub"])
        # A scratch directory is empty at the start of every call.
        append = json.dumps({"path": "/tmp/x", "text": "abc"})
        self.assertEqual(run(plugin.call("append", append)), "3")
        self.assertEqual(run(plugin.call("append", append)), "3")
        # The archive is read-only.
        with self.assertRaises(PluginError.Rpc):
            run(plugin.call("write", json.dumps({"path": "/assets/a.txt", "text": "x"})))

    def test_bad_files_are_refused_with_their_kind(self):
        with self.assertRaises(PluginError.Files):
            Plugin(
                embedded_files_plugin(),
                PluginConfig(files=[FilesEntry(guest="/a", archive=b"not an archive")]),
            )
        with self.assertRaises(PluginError.InvalidOptions):
            Plugin(
                embedded_files_plugin(),
                PluginConfig(files=[FilesEntry(guest="/a")]),
            )


class Storage(unittest.TestCase):
    VISIT = json.dumps({"method": "store.increment", "params": ["visits"]})

    def test_a_plugin_keeps_state_in_a_store_in_a_temporary_directory(self):
        with tempfile.TemporaryDirectory() as directory:
            store = Store.open(directory)
            plugin = test_plugin(name="counter", store=store)
            # Every call is a fresh instance: the count lives in the store.
            self.assertEqual(run(plugin.call("call_host", self.VISIT)), "1")
            self.assertEqual(run(plugin.call("call_host", self.VISIT)), "2")
            ns = plugin_namespace("counter")
            self.assertEqual(ns, "plugin:counter")
            # The app reads and writes the plugin's namespace.
            self.assertEqual(run(store.get(ns, "visits")), "2")
            run(store.set(ns, "visits", "41"))
            run(store.set(ns, "profile", json.dumps({"name": "Ada"})))
            self.assertEqual(run(plugin.call("call_host", self.VISIT)), "42")
            self.assertEqual(run(store.list(ns)).keys, ["profile", "visits"])
            page = run(store.list(ns, prefix="v", limit=1))
            self.assertEqual((page.keys, page.cursor), (["visits"], None))
            self.assertEqual(run(store.increment(ns, "visits")), 43)
            self.assertTrue(run(store.delete(ns, "profile")))
            self.assertIsNone(run(store.get(ns, "profile")))
            # Closed, the file opens again with the state in it.
            del plugin, store
            gc.collect()
            again = Store.open(directory)
            self.assertEqual(run(again.get(ns, "visits")), "43")

    def test_store_errors_are_typed(self):
        store = Store.in_memory()
        with self.assertRaises(StoreError.InvalidInput):
            run(store.set("plugin:p", "k", "null"))
        with self.assertRaises(StoreError.QuotaExceeded) as caught:
            run(store.set("plugin:p", "big", json.dumps("x" * 70_000)))
        self.assertEqual(caught.exception.quota, "value_bytes")
        run(store.set("plugin:p", "s", '"text"'))
        with self.assertRaises(StoreError.NotAnInteger):
            run(store.increment("plugin:p", "s"))
        # The plugin gets the same failures as JSON-RPC errors.
        plugin = test_plugin(name="p", store=store)
        with self.assertRaises(PluginError.Rpc) as caught:
            run(plugin.call("call_host", json.dumps({"method": "store.increment", "params": ["s"]})))
        self.assertEqual(caught.exception.code, -32005)


if __name__ == "__main__":
    unittest.main(verbosity=2)
