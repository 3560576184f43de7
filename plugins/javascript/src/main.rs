//! A plugin runner for JavaScript: QuickJS (through rquickjs) compiled to
//! wasm32-wasip1, evaluating the plugin's script, which was embedded at build
//! time (see `build.rs`; a TypeScript plugin is bundled to one script first).
//!
//! # The kit
//!
//! Before the script, the runner evaluates its plugin kit (`kit.js`), which
//! gives the script these globals (`types/wasmi-plugin.d.ts` declares them):
//!
//! - `method(name, [spec,] handler)`: registers a method; the handler may be
//!   async, and its result or `RpcError` is the answer;
//! - `host.call(name, params)` (a promise; several may be in flight) and
//!   `host.notify(name, params)`;
//! - `RpcError(code, message, data)`; any other exception answers -32603;
//! - `console.log/info/warn/error/debug/trace`: levelled log lines on stderr.
//!
//! The kit's serve loop answers the requests with the registered methods
//! (and `rpc.discover`). A script may instead define a `main()` function
//! and speak the protocol itself with the low-level API:
//!
//! - `readLine()`: the next line of stdin without its "\n", or `null` at the end;
//! - `writeLine(text)`: writes `text` and "\n" to stdout and flushes.
//!
//! # Pre-initialised
//!
//! The module exports `wizer.initialize`. A host that pre-initialises
//! plugins (wasmi-hdk does by default, `wasmi-host snapshot` ahead of time)
//! runs it once, at load: it creates the QuickJS runtime and context,
//! evaluates the kit and then the script's top level, so the methods the
//! script registers, its function definitions and whatever the top level
//! computes are in the snapshot. `_start` (`main` here) then only runs the
//! script's `main()` function if it defines one, the kit's serve loop
//! otherwise. Without pre-initialisation (another runtime, or
//! `with_preinitialization(false)`), `main` evaluates the kit and the
//! script's top level first.
//!
//! The top level may compute, allocate and log, but not use stdin or stdout
//! (nor `host.call`): the host has no request to give it yet. If it calls
//! `readLine()` or `writeLine()` there (a script written as one top-level
//! loop), they throw, the runner drops that context and logs a warning,
//! and every request then evaluates the whole script afresh, as a runner
//! without pre-initialisation would.
//!
//! `Math.random()` is seeded per request, from WASI `random_get` (see
//! `random.rs`); the script's top level shares its values with every
//! request, like anything else it computes.
//!
//! An exception that escapes the script (its top level, or `main()`) is
//! logged as `ERROR javascript: …` and ends the instance with exit code 1
//! (in the initialiser, that fails the plugin's load).

mod console;
mod jobs;
mod kit;
mod message;
mod random;
mod serve;
mod stdio;

use std::{cell::RefCell, io::Write};

use rquickjs::{
    CatchResultExt, Context, Ctx, Function, Object, Persistent, Runtime, context::EvalOptions,
};

use crate::{
    console::{Level, RUNNER_TARGET},
    kit::Kit,
};

/// The plugin, as JavaScript source.
const SCRIPT: &str = include_str!(env!("PLUGIN_JS_PATH"));

/// The script's file name, for stack traces.
const SCRIPT_NAME: &str = env!("PLUGIN_JS_NAME");

/// The script's per-request entry point, if it defines one.
const MAIN: &str = "main";

/// What serves the requests.
enum Entry<'js> {
    /// The script's own `main()` (the low-level API).
    Main(Function<'js>),
    /// The kit's serve loop, with the kit's object.
    Kit(Object<'js>),
}

/// An [`Entry`] kept across `Context::with` calls.
enum SavedEntry {
    Main(Persistent<Function<'static>>),
    Kit(Persistent<Object<'static>>),
}

impl SavedEntry {
    fn save<'js>(ctx: &Ctx<'js>, entry: Entry<'js>) -> Self {
        match entry {
            Entry::Main(main) => Self::Main(Persistent::save(ctx, main)),
            Entry::Kit(kit) => Self::Kit(Persistent::save(ctx, kit)),
        }
    }

    fn restore<'js>(self, ctx: &Ctx<'js>) -> rquickjs::Result<Entry<'js>> {
        Ok(match self {
            Self::Main(main) => Entry::Main(main.restore(ctx)?),
            Self::Kit(kit) => Entry::Kit(kit.restore(ctx)?),
        })
    }
}

/// What the initialiser leaves for the requests.
enum Loaded {
    /// The kit and the script's top level ran in this context.
    Ready {
        runtime: Runtime,
        context: Context,
        entry: SavedEntry,
    },
    /// The top level wants stdio: it runs in full for every request.
    PerRequest,
}

thread_local! {
    /// Set by the initialiser; in a pre-initialised module it is part of
    /// the snapshot every request starts from.
    static LOADED: RefCell<Option<Loaded>> = const { RefCell::new(None) };
}

/// The Wizer initialiser: evaluates the kit and the script's top level.
#[unsafe(export_name = "wizer.initialize")]
pub extern "C" fn initialize() {
    LOADED.set(Some(load()));
    // std's stdin and stdout handles (and their buffers) are created on
    // first use: created here, the snapshot holds them.
    let _ = (std::io::stdin(), std::io::stdout());
}

