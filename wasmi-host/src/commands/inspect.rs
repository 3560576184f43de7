//! `wasmi-host inspect`: what a module imports and exports, its memory,
//! whether this runtime can run it, and the methods it describes when
//! asked `rpc.discover`.

use core::fmt::Write as _;

use serde_json::{Value, json};
use wasmi_hdk::{
    Discovery, Error,
    inspect::{EntryPoint, ImportSupport, Initialization, MemoryInfo, ModuleInfo},
    protocol::codes,
};

use crate::{
    cli::InspectArgs,
    error::CliError,
    exit::Exit,
    failure,
    load::{self, PluginSource},
    logging::Verbosity,
    output::{self, JsonStyle, human_bytes},
    schema,
};

/// What asking the plugin to describe itself gave.
enum Methods {
    /// Its `rpc.discover` document.
    Described(Discovery),
    /// It was asked and did not answer (an error answer, a trap, a limit…).
    NotAnswered(Error),
    /// It was not asked: the module cannot run here.
    NotAsked(String),
}

/// Prints the module's facts as text or JSON.
pub(crate) async fn run(args: &InspectArgs, verbosity: Verbosity) -> Result<Exit, CliError> {
    let source = PluginSource::open(args.file.as_deref())?;
    let info = ModuleInfo::parse(&source.bytes).map_err(|source_error| CliError::Load {
        label: source.label.clone(),
        source: source_error,
    })?;
    let methods = discover(&source, &info, verbosity).await;
    let written = if args.json {
        let mut facts = to_json(&source, &info);
        add_methods_json(&mut facts, &methods);
        output::print_json(&facts, JsonStyle::choose(false, false))
    } else {
        let mut text = to_text(&source, &info);
        methods_text(&mut text, &methods);
        std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes())
    };
    written.map_err(|source| CliError::Io {
        what: "cannot write to stdout",
        source,
    })?;
    Ok(Exit::Success)
}

/// Runs the plugin once, under [`load::discovery_limits`], to ask
/// `rpc.discover`.
async fn discover(source: &PluginSource, info: &ModuleInfo, verbosity: Verbosity) -> Methods {
    if !info.is_runnable() {
        return Methods::NotAsked("the module cannot run here".to_owned());
    }
    let plugin = match source.load_plain(load::discovery_limits(), verbosity) {
        Ok(plugin) => plugin,
        Err(e) => return Methods::NotAsked(e.to_string()),
    };
    match plugin.discover().await {
        Ok(discovery) => Methods::Described(discovery),
        Err(e) => Methods::NotAnswered(e),
    }
}

/// The `methods` section: a line per method with its schemas' summaries.
fn methods_text(out: &mut String, methods: &Methods) {
    match methods {
        Methods::Described(discovery) => {
            let _ = writeln!(
                out,
                "methods  {} (from rpc.discover)",
                discovery.methods.len()
            );
            let width = discovery
                .methods
                .iter()
                .map(|m| m.name.len())
                .max()
                .unwrap_or(0);
            for method in &discovery.methods {
                let mut line = format!("  {:width$}", method.name);
                if let Some(params) = &method.params_schema {
                    let _ = write!(line, "  params: {}", schema::summary(params));
                }
                if let Some(result) = &method.result_schema {
                    let _ = write!(line, "  result: {}", schema::summary(result));
                }
                let _ = writeln!(out, "{}", line.trim_end());
            }
        }
        Methods::NotAnswered(Error::Rpc(e)) if e.code == codes::METHOD_NOT_FOUND => {
            let _ = writeln!(out, "methods  (the plugin does not answer rpc.discover)");
        }
        Methods::NotAnswered(e) => {
            let _ = writeln!(
                out,
                "methods  (the plugin does not answer rpc.discover: {})",
                failure::one_line(e)
            );
        }
        Methods::NotAsked(why) => {
            let _ = writeln!(out, "methods  (not asked: {why})");
        }
    }
}

/// `"discovery"`: the methods with their schemas and the whole document,
/// or `null` and `"discovery_error"` saying why there is none.
fn add_methods_json(facts: &mut Value, methods: &Methods) {
    let (discovery, error) = match methods {
        Methods::Described(discovery) => {
            let list: Vec<Value> = discovery
                .methods
                .iter()
                .map(|m| {
                    json!({
                        "name": m.name,
                        "params_schema": m.params_schema,
                        "result_schema": m.result_schema,
                    })
                })
                .collect();
            (
                json!({"methods": list, "document": discovery.document}),
                None,
            )
        }
        Methods::NotAnswered(e) => (Value::Null, Some(failure::one_line(e))),
        Methods::NotAsked(why) => (Value::Null, Some(format!("not asked: {why}"))),
    };
    facts["discovery"] = discovery;
    if let Some(error) = error {
        facts["discovery_error"] = error.into();
    }
}

