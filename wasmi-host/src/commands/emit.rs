//! `wasmi-host emit`: publish an event to a directory of plugins and show
//! what each subscribed handler did, in the order they ran.

use core::fmt::Write as _;

use serde_json::{Value, json};
use wasmi_hdk::set::{EmitOutcome, HandlerDecision};

use crate::{
    cli::EmitArgs,
    error::CliError,
    exit::Exit,
    failure,
    logging::Verbosity,
    output::{self, JsonStyle},
    plugin_dir, store_file, units,
};

/// Publishes the event and prints the outcome; a failed handler is a row
/// of the table, not a failure of the command.
pub(crate) async fn run(args: EmitArgs, verbosity: Verbosity) -> Result<Exit, CliError> {
    // A bad payload is a usage error, found before any plugin is loaded.
    let payload = match args.payload.as_deref() {
        None => Value::Null,
        Some(text) => {
            units::parse_json(text).map_err(|e| CliError::Usage(format!("PAYLOAD_JSON {e}")))?
        }
    };
    let store = store_file::open(&args.store)?;
    let set = plugin_dir::load(&args.plugins, &args.limits, &args.mocks, store, verbosity)?;
    tracing::debug!(event = %args.event, "emitting");
    let outcome = set.emit(&args.event, payload).await;
    let style = JsonStyle::choose(false, false);
    let written = if args.json {
        output::print_json(&to_json(&outcome), style)
    } else {
        let text = to_text(&outcome, style);
        std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes())
    };
    written.map_err(|source| CliError::Io {
        what: "cannot write to stdout",
        source,
    })?;
    Ok(Exit::Success)
}

/// What a handler did, in a word (and, for a failure, why).
fn decision_text(decision: &HandlerDecision) -> String {
    match decision {
        HandlerDecision::Failed(error) => format!("failed: {}", failure::one_line(error)),
        other => decision_name(other).replace('_', " "),
    }
}

/// The decision's name in `--json`.
fn decision_name(decision: &HandlerDecision) -> &'static str {
    match decision {
        HandlerDecision::Continued => "continued",
        HandlerDecision::Modified => "modified",
        HandlerDecision::Stopped => "stopped",
        HandlerDecision::IgnoredChange => "ignored_change",
        HandlerDecision::Failed(_) => "failed",
        HandlerDecision::Skipped => "skipped",
        _ => "unknown",
    }
}

/// The table: one row per handler, then the payload and who stopped it.
fn to_text(outcome: &EmitOutcome, style: JsonStyle) -> String {
    let mut out = String::new();
    let count = outcome.handlers.len();
    if count == 0 {
        let _ = writeln!(
            out,
            "event       {}: no plugin subscribes to it",
            outcome.event
        );
    } else {
        let handlers = if count == 1 { "handler" } else { "handlers" };
        let _ = writeln!(out, "event       {}: {count} {handlers}", outcome.event);
        let width = outcome
            .handlers
            .iter()
            .map(|h| h.plugin.len())
            .chain(["plugin".len()])
            .max()
            .unwrap_or(0);
        let _ = writeln!(out, "  priority  {:width$}  decision", "plugin");
        for handler in &outcome.handlers {
            let _ = writeln!(
                out,
                "  {:>8}  {:width$}  {}",
                handler.priority,
                handler.plugin,
                decision_text(&handler.decision)
            );
        }
    }
    let payload = match style {
        // Continuation lines line up under the first.
        JsonStyle::Pretty => serde_json::to_string_pretty(&outcome.payload)
            .unwrap_or_default()
            .replace('\n', "\n            "),
        JsonStyle::Compact => outcome.payload.to_string(),
    };
    let _ = writeln!(out, "payload     {payload}");
    let _ = writeln!(
        out,
        "stopped by  {}",
        outcome.stopped_by.as_deref().unwrap_or("nobody")
    );
    out
}

/// The whole outcome; a failed handler carries the JSON-RPC error `serve`
/// would answer with.
fn to_json(outcome: &EmitOutcome) -> Value {
    let handlers: Vec<Value> = outcome
        .handlers
        .iter()
        .map(|h| {
            let mut handler = json!({
                "plugin": h.plugin,
                "priority": h.priority,
                "decision": decision_name(&h.decision),
            });
            if let HandlerDecision::Failed(error) = &h.decision {
                handler["error"] =
                    serde_json::to_value(failure::to_rpc_error(error)).unwrap_or_default();
            }
            handler
        })
        .collect();
    json!({
        "event": outcome.event,
        "payload": outcome.payload,
        "stopped_by": outcome.stopped_by,
        "handlers": handlers,
    })
}
