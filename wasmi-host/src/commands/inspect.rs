//! `wasmi-host inspect`: what a module imports and exports, its memory,
//! and whether this runtime can run it.

use core::fmt::Write as _;

use serde_json::{Value, json};
use wasmi_hdk::{ImportSupport, MemoryInfo, ModuleInfo};

use crate::{
    cli::InspectArgs,
    error::CliError,
    exit::Exit,
    load::PluginSource,
    output::{self, JsonStyle, human_bytes},
};

/// Prints the module's facts as text or JSON.
pub(crate) fn run(args: &InspectArgs) -> Result<Exit, CliError> {
    let source = PluginSource::open(args.file.as_deref())?;
    let info = ModuleInfo::parse(&source.bytes).map_err(|source_error| CliError::Load {
        label: source.label.clone(),
        source: source_error,
    })?;
    let written = if args.json {
        output::print_json(&to_json(&source, &info), JsonStyle::choose(false, false))
    } else {
        let text = to_text(&source, &info);
        std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes())
    };
    written.map_err(|source| CliError::Io {
        what: "cannot write to stdout",
        source,
    })?;
    Ok(Exit::Success)
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
    let start = if info.has_start {
        "yes (exports _start: () -> (), a WASI command)"
    } else {
        "NO: build it as a wasm32-wasip1 command (a binary with `main`)"
    };
    let _ = writeln!(out, "_start   {start}");
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
        let mut why = Vec::new();
        if !info.has_start {
            why.push("no _start".to_owned());
        }
        if info.memory().is_none() {
            why.push("no exported memory".to_owned());
        }
        if unsupported > 0 {
            why.push(format!("{unsupported} unsupported import(s)"));
        }
        format!("NOT runnable: {}", why.join(", "))
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
        "has_start": info.has_start,
        "runnable": info.is_runnable(),
        "memories": memories,
        "imports": imports,
        "exports": exports,
    })
}
