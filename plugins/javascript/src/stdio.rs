//! Stdin and stdout: the script's low-level `readLine()` and
//! `writeLine(text)` (also how the kit's `host.call` writes), and the same
//! for the native serve loop ([`read_line`], [`write_line`]).
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

/// Installs `readLine` and `writeLine` as globals of `ctx`, and
/// `writeLine` in `runner`, the kit's hooks.
pub fn install<'js>(ctx: &Ctx<'js>, runner: &Object<'js>) -> rquickjs::Result<()> {
    let globals = ctx.globals();
    let write = Function::new(ctx.clone(), js_write_line)?;
    globals.set("readLine", Function::new(ctx.clone(), js_read_line)?)?;
    globals.set("writeLine", write.clone())?;
    runner.set("writeLine", write)?;
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

/// The next line of stdin without its line ending; `None` at EOF.
pub fn read_line() -> Option<String> {
    let mut line = Vec::new();
    match std::io::stdin().lock().read_until(b'\n', &mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => {
            while line.last().is_some_and(|&b| b == b'\n' || b == b'\r') {
                line.pop();
            }
            Some(match String::from_utf8(line) {
                Ok(text) => text,
                Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
            })
        }
    }
}

/// Writes `text` and "\n" to stdout, and flushes.
pub fn write_line(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.write_all(b"\n");
    let _ = out.flush();
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

fn js_read_line(ctx: Ctx<'_>) -> rquickjs::Result<Value<'_>> {
    if LOADING.get() {
        return Err(not_while_loading(&ctx, "readLine()"));
    }
    match read_line() {
        Some(line) => line.into_js(&ctx),
        // `null`, not `undefined` (which is what `None` would become).
        None => Ok(Value::new_null(ctx)),
    }
}

fn js_write_line(ctx: Ctx<'_>, text: String) -> rquickjs::Result<()> {
    if LOADING.get() {
        return Err(not_while_loading(&ctx, "writeLine()"));
    }
    write_line(&text);
    Ok(())
}