fn to_text(source: &PluginSource, info: &ModuleInfo) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "module   {} ({}, {} bytes)",
        source.label,
        human_bytes(info.size as u64),
        info.size
    );
    let entry = match info.entry_point {
        Some(EntryPoint::Command) => "_start (a WASI command)".to_owned(),
        Some(EntryPoint::Reactor) => "plugin_main (a reactor)".to_owned(),
        None => {
            "NONE: export `_start` (a command: a binary with `main`) or `plugin_main` (a reactor)"
                .to_owned()
        }
    };
    let _ = writeln!(out, "entry    {entry}");
    let init = match &info.initialization {
        Initialization::None => "none".to_owned(),
        Initialization::Initializer { exports } => format!(
            "{} (run once at load and snapshotted; `wasmi-host snapshot` does it ahead of time)",
            exports.join(" then ")
        ),
        Initialization::Preinitialized { by } => format!("pre-initialised (by {by})"),
        _ => "unknown".to_owned(),
    };
    let _ = writeln!(out, "init     {init}");
    if info.memories.is_empty() {
        let _ = writeln!(out, "memory   NONE: a plugin must export `memory`");
    }
    for memory in &info.memories {
        let _ = writeln!(out, "memory   {}", describe_memory(memory));
    }
    let unsupported = info.unsupported_imports().count();
    let errno = info.errno_imports().count();
    let _ = writeln!(
        out,
        "imports  {} ({unsupported} unsupported, {errno} answer only an errno)",
        info.imports.len()
    );
    let width = info
        .imports
        .iter()
        .map(|i| i.module.len() + i.name.len() + 2)
        .max()
        .unwrap_or(0);
    let sig_width = info
        .imports
        .iter()
        .map(|i| i.signature.len())
        .max()
        .unwrap_or(0);
    for import in &info.imports {
        let status = match &import.support {
            ImportSupport::Implemented => "ok".to_owned(),
            ImportSupport::Errno(errno) => format!("errno: {errno}"),
            ImportSupport::Unsupported(why) => format!("UNSUPPORTED: {why}"),
        };
        let name = format!("{}::{}", import.module, import.name);
        let _ = writeln!(
            out,
            "  {name:width$}  {:6}  {:sig_width$}  {status}",
            import.kind.as_str(),
            import.signature
        );
    }
    let _ = writeln!(out, "exports  {}", info.exports.len());
    let width = info.exports.iter().map(|e| e.name.len()).max().unwrap_or(0);
    for export in &info.exports {
        let _ = writeln!(
            out,
            "  {:width$}  {:6}  {}",
            export.name,
            export.kind.as_str(),
            export.signature
        );
    }
    let verdict = if info.is_runnable() {
        "runnable by wasmi-host".to_owned()
    } else {
        let why: Vec<String> = info.problems.iter().map(ToString::to_string).collect();
        format!("NOT runnable: {}", why.join("; "))
    };
    let _ = writeln!(out, "verdict  {verdict}");
    out
}

fn describe_memory(memory: &MemoryInfo) -> String {
    let max = match (memory.max_pages, memory.max_bytes()) {
        (Some(pages), Some(bytes)) => format!("max {pages} pages ({})", human_bytes(bytes)),
        _ => "no maximum".to_owned(),
    };
    let imported = if memory.imported {
        " (IMPORTED: a plugin must define its own)"
    } else {
        ""
    };
    format!(
        "{}: {} pages initial ({}), {max}{imported}",
        memory.name,
        memory.initial_pages,
        human_bytes(memory.initial_bytes())
    )
}

fn to_json(source: &PluginSource, info: &ModuleInfo) -> Value {
    let imports: Vec<Value> = info
        .imports
        .iter()
        .map(|i| {
            let (support, detail) = match &i.support {
                ImportSupport::Implemented => ("implemented", None),
                ImportSupport::Errno(errno) => ("errno", Some((*errno).to_owned())),
                ImportSupport::Unsupported(why) => ("unsupported", Some(why.clone())),
            };
            json!({
                "module": i.module, "name": i.name, "kind": i.kind.as_str(),
                "signature": i.signature, "support": support, "detail": detail,
            })
        })
        .collect();
    let exports: Vec<Value> = info
        .exports
        .iter()
        .map(|e| json!({"name": e.name, "kind": e.kind.as_str(), "signature": e.signature}))
        .collect();
    let memories: Vec<Value> = info
        .memories
        .iter()
        .map(|m| {
            json!({
                "name": m.name, "imported": m.imported,
                "initial_pages": m.initial_pages, "max_pages": m.max_pages,
            })
        })
        .collect();
    json!({
        "name": source.name,
        "size": info.size,
        "entry_point": info.entry_point.map(EntryPoint::export),
        "initialization": match &info.initialization {
            Initialization::Initializer { exports } => json!({"initializer": exports}),
            Initialization::Preinitialized { by } => json!({"preinitialized_by": by}),
            _ => Value::Null,
        },
        "runnable": info.is_runnable(),
        "problems": info.problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "memories": memories,
        "imports": imports,
        "exports": exports,
    })
}