fn main() {
    random::forget_seed();
    match LOADED.take() {
        Some(Loaded::Ready {
            runtime,
            context,
            entry,
        }) => {
            let failed = context.with(|ctx| match entry.restore(&ctx) {
                Ok(entry) => run(&ctx, entry),
                Err(e) => Some(e.to_string()),
            });
            if let Some(message) = failed {
                fail(&message);
            }
            // The instance ends with this request: tearing QuickJS down
            // (a full garbage collection) would only cost time.
            std::mem::forget((context, runtime));
        }
        Some(Loaded::PerRequest) | None => run_whole_script(),
    }
}

/// Serves the requests with `entry`; the message of an exception that
/// escapes the script's `main()`.
fn run<'js>(ctx: &Ctx<'js>, entry: Entry<'js>) -> Option<String> {
    match entry {
        Entry::Main(main) => caught(ctx, main.call::<_, ()>(())),
        Entry::Kit(kit) => {
            serve::serve(ctx, &Kit(kit));
            None
        }
    }
}

/// Creates the runtime and context and evaluates the kit and the script's
/// top level without stdio: the initialiser. Exits (code 1) if the script
/// throws.
fn load() -> Loaded {
    let (runtime, context) = new_context();
    let (outcome, wanted_stdio) = stdio::while_loading(|| {
        context.with(|ctx| evaluate(&ctx).map(|entry| SavedEntry::save(&ctx, entry)))
    });
    if wanted_stdio {
        // The saved entry refers to the runtime: it goes first.
        drop(outcome);
        drop((context, runtime));
        console::log(
            Level::Warn,
            &format!(
                "the script uses readLine() or writeLine() at its top level, so it runs in full \
                 for every request; register its methods with method() (or define function \
                 {MAIN}()) to pre-initialise it"
            ),
        );
        return Loaded::PerRequest;
    }
    match outcome {
        Ok(entry) => {
            settle_heap(&runtime);
            Loaded::Ready {
                runtime,
                context,
                entry,
            }
        }
        Err(message) => fail(&message),
    }
}

/// Heap the requests may allocate before QuickJS runs its cycle collector.
const GC_HEADROOM: usize = 1 << 20;

/// Collects the garbage the initialiser left, and sets the next garbage
/// collection [`GC_HEADROOM`] (or half the heap, if more) away.
///
/// QuickJS collects cycles when its heap grows past a threshold, which it
/// sets to 1.5 times the heap after each collection. Left as the
/// initialiser set it, the threshold can lie a few allocations away, and
/// then every request would start with a collection of the whole heap.
/// Reference counting still frees everything acyclic at once.
fn settle_heap(runtime: &Runtime) {
    runtime.run_gc();
    let used = usize::try_from(runtime.memory_usage().malloc_size).unwrap_or(0);
    runtime.set_gc_threshold(used + (used / 2).max(GC_HEADROOM));
}

/// The script as it runs without pre-initialisation: the kit and the top
/// level (with stdio), then its entry, in a fresh context.
fn run_whole_script() {
    let (runtime, context) = new_context();
    let failed = context.with(|ctx| match evaluate(&ctx) {
        Ok(entry) => run(&ctx, entry),
        Err(message) => Some(message),
    });
    if let Some(message) = failed {
        fail(&message);
    }
    std::mem::forget((context, runtime));
}

/// Evaluates the kit and the script's top level; returns what serves the
/// requests: the script's `main()` if it defines one, the kit otherwise.
fn evaluate<'js>(ctx: &Ctx<'js>) -> Result<Entry<'js>, String> {
    let kit = kit::load(ctx).catch(ctx).map_err(|e| e.to_string())?;
    let mut options = EvalOptions::default();
    options.filename = Some(SCRIPT_NAME.to_owned());
    if let Some(message) = caught(ctx, ctx.eval_with_options::<(), _>(SCRIPT, options)) {
        return Err(message);
    }
    match ctx.globals().get::<_, Option<Function>>(MAIN).catch(ctx) {
        Ok(Some(main)) => Ok(Entry::Main(main)),
        Ok(None) => Ok(Entry::Kit(kit)),
        Err(e) => Err(e.to_string()),
    }
}

/// A runtime and a full context with `Math.random` replaced (the kit and
/// the other globals come with [`kit::load`]).
fn new_context() -> (Runtime, Context) {
    let runtime = Runtime::new().expect("cannot create the QuickJS runtime");
    let context = Context::full(&runtime).expect("cannot create the QuickJS context");
    if let Err(e) = context.with(|ctx| random::install(&ctx)) {
        fail(&e.to_string());
    }
    (runtime, context)
}

/// The message of the exception (or runner error) `result` failed with.
fn caught<T>(ctx: &Ctx<'_>, result: rquickjs::Result<T>) -> Option<String> {
    result.catch(ctx).err().map(|e| e.to_string())
}

/// Logs `message` as an error and ends the instance with exit code 1.
fn fail(message: &str) -> ! {
    let message = message.trim_end().replace('\n', " | ");
    // Whatever PLUGIN_LOG says.
    let _ = writeln!(std::io::stderr().lock(), "ERROR {RUNNER_TARGET}: {message}");
    std::process::exit(1);
}
