//! The kit's `console`: `log`, `info`, `warn`, `error`, `debug` and
//! `trace` write levelled log lines to stderr (PROTOCOL.md §5), one
//! `LEVEL target: line` per line of the message.
//!
//! `log` is `INFO`. The target is `console.target` (`javascript` until the
//! script sets it). Arguments are joined with spaces: strings as they are,
//! objects as JSON, errors with their stack. A message that already starts
//! with a level prefix (`INFO my_plugin: …`, what scripts wrote before the
//! kit) is written as it is. The level filter is `PLUGIN_LOG` (`off`,
//! `error`, `warn`, `info` (the default), `debug`, `trace`), read when the
//! console is installed: at load, as the Rust kit reads it.
//!
//! It is native rather than JavaScript because it runs in nearly every
//! request (the example's `ping` logs), and every bytecode QuickJS runs is
//! itself interpreted by the host.

use std::{
    cell::{Cell, RefCell},
    io::Write,
};

use rquickjs::{Coerced, Ctx, Function, Object, Type, Value, function::Rest, object::Accessor};

/// The target of the runner's own log lines.
pub const RUNNER_TARGET: &str = "javascript";

/// The environment variable that sets the level, as for the Rust kit.
const LOG_FILTER_ENV: &str = "PLUGIN_LOG";

/// A log line's level, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl Level {
    const ALL: [Self; 5] = [
        Self::Error,
        Self::Warn,
        Self::Info,
        Self::Debug,
        Self::Trace,
    ];

    /// The prefix word (PROTOCOL.md §5).
    fn as_str(self) -> &'static str {
        match self {
            Self::Error => "ERROR",
            Self::Warn => "WARN",
            Self::Info => "INFO",
            Self::Debug => "DEBUG",
            Self::Trace => "TRACE",
        }
    }
}

thread_local! {
    /// The most verbose level written; `None`: nothing (`PLUGIN_LOG=off`).
    static MAX_LEVEL: Cell<Option<Level>> = const { Cell::new(Some(Level::Info)) };
    /// `console.target`.
    static TARGET: RefCell<String> = RefCell::new(RUNNER_TARGET.to_owned());
}

/// Installs `console` as a global of `ctx`, and reads `PLUGIN_LOG`.
pub fn install(ctx: &Ctx<'_>) -> rquickjs::Result<()> {
    MAX_LEVEL.set(filter_from_env());
    let console = Object::new(ctx.clone())?;
    console.set("log", Function::new(ctx.clone(), info)?)?;
    console.set("info", Function::new(ctx.clone(), info)?)?;
    console.set("warn", Function::new(ctx.clone(), warn)?)?;
    console.set("error", Function::new(ctx.clone(), error)?)?;
    console.set("debug", Function::new(ctx.clone(), debug)?)?;
    console.set("trace", Function::new(ctx.clone(), trace)?)?;
    console.prop(
        "target",
        Accessor::new(
            || TARGET.with_borrow(Clone::clone),
            |target: String| TARGET.set(target),
        )
        .enumerable()
        .configurable(),
    )?;
    ctx.globals().set("console", console)
}

/// `PLUGIN_LOG` as a level; `info` when unset or unknown.
fn filter_from_env() -> Option<Level> {
    let filter = std::env::var(LOG_FILTER_ENV).unwrap_or_default();
    let filter = filter.trim();
    if filter.eq_ignore_ascii_case("off") {
        return None;
    }
    let level = Level::ALL
        .into_iter()
        .find(|level| filter.eq_ignore_ascii_case(level.as_str()));
    Some(level.unwrap_or(Level::Info))
}

fn info<'js>(ctx: Ctx<'js>, args: Rest<Value<'js>>) {
    console(&ctx, Level::Info, &args.0);
}

fn warn<'js>(ctx: Ctx<'js>, args: Rest<Value<'js>>) {
    console(&ctx, Level::Warn, &args.0);
}

fn error<'js>(ctx: Ctx<'js>, args: Rest<Value<'js>>) {
    console(&ctx, Level::Error, &args.0);
}

