// The generated Kotlin bindings on the desktop JVM, against the Linux build
// of the same crate an Android app links (JNA loads libwasmi_mobile.so).
//
// Run by mobile-demo/test.sh: kotlinc compiles this file together with the
// generated wasmi_mobile.kt; `java -Djna.library.path=<dir of the .so>` runs it.

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import uniffi.wasmi_mobile.HostMethodException
import uniffi.wasmi_mobile.HostMethods
import uniffi.wasmi_mobile.LogHandler
import uniffi.wasmi_mobile.LogLevel
import uniffi.wasmi_mobile.LogLine
import uniffi.wasmi_mobile.PluginConfig
import uniffi.wasmi_mobile.PluginException
import uniffi.wasmi_mobile.PluginLimits
import uniffi.wasmi_mobile.Plugin
import uniffi.wasmi_mobile.Store
import uniffi.wasmi_mobile.StoreException
import uniffi.wasmi_mobile.FilesEntry
import uniffi.wasmi_mobile.defaultLimits
import uniffi.wasmi_mobile.embeddedFilesPlugin
import uniffi.wasmi_mobile.embeddedMisbehavingPlugin
import uniffi.wasmi_mobile.embeddedTestPlugin
import uniffi.wasmi_mobile.pluginNamespace
import java.io.ByteArrayOutputStream
import java.nio.file.Files
import java.util.Collections
import java.util.zip.ZipEntry
import java.util.zip.ZipOutputStream

/** Host methods written in Kotlin: a `suspend fun`, as on Android. */
class KotlinHost : HostMethods {
    val calls: MutableList<String> = Collections.synchronizedList(mutableListOf())

    override suspend fun call(plugin: String, method: String, paramsJson: String?): String {
        calls.add("$plugin $method $paramsJson")
        return when (method) {
            "host.echo" -> paramsJson ?: "null"
            "host.slow" -> {
                delay(200)
                "\"slow answer\""
            }
            "host.fail" -> throw HostMethodException.Failed(4242, "kotlin says no", null)
            else -> throw HostMethodException.NotFound()
        }
    }
}

class Collect : LogHandler {
    val lines: MutableList<LogLine> = Collections.synchronizedList(mutableListOf())

    override fun onLog(line: LogLine) {
        lines.add(line)
    }
}

var passed = 0

fun check(name: String, condition: Boolean, detail: () -> String = { "" }) {
    if (!condition) throw AssertionError("FAILED: $name ${detail()}")
    println("ok - $name")
    passed++
}

inline fun <reified E : Throwable> expectThrows(block: () -> Unit): E {
    try {
        block()
    } catch (e: Throwable) {
        if (e is E) return e
        throw AssertionError("expected ${E::class.simpleName}, got $e")
    }
    throw AssertionError("expected ${E::class.simpleName}, nothing was thrown")
}

fun main() = runBlocking {
    // Every call below runs under this timeout, so a hang fails fast.
    withTimeout(60_000) {
        // As an Android app would: plugin work off the main thread.
        withContext(Dispatchers.Default) { run() }
    }
    println("kotlin: $passed checks passed")
}

suspend fun run() {
    val host = KotlinHost()
    val logs = Collect()
    val plugin = Plugin(
        embeddedTestPlugin(),
        PluginConfig(name = "kt", host = host, log = logs, limits = PluginLimits(timeout = 20_000uL)),
    )

    check("load", plugin.name() == "kt")
    check("sieve", plugin.call("sieve", "[100000]") == "9592")
    check("ping with default params", plugin.call("ping") == "\"pong\"")

    check("host callback (many_echo)", plugin.call("many_echo", "[10]") == "10")
    check("host saw 10 calls", host.calls.size == 10) { host.calls.toString() }
    check("host saw the params", host.calls[3] == "kt host.echo [3]") { host.calls[3] }
    check("slow suspend host method", plugin.call("call_host", """{"method":"host.slow"}""") == "\"slow answer\"")

    check("log line", logs.lines.any { it.message == "echoing 10 times" && it.level == LogLevel.INFO && it.plugin == "kt" }) {
        logs.lines.toString()
    }

    val unknown = expectThrows<PluginException.Rpc> { plugin.call("no_such_method") }
    check("unknown method -> PluginException.Rpc(-32601)", unknown.code == -32601) { unknown.toString() }

    val hostFail = expectThrows<PluginException.Rpc> { plugin.call("call_host", """{"method":"host.fail"}""") }
    check("HostMethodException.Failed reaches the plugin", hostFail.code == 4242 && hostFail.reason == "kotlin says no") {
        hostFail.toString()
    }

    val misbehaving = Plugin(embeddedMisbehavingPlugin(), PluginConfig(limits = PluginLimits(timeout = 200uL)))
    val timeout = expectThrows<PluginException.Timeout> { misbehaving.call("loop") }
    check("loop -> PluginException.Timeout", timeout.limitMs == 200uL)
    val trap = expectThrows<PluginException.Trap> { misbehaving.call("panic") }
    check("panic -> PluginException.Trap with the message", trap.stderrTail.contains("deliberate panic")) { trap.stderrTail }

    check("default limits", PluginLimits() == defaultLimits() && defaultLimits().timeout == 30_000uL)
    val fuel = Plugin(embeddedTestPlugin(), PluginConfig(limits = PluginLimits(fuel = 1_000_000uL)))
    val outOfFuel = expectThrows<PluginException.OutOfFuel> { fuel.call("sieve", "[10000000]") }
    check("fuel limit -> PluginException.OutOfFuel", outOfFuel.budget == 1_000_000uL)

    plugin.close()
    misbehaving.close()
    fuel.close()

    files()
    storage()
}

