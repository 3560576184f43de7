//! A plugin runner for JavaScript: QuickJS (through rquickjs) compiled to
//! wasm32-wasip1, evaluating the plugin's script, which was embedded at build
//! time. The script speaks the protocol itself with three functions:
//!
//! - `readLine()`: the next line of stdin without its "\n", or `null` at the end;
//! - `writeLine(text)`: writes `text` and "\n" to stdout and flushes;
//! - `console.log(...args)` (also `console.error`): one line on stderr, the log.
//!
//! # Pre-initialised
//!
//! The module exports `wizer.initialize`. A host that pre-initialises
//! plugins (wasmi-hdk does by default, `wasmi-host snapshot` ahead of time)
//! runs it once, at load: it creates the QuickJS runtime and context and
//! evaluates the script's top level, so the function definitions and
//! whatever the top level computes are in the snapshot. `_start` (`main`
//! here) then only calls the script's `main()` function, which reads the
//! requests and answers them. Without pre-initialisation (another runtime,
//! or `with_preinitialization(false)`), `main` evaluates the script's top
//! level first, then calls `main()` if the script defines it.
//!
//! The top level may compute, allocate and log, but not use stdin or stdout:
//! the host has no request to give it yet. If it calls `readLine()` or
//! `writeLine()` there (a script written as one top-level loop, without
//! `main()`), they throw, the runner drops that context and logs a warning,
//! and every request then evaluates the whole script afresh, as a runner
//! without pre-initialisation would.
//!
//! `Math.random()` is seeded per request, from WASI `random_get` (see
//! `random.rs`); the script's top level shares its values with every
//! request, like anything else it computes.
//!
//! An exception that escapes the script is logged as `ERROR javascript: …`
//! and ends the instance with exit code 1 (in the initialiser, that fails
//! the plugin's load).

mod random;
mod stdio;

use std::{cell::RefCell, io::Write};

use rquickjs::{CatchResultExt, Context, Ctx, Function, Persistent, Runtime};

/// The plugin, as JavaScript source.
const SCRIPT: &str = include_str!(env!("PLUGIN_JS_PATH"));

/// The script's per-request entry point.
const MAIN: &str = "main";

/// What the initialiser leaves for the requests.
enum Loaded {
    /// The script's top level ran in this context.
    Ready {
        runtime: Runtime,
        context: Context,
        /// The script's `main`, if it defines one.
        main: Option<Persistent<Function<'static>>>,
    },
    /// The top level wants stdio: it runs in full for every request.
    PerRequest,
}

thread_local! {
    /// Set by the initialiser; in a pre-initialised module it is part of
    /// the snapshot every request starts from.
    static LOADED: RefCell<Option<Loaded>> = const { RefCell::new(None) };
}

/// The Wizer initialiser: evaluates the script's top level.
#[unsafe(export_name = "wizer.initialize")]
pub extern "C" fn initialize() {
    LOADED.set(Some(load()));
}

fn main() {
    random::forget_seed();
    match LOADED.take() {
        Some(Loaded::Ready {
            runtime,
            context,
            main,
        }) => {
            let Some(main) = main else {
                fail(&format!("the script defines no {MAIN}() function"));
            };
            let failed = context.with(|ctx| match main.restore(&ctx) {
                Ok(main) => caught(&ctx, main.call::<_, ()>(())),
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

/// Creates the runtime and context and evaluates the script's top level
/// without stdio: the initialiser. Exits (code 1) if the script throws.
fn load() -> Loaded {
    let (runtime, context) = new_context();
    let (outcome, wanted_stdio) = stdio::while_loading(|| {
        context.with(|ctx| {
            if let Some(message) = caught(&ctx, ctx.eval::<(), _>(SCRIPT)) {
                return Err(message);
            }
            let main = ctx.globals().get::<_, Option<Function>>(MAIN);
            match main.catch(&ctx) {
                Ok(main) => Ok(main.map(|main| Persistent::save(&ctx, main))),
                Err(e) => Err(e.to_string()),
            }
        })
    });
    if wanted_stdio {
        // The saved `main` refers to the runtime: it goes first.
        drop(outcome);
        drop((context, runtime));
        let _ = writeln!(
            std::io::stderr().lock(),
            "WARN javascript: the script uses readLine() or writeLine() at its top level, \
             so it runs in full for every request; define function {MAIN}() to pre-initialise it"
        );
        return Loaded::PerRequest;
    }
    match outcome {
        Ok(main) => Loaded::Ready {
            runtime,
            context,
            main,
        },
        Err(message) => fail(&message),
    }
}

/// The script as it runs without pre-initialisation: the top level (with
/// stdio) then `main()` if it defines one, in a fresh context.
fn run_whole_script() {
    let (runtime, context) = new_context();
    let failed = context.with(|ctx| {
        if let Some(message) = caught(&ctx, ctx.eval::<(), _>(SCRIPT)) {
            return Some(message);
        }
        match ctx.globals().get::<_, Option<Function>>(MAIN).catch(&ctx) {
            Ok(Some(main)) => caught(&ctx, main.call::<_, ()>(())),
            Ok(None) => None,
            Err(e) => Some(e.to_string()),
        }
    });
    if let Some(message) = failed {
        fail(&message);
    }
    std::mem::forget((context, runtime));
}

/// A runtime and a full context with the runner's globals.
fn new_context() -> (Runtime, Context) {
    let runtime = Runtime::new().expect("cannot create the QuickJS runtime");
    let context = Context::full(&runtime).expect("cannot create the QuickJS context");
    let installed = context.with(|ctx| {
        stdio::install(&ctx)?;
        random::install(&ctx)
    });
    if let Err(e) = installed {
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
    let _ = writeln!(std::io::stderr().lock(), "ERROR javascript: {message}");
    std::process::exit(1);
}
