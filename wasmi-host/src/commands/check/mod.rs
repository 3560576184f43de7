//! `wasmi-host check`: a conformance run of PROTOCOL.md against any plugin.
//!
//! Static checks read the module (`_start`, `memory`, imports); dynamic
//! ones call it, each call in a fresh instance under `check`'s limits, and
//! then judge every call's outcome for stdout hygiene, ids and clean endings.

mod table;

use futures::future::join_all;
use serde_json::{Value, json};
use wasmi_hdk::{
    Error, Plugin, ProtocolViolation,
    inspect::{ImportSupport, ModuleInfo, ModuleProblem},
    protocol::{
        codes::{INVALID_PARAMS, METHOD_NOT_FOUND},
        method::DISCOVER,
    },
};

use self::table::{Row, Status};
use crate::{
    cli::CheckArgs,
    error::CliError,
    exit::Exit,
    failure,
    load::{self, PluginSource},
    logging::Verbosity,
    output::human_bytes,
};

/// A method name no plugin implements.
const UNKNOWN_METHOD: &str = "wasmi_host.check.no_such_method";

/// One call the checks made, kept to judge stdout, ids and endings.
struct Probe {
    /// What the call was, e.g. `unknown method` or `call ping`.
    label: String,
    result: Result<Value, Error>,
}

/// Runs every check, prints the table, and fails if a check failed.
pub(crate) async fn run(args: CheckArgs, verbosity: Verbosity) -> Result<Exit, CliError> {
    let source = PluginSource::open(args.file.as_deref())?;
    let info = ModuleInfo::parse(&source.bytes).map_err(|e| CliError::Load {
        label: source.label.clone(),
        source: e,
    })?;
    let mut rows = vec![command_row(&info), imports_row(&info)];
    match source.load(&args.run, load::check_limits(), verbosity) {
        Ok(plugin) => {
            rows.push(Row::new(Status::Pass, "loads", "compiled and linked"));
            rows.extend(call_checks(&plugin, &args).await);
        }
        Err(e) => {
            rows.push(Row::new(Status::Fail, "loads", e.to_string()));
            rows.push(Row::new(
                Status::Skip,
                "calls",
                "the plugin does not load, so it cannot be called",
            ));
        }
    }
    let heading = format!(
        "Checking {} ({}) against PROTOCOL.md",
        source.label,
        human_bytes(info.size as u64)
    );
    let text = table::render(&heading, &rows, verbosity.stdout_color());
    std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes()).map_err(
        |source| CliError::Io {
            what: "cannot write to stdout",
            source,
        },
    )?;
    if rows.iter().any(|r| r.status == Status::Fail) {
        Ok(Exit::Failed)
    } else {
        Ok(Exit::Success)
    }
}

/// `_start` and `memory`: what makes a module a WASI command plugin (the
/// loader's own rule, [`ModuleInfo::problems`]; imports have their row).
fn command_row(info: &ModuleInfo) -> Row {
    let check = "WASI command (_start, memory)";
    let problems: Vec<String> = info
        .problems
        .iter()
        .filter(|p| !matches!(p, ModuleProblem::UnsupportedImport { .. }))
        .map(ToString::to_string)
        .collect();
    if problems.is_empty() {
        Row::new(Status::Pass, check, "exports _start: () -> () and memory")
    } else {
        Row::new(Status::Fail, check, problems.join("; "))
    }
}

/// Every import must be a WASI function this runtime links; the ones that
/// only answer an errno are a warning.
fn imports_row(info: &ModuleInfo) -> Row {
    let check = "imports provided";
    let unsupported: Vec<String> = info
        .unsupported_imports()
        .map(|i| match &i.support {
            ImportSupport::Unsupported(why) => format!("{}::{} ({why})", i.module, i.name),
            _ => format!("{}::{}", i.module, i.name),
        })
        .collect();
    if !unsupported.is_empty() {
        return Row::new(
            Status::Fail,
            check,
            format!("not provided by wasmi-host: {}", unsupported.join(", ")),
        );
    }
    let errno: Vec<&str> = info.errno_imports().map(|i| i.name.as_str()).collect();
    if errno.is_empty() {
        Row::new(
            Status::Pass,
            check,
            format!("{} WASI imports, all implemented", info.imports.len()),
        )
    } else {
        Row::new(
            Status::Warn,
            check,
            format!(
                "{} of {} imports only answer an errno (no files, sockets or signals): {}",
                errno.len(),
                info.imports.len(),
                errno.join(", ")
            ),
        )
    }
}

