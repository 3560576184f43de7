//! What the script sees of stdio: `readLine()`, `writeLine(text)` and
//! `console.log(...)` / `console.error(...)`.
//!
//! While the script's top level runs in the initialiser (see `main.rs`),
//! stdin and stdout are not there yet: the host refuses both while it
//! pre-initialises. `readLine()` and `writeLine()` then throw instead, and
//! record that the script wanted them, so that the runner can fall back to
//! running the whole script per request. The log works at any time.

use std::{
    cell::Cell,
    io::{BufRead, Write},
};

use rquickjs::{Ctx, Exception, Function, IntoJs, Object, Value, function::Rest};

thread_local! {
    /// Whether the script's top level is running in the initialiser.
    static LOADING: Cell<bool> = const { Cell::new(false) };
    /// Whether it called `readLine()` or `writeLine()` meanwhile.
    static WANTED_STDIO: Cell<bool> = const { Cell::new(false) };
}

/// Installs `readLine`, `writeLine` and `console` as globals of `ctx`.
pub fn install(ctx: &Ctx<'_>) -> rquickjs::Result<()> {
    let globals = ctx.globals();
    let console = Object::new(ctx.clone())?;
    console.set("log", Function::new(ctx.clone(), log)?)?;
    console.set("error", Function::new(ctx.clone(), log)?)?;
    globals.set("console", console)?;
    globals.set("readLine", Function::new(ctx.clone(), read_line)?)?;
    globals.set("writeLine", Function::new(ctx.clone(), write_line)?)?;
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
        &format!("{what} is not available while the script loads: call it from main()"),
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

fn log(args: Rest<Value<'_>>) {
    let parts: Vec<String> = args
        .0
        .iter()
        .map(|v| match v.as_string() {
            Some(s) => s.to_string().unwrap_or_default(),
            None => format!("{v:?}"),
        })
        .collect();
    // One log line per call: a message's own newlines would split it.
    let line = parts.join(" ").replace('\n', " ");
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}