fn debug<'js>(ctx: Ctx<'js>, args: Rest<Value<'js>>) {
    console(&ctx, Level::Debug, &args.0);
}

fn trace<'js>(ctx: Ctx<'js>, args: Rest<Value<'js>>) {
    console(&ctx, Level::Trace, &args.0);
}

/// Whether lines at `level` are written.
fn enabled(level: Level) -> bool {
    MAX_LEVEL.get().is_some_and(|max| level <= max)
}

/// One `console.*` call.
fn console<'js>(ctx: &Ctx<'js>, level: Level, args: &[Value<'js>]) {
    if !enabled(level) {
        return;
    }
    let text = match args {
        [one] => show(ctx, one),
        many => many
            .iter()
            .map(|arg| show(ctx, arg))
            .collect::<Vec<_>>()
            .join(" "),
    };
    if has_level_prefix(&text) {
        write(&text, "");
    } else {
        TARGET.with_borrow(|target| write_lines(level, target, &text));
    }
}

/// Logs `text` at `level` with the runner's target.
pub fn log(level: Level, text: &str) {
    if enabled(level) {
        write_lines(level, RUNNER_TARGET, text);
    }
}

/// Writes one `LEVEL target: line` per line of `text` (`LEVEL line` if
/// the target is empty or has whitespace, which §5 would not read as one).
fn write_lines(level: Level, target: &str, text: &str) {
    let valid = !target.is_empty() && !target.contains(char::is_whitespace);
    let prefix = if valid {
        format!("{} {target}: ", level.as_str())
    } else {
        format!("{} ", level.as_str())
    };
    write(text, &prefix);
}

/// Writes every line of `text` after `prefix`, in one write.
fn write(text: &str, prefix: &str) {
    let mut out = Vec::with_capacity(text.len() + 32);
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        out.extend_from_slice(prefix.as_bytes());
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
    }
    // Logging never fails the plugin: a closed stderr drops the lines.
    let _ = std::io::stderr().lock().write_all(&out);
}

/// Whether `text` starts with a §5 level prefix (`LEVEL `).
fn has_level_prefix(text: &str) -> bool {
    Level::ALL.into_iter().any(|level| {
        text.strip_prefix(level.as_str())
            .is_some_and(|rest| rest.starts_with(' '))
    })
}

/// A value as a log message shows it.
pub fn show<'js>(ctx: &Ctx<'js>, value: &Value<'js>) -> String {
    match value.type_of() {
        Type::String => value
            .as_string()
            .and_then(|s| s.to_string().ok())
            .unwrap_or_default(),
        Type::Undefined | Type::Uninitialized => "undefined".to_owned(),
        Type::Null => "null".to_owned(),
        Type::Function | Type::Constructor => {
            let name = value
                .as_object()
                .and_then(|f| f.get::<_, String>("name").ok())
                .filter(|name| !name.is_empty());
            format!("[function {}]", name.as_deref().unwrap_or("(anonymous)"))
        }
        Type::Exception => {
            let head = coerce(ctx, value);
            let stack = value
                .as_object()
                .and_then(|e| e.get::<_, Option<String>>("stack").ok().flatten())
                .unwrap_or_default();
            let stack = stack.trim_end();
            if stack.is_empty() {
                head
            } else {
                format!("{head}\n{stack}")
            }
        }
        Type::Object | Type::Array | Type::Promise | Type::Proxy => {
            match ctx.json_stringify(value.clone()) {
                Ok(Some(json)) => json.to_string().unwrap_or_default(),
                Ok(None) => coerce(ctx, value),
                Err(_) => {
                    let _ = ctx.catch();
                    coerce(ctx, value)
                }
            }
        }
        _ => coerce(ctx, value),
    }
}

/// `String(value)`, or a placeholder if that throws (a symbol, say).
fn coerce<'js>(ctx: &Ctx<'js>, value: &Value<'js>) -> String {
    match value.get::<Coerced<String>>() {
        Ok(text) => text.0,
        Err(_) => {
            let _ = ctx.catch();
            format!("[{}]", value.type_of())
        }
    }
}