/// The checks that call the plugin.
async fn call_checks(plugin: &Plugin, args: &CheckArgs) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut probes = Vec::new();

    let unknown = plugin.call_raw(UNKNOWN_METHOD, Value::Null).await;
    rows.push(unknown_method_row(&unknown));
    probes.push(Probe {
        label: "unknown method".to_owned(),
        result: unknown,
    });

    let discovered = plugin.call_raw(DISCOVER, Value::Null).await;
    let (row, discovered_methods) = discover_row(&discovered);
    rows.push(row);
    probes.push(Probe {
        label: DISCOVER.to_owned(),
        result: discovered,
    });

    let mut methods = args.methods.clone();
    for name in discovered_methods {
        if !methods.contains(&name) {
            methods.push(name);
        }
    }
    methods.retain(|m| m != DISCOVER);
    let malformed = malformed_params();
    let answers = join_all(
        methods
            .iter()
            .map(|m| plugin.call_raw(m, malformed.clone())),
    )
    .await;
    let answers: Vec<Probe> = methods
        .iter()
        .zip(answers)
        .map(|(method, result)| Probe {
            label: format!("{method} with malformed params"),
            result,
        })
        .collect();
    rows.push(malformed_row(&methods, &answers));
    probes.extend(answers);

    for (method, params) in &args.calls {
        let result = plugin.call_raw(method, params.clone()).await;
        let check = format!("call {method}");
        rows.push(match &result {
            Ok(value) => Row::new(Status::Pass, &check, format!("answered {value}")),
            Err(e) => Row::new(Status::Fail, &check, failure::describe(e)),
        });
        probes.push(Probe {
            label: check,
            result,
        });
    }

    rows.push(stdout_row(&probes));
    rows.push(ids_row(&probes));
    rows.push(endings_row(&probes));
    rows
}

fn unknown_method_row(result: &Result<Value, Error>) -> Row {
    let check = "unknown method -> -32601";
    match result {
        Err(Error::Rpc(e)) if e.code == METHOD_NOT_FOUND => {
            if e.message.contains(UNKNOWN_METHOD) {
                Row::new(Status::Pass, check, e.message.clone())
            } else {
                Row::new(
                    Status::Warn,
                    check,
                    format!("the message should name the method: {:?}", e.message),
                )
            }
        }
        Err(Error::Rpc(e)) => Row::new(
            Status::Fail,
            check,
            format!("answered {} ({}) instead of -32601", e.code, e.message),
        ),
        Ok(value) => Row::new(
            Status::Fail,
            check,
            format!("answered a result instead of -32601: {value}"),
        ),
        Err(e) => Row::new(Status::Fail, check, failure::describe(e)),
    }
}

/// Judges `rpc.discover` (optional) and returns the method names it lists.
fn discover_row(result: &Result<Value, Error>) -> (Row, Vec<String>) {
    let check = "rpc.discover (optional)";
    match result {
        Ok(document) => {
            let names: Option<Vec<String>> =
                document
                    .get("methods")
                    .and_then(Value::as_array)
                    .map(|methods| {
                        methods
                            .iter()
                            .filter_map(|m| m.get("name").and_then(Value::as_str))
                            .map(str::to_owned)
                            .collect()
                    });
            match names {
                Some(names) => {
                    let row = Row::new(
                        Status::Pass,
                        check,
                        format!("lists {} methods: {}", names.len(), names.join(", ")),
                    );
                    (row, names)
                }
                None => (
                    Row::new(
                        Status::Warn,
                        check,
                        "answered, but not an OpenRPC document with `methods`",
                    ),
                    Vec::new(),
                ),
            }
        }
        Err(Error::Rpc(e)) if e.code == METHOD_NOT_FOUND => (
            Row::new(Status::Skip, check, "not implemented (-32601)"),
            Vec::new(),
        ),
        Err(Error::Rpc(e)) => (
            Row::new(
                Status::Warn,
                check,
                format!("answered error {}: {}", e.code, e.message),
            ),
            Vec::new(),
        ),
        Err(e) => (
            Row::new(Status::Fail, check, failure::describe(e)),
            Vec::new(),
        ),
    }
}

