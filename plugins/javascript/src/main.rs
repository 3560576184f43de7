//! A plugin runner for JavaScript: QuickJS (through rquickjs) compiled to
//! wasm32-wasip1, evaluating the plugin's script, which was embedded at build
//! time. The script speaks the protocol itself with three functions:
//!
//! - `readLine()`: the next line of stdin without its "\n", or `null` at the end;
//! - `writeLine(text)`: writes `text` and "\n" to stdout and flushes;
//! - `console.log(...args)` (also `console.error`): one line on stderr, the log.
//!
//! An exception that escapes the script is logged as `ERROR javascript: …`
//! and ends the instance with exit code 1.

use std::io::{BufRead, Write};

use rquickjs::{
    CatchResultExt, Context, Ctx, Function, IntoJs, Object, Runtime, Value, function::Rest,
};

/// The plugin, as JavaScript source.
const SCRIPT: &str = include_str!(env!("PLUGIN_JS_PATH"));

fn read_line(ctx: Ctx<'_>) -> rquickjs::Result<Value<'_>> {
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

fn write_line(text: String) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.write_all(b"\n");
    let _ = out.flush();
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

fn main() {
    let runtime = Runtime::new().expect("cannot create the QuickJS runtime");
    let context = Context::full(&runtime).expect("cannot create the QuickJS context");
    let failed = context.with(|ctx| {
        let globals = ctx.globals();
        let console = Object::new(ctx.clone())?;
        console.set("log", Function::new(ctx.clone(), log)?)?;
        console.set("error", Function::new(ctx.clone(), log)?)?;
        globals.set("console", console)?;
        globals.set("readLine", Function::new(ctx.clone(), read_line)?)?;
        globals.set("writeLine", Function::new(ctx.clone(), write_line)?)?;
        Ok::<_, rquickjs::Error>(match ctx.eval::<(), _>(SCRIPT).catch(&ctx) {
            Ok(()) => None,
            Err(e) => Some(e.to_string()),
        })
    });
    let message = match failed {
        Ok(None) => return,
        Ok(Some(exception)) => exception,
        Err(e) => e.to_string(),
    };
    let message = message.trim_end().replace('\n', " | ");
    let _ = writeln!(std::io::stderr().lock(), "ERROR javascript: {message}");
    std::process::exit(1);
}
