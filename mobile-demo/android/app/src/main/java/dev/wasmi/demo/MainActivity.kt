// A minimal Android screen: load the bundled test plugin and call `sieve`.
//
// The generated bindings (package uniffi.wasmi_mobile) and libwasmi_mobile.so
// come from build-android-libs.sh. Not built on this project's CI (no
// Android SDK there); the same binding code runs there on the desktop JVM
// (mobile-demo/tests/kotlin/Main.kt). See mobile-demo/README.md.
package dev.wasmi.demo

import android.app.Activity
import android.os.Bundle
import android.util.Log
import android.widget.Button
import android.widget.LinearLayout
import android.widget.TextView
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.MainScope
import kotlinx.coroutines.cancel
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import uniffi.wasmi_mobile.HostMethodException
import uniffi.wasmi_mobile.HostMethods
import uniffi.wasmi_mobile.LogHandler
import uniffi.wasmi_mobile.LogLine
import uniffi.wasmi_mobile.PluginConfig
import uniffi.wasmi_mobile.PluginException
import uniffi.wasmi_mobile.PluginLimits
import uniffi.wasmi_mobile.Plugin
import uniffi.wasmi_mobile.embeddedTestPlugin
import uniffi.wasmi_mobile.pluginErrorKind

/** Host methods the plugin can call back into, written in Kotlin. */
class DemoHost : HostMethods {
    override suspend fun call(plugin: String, method: String, paramsJson: String?): String =
        when (method) {
            "host.echo" -> paramsJson ?: "null"
            else -> throw HostMethodException.NotFound()
        }
}

/** Sends the plugin's log lines to logcat. */
class LogcatLog : LogHandler {
    override fun onLog(line: LogLine) {
        Log.i("wasmi/${line.plugin}", "${line.level} ${line.target ?: ""}: ${line.message}")
    }
}

class MainActivity : Activity() {
    private val scope: CoroutineScope = MainScope()
    private val plugin: Plugin by lazy {
        Plugin(
            embeddedTestPlugin(),
            PluginConfig(
                name = "demo",
                limits = PluginLimits(timeout = 10_000uL, maxMemory = 32uL shl 20), // ms, bytes
                host = DemoHost(),
                log = LogcatLog(),
            ),
        )
    }

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val output = TextView(this).apply { text = "Tap Run to count primes inside a Wasm plugin." }
        val run = Button(this).apply { text = "Run sieve" }
        setContentView(
            LinearLayout(this).apply {
                orientation = LinearLayout.VERTICAL
                setPadding(48, 48, 48, 48)
                addView(run)
                addView(output)
            },
        )
        run.setOnClickListener {
            run.isEnabled = false
            scope.launch {
                output.text = try {
                    // The plugin runs on the thread that polls the call: keep it off the main thread.
                    withContext(Dispatchers.Default) {
                        val start = System.nanoTime()
                        val primes = plugin.call("sieve", "[1000000]")
                        val echoed = plugin.call("many_echo", "[3]")
                        val ms = (System.nanoTime() - start) / 1_000_000
                        "primes ≤ 1000000: $primes\nhost.echo round trips: $echoed\n$ms ms"
                    }
                } catch (e: PluginException) {
                    // The kind's name ("timeout", "out_of_fuel", …) is the one the CLI and JavaScript use.
                    "plugin failed (${pluginErrorKind(e)}): $e"
                }
                run.isEnabled = true
            }
        }
    }

    override fun onDestroy() {
        scope.cancel() // cancels a running call: the plugin instance is dropped
        plugin.close()
        super.onDestroy()
    }
}