/// Params no ordinary method can decode.
fn malformed_params() -> Value {
    json!({ "__wasmi_host_check__": "malformed params", "values": [null, -1, 1.5, "", {}] })
}

/// Every probed method must answer malformed params with an error: -32602,
/// or an error of its own. One that takes any params may answer a result.
fn malformed_row(methods: &[String], answers: &[Probe]) -> Row {
    let check = "malformed params -> error";
    if methods.is_empty() {
        return Row::new(
            Status::Skip,
            check,
            "no method known: pass --method NAME (or answer rpc.discover)",
        );
    }
    let failed: Vec<String> = methods
        .iter()
        .zip(answers)
        .filter_map(|(method, probe)| match &probe.result {
            Ok(_) | Err(Error::Rpc(_)) => None,
            Err(e) => Some(format!("{method}: {}", failure::describe(e))),
        })
        .collect();
    if !failed.is_empty() {
        return Row::new(Status::Fail, check, failed.join("; "));
    }
    let count = |pred: &dyn Fn(&Result<Value, Error>) -> bool| {
        answers.iter().filter(|p| pred(&p.result)).count()
    };
    let invalid = count(&|r| matches!(r, Err(Error::Rpc(e)) if e.code == INVALID_PARAMS));
    let other = count(&|r| matches!(r, Err(Error::Rpc(e)) if e.code != INVALID_PARAMS));
    let accepted: Vec<&str> = methods
        .iter()
        .zip(answers)
        .filter(|(_, p)| p.result.is_ok())
        .map(|(m, _)| m.as_str())
        .collect();
    let mut detail = format!(
        "{} methods: {invalid} answered -32602, {other} another error",
        methods.len()
    );
    if !accepted.is_empty() {
        detail.push_str(&format!(
            ", {} took them as valid ({})",
            accepted.len(),
            accepted.join(", ")
        ));
    }
    Row::new(Status::Pass, check, detail)
}

/// No call may have written anything but JSON-RPC on stdout.
fn stdout_row(probes: &[Probe]) -> Row {
    let check = "stdout carries only JSON-RPC";
    let bad = first_violation(probes, |v| {
        matches!(
            v,
            ProtocolViolation::NotJson { .. }
                | ProtocolViolation::InvalidMessage { .. }
                | ProtocolViolation::MessageTooLarge { .. }
        )
    });
    match bad {
        Some(detail) => Row::new(Status::Fail, check, detail),
        None => Row::new(
            Status::Pass,
            check,
            format!(
                "{} calls, every stdout line a JSON-RPC message",
                probes.len()
            ),
        ),
    }
}

/// Every answer must carry the request's id, once.
fn ids_row(probes: &[Probe]) -> Row {
    let check = "response id matches";
    let bad = first_violation(probes, |v| {
        matches!(
            v,
            ProtocolViolation::WrongResponseId { .. } | ProtocolViolation::DuplicateResponse
        )
    });
    match bad {
        Some(detail) => Row::new(Status::Fail, check, detail),
        None => Row::new(
            Status::Pass,
            check,
            "every answer carried the request's id, once",
        ),
    }
}

/// Every call must end in an answer, after which the plugin exits or waits
/// for input at EOF: no exit or return without answering, no trap, no hang.
fn endings_row(probes: &[Probe]) -> Row {
    let check = "answers, then ends cleanly";
    let bad = probes.iter().find(|probe| match &probe.result {
        Ok(_) | Err(Error::Rpc(_)) => false,
        Err(Error::Protocol { violation, .. }) => {
            matches!(violation, ProtocolViolation::NoResponse { .. })
        }
        Err(_) => true,
    });
    match bad {
        Some(probe) => {
            let detail = match &probe.result {
                Err(e) => format!("{}: {}", probe.label, failure::describe(e)),
                Ok(_) => probe.label.clone(),
            };
            Row::new(Status::Fail, check, detail)
        }
        None => Row::new(
            Status::Pass,
            check,
            "every call answered; the plugin exited or waited at EOF",
        ),
    }
}

/// `label: violation` of the first probe whose protocol violation matches.
fn first_violation(
    probes: &[Probe],
    matches: impl Fn(&ProtocolViolation) -> bool,
) -> Option<String> {
    probes.iter().find_map(|probe| match &probe.result {
        Err(Error::Protocol { violation, .. }) if matches(violation) => {
            Some(format!("{}: {violation}", probe.label))
        }
        _ => None,
    })
}
