//! `wasmi-host call`: one request, one fresh instance, the result on stdout.

use std::io::Write;

use serde_json::Value;
use wasmi_hdk::CallOptions;

use crate::{
    cli::CallArgs,
    error::CliError,
    exit::Exit,
    load::{self, PluginSource},
    logging::Verbosity,
    output::{self, JsonStyle},
    store_file, units,
};

/// Calls the method and prints its result (or fails with the call's error).
pub(crate) async fn run(args: CallArgs, verbosity: Verbosity) -> Result<Exit, CliError> {
    // Bad params are a usage error, found before any plugin is loaded.
    let params = match args.params.as_deref() {
        None => Value::Null,
        Some(text) => {
            units::parse_json(text).map_err(|e| CliError::Usage(format!("PARAMS_JSON {e}")))?
        }
    };
    let source = PluginSource::open(args.plugin.as_deref())?;
    let store = store_file::open(&args.store)?;
    let plugin = source.load(&args.run, load::default_limits(), Some(store), verbosity)?;
    tracing::debug!(plugin = plugin.name(), method = %args.method, "calling");
    let outcome = plugin
        .call_with::<Value>(&args.method, params, CallOptions::new())
        .await;
    let (result, report) = match outcome {
        Ok(reported) => (Ok(reported.value), reported.report),
        Err(failure) => (Err(failure.error), failure.report),
    };
    if args.report {
        let _ = std::io::stderr()
            .lock()
            .write_all(output::format_report(&report).as_bytes());
    }
    let result = result.map_err(CliError::Call)?;
    output::print_json(&result, JsonStyle::choose(args.pretty, args.compact)).map_err(
        |source| CliError::Io {
            what: "cannot write the result to stdout",
            source,
        },
    )?;
    Ok(Exit::Success)
}