/** A zip archive of {path: text}, as an app would bundle its assets. */
fun zipOf(files: Map<String, String>): ByteArray {
    val out = ByteArrayOutputStream()
    ZipOutputStream(out).use { zip ->
        for ((path, text) in files) {
            zip.putNextEntry(ZipEntry(path))
            zip.write(text.toByteArray())
            zip.closeEntry()
        }
    }
    return out.toByteArray()
}

/** Bundled files as an archive's bytes, and a scratch directory. */
suspend fun files() {
    val archive = zipOf(mapOf("a.txt" to "bundled", "sub/b.txt" to "bee"))
    val plugin = Plugin(
        embeddedFilesPlugin(),
        PluginConfig(
            name = "files",
            files = listOf(
                FilesEntry(guest = "/assets", archive = archive),
                FilesEntry(guest = "/tmp", scratchQuota = 4096uL),
            ),
        ),
    )
    check("files: read from the archive", plugin.call("read", """{"path":"/assets/sub/b.txt"}""") == "\"bee\"")
    check("files: list a directory", plugin.call("list", """{"path":"/assets"}""") == """["a.txt","sub"]""")
    val append = """{"path":"/tmp/x","text":"abc"}"""
    check("files: a scratch directory", plugin.call("append", append) == "3")
    check("files: empty again in the next call", plugin.call("append", append) == "3")
    expectThrows<PluginException.Rpc> { plugin.call("write", """{"path":"/assets/a.txt","text":"x"}""") }
    plugin.close()
    val bad = expectThrows<PluginException.Files> {
        Plugin(embeddedFilesPlugin(), PluginConfig(files = listOf(FilesEntry(guest = "/a", archive = "not an archive".toByteArray()))))
    }
    check("files: a bad archive -> PluginException.Files naming its path", bad.reason.contains("files at /a")) { bad.reason }
}

/** A store in a temporary directory, as an app keeps one in its files directory. */
suspend fun storage() {
    val dir = Files.createTempDirectory("wasmi-store").toFile()
    try {
        val visit = """{"method":"store.increment","params":["visits"]}"""
        val store = Store.open(dir.path)
        val counter = Plugin(embeddedTestPlugin(), PluginConfig(name = "counter", store = store))
        check("store: a fresh instance counts 1", counter.call("call_host", visit) == "1")
        check("store: the next one counts 2", counter.call("call_host", visit) == "2")
        val ns = pluginNamespace("counter")
        check("store: the app reads the plugin's namespace", store.get(ns, "visits") == "2")
        store.set(ns, "visits", "41")
        check("store: the plugin sees the app's write", counter.call("call_host", visit) == "42")
        check("store: list", store.list(ns).keys == listOf("visits"))
        val quota = expectThrows<StoreException.QuotaExceeded> {
            store.set(ns, "big", "\"" + "x".repeat(70_000) + "\"")
        }
        check("store: a too large value -> StoreException.QuotaExceeded", quota.quota == "value_bytes") { quota.toString() }
        counter.close()
        store.close()
        val again = Store.open(dir.path)
        check("store: the state outlives the Store object", again.get(ns, "visits") == "42")
        again.close()
    } finally {
        dir.deleteRecursively()
    }
}
