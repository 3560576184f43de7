//! What the script sees of stdio: `readLine()` and `writeLine(text)` (the
//! low-level API, and what the kit's serve loop and host calls use), and
//! the kit's way to stderr, `writeLog(text)`, behind its `console`.
//!
//! While the script's top level runs in the initialiser (see `main.rs`),
//! stdin and stdout are not there yet: the host refuses both while it
//! pre-initialises. `readLine()` and `writeLine()` (so also `host.call`
//! and `host.notify`) then throw instead, and record that the script
//! wanted them, so that the runner can fall back to running the whole
//! script per request. The log works at any time.

use std::{
    cell::Cell,
    io::{BufRead, Write},
};

use rquickjs::{Ctx, Exception, Function, IntoJs, Object, Value};

thread_local! {
    /// Whether the script's top level is running in the initialiser.
    static LOADING: Cell<bool> = const { Cell::new(false) };
    /// Whether it called `readLine()` or `writeLine()` meanwhile.
    static WANTED_STDIO: Cell<bool> = const { Cell::new(false) };
}

/// Installs `readLine` and `writeLine` as globals of `ctx`, and the same
/// and `writeLog` in `runner`, the kit's hooks.
pub fn install<'js>(ctx: &Ctx<'js>, runner: &Object<'js>) -> rquickjs::Result<()> {
    let globals = ctx.globals();
    let read = Function::new(ctx.clone(), read_line)?;
    let write = Function::new(ctx.clone(), write_line)?;
    globals.set("readLine", read.clone())?;
    globals.set("writeLine", write.clone())?;
    runner.set("readLine", read)?;
    runner.set("writeLine", write)?;
    runner.set("writeLog", Function::new(ctx.clone(), write_log)?)?;
    Ok(())
}

/// Runs `f` (the script's top level, in the initialiser) with stdin and
/// stdout unavailable; returns its result and whether the script tried to
/// use them.
pub fn while_loading<T>(f: impl FnOnce() -> T) -> (T, bool) {
    LOADING.set(true);
    WANTED_STDIO.set(false);
    let result = f();
    LOADING.set(false);
    (result, WANTED_STDIO.replace(false))
}

/// The exception `readLine()` and `writeLine()` throw in the initialiser.
fn not_while_loading(ctx: &Ctx<'_>, what: &str) -> rquickjs::Error {
    WANTED_STDIO.set(true);
    Exception::throw_message(
        ctx,
        &format!(
            "{what} is not available while the script loads (its top level runs once, at \
             load, before any request): call it from a method's handler or from main()"
        ),
    )
}

fn read_line(ctx: Ctx<'_>) -> rquickjs::Result<Value<'_>> {
    if LOADING.get() {
        return Err(not_while_loading(&ctx, "readLine()"));
    }
    let mut line = Vec::new();
    match std::io::stdin().lock().read_until(b'\n', &mut line) {
        // `null`, not `undefined` (which is what `None` would become).
        Ok(0) | Err(_) => Ok(Value::new_null(ctx)),
        Ok(_) => {
            while line.last().is_some_and(|&b| b == b'\n' || b == b'\r') {
                line.pop();
            }
            String::from_utf8_lossy(&line).into_js(&ctx)
        }
    }
}

fn write_line(ctx: Ctx<'_>, text: String) -> rquickjs::Result<()> {
    if LOADING.get() {
        return Err(not_while_loading(&ctx, "writeLine()"));
    }
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.write_all(b"\n");
    let _ = out.flush();
    Ok(())
}

/// Writes `text` and "\n" to stderr: one or more log lines, which the
/// kit has formatted (PROTOCOL.md §5).
fn write_log(text: String) {
    let mut line = text.into_bytes();
    line.push(b'\n');
    // Logging never fails the plugin: a closed stderr drops the line.
    let _ = std::io::stderr().lock().write_all(&line);
}
