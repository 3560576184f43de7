//! # wasmi-host: run WebAssembly plugins from the command line
//!
//! Plugins are `wasm32-wasip1` programs that speak newline-delimited
//! JSON-RPC 2.0 over stdin/stdout (see `PROTOCOL.md`); `wasmi-host` runs
//! them on the wasmi interpreter through `wasmi-hdk`:
//!
//! - `call` runs one request and prints the result,
//! - `serve` turns a plugin (or a directory of plugins) into a JSON-RPC
//!   server on stdio,
//! - `emit` publishes an event to a directory of plugins,
//! - `inspect` shows what a module imports, exports and describes,
//! - `check` tests a plugin, in any language, against the protocol.
//!
//! ```text
//! $ wasmi-host call sieve 1000000
//! 78498
//! ```
//!
//! Exit codes: 0 success, 1 plugin error, 2 usage error, 3 plugin failure
//! (trap, limit, timeout, protocol violation; a failed check), 4 cannot load.

mod cli;
mod color;
mod commands;
mod error;
mod exit;
mod failure;
mod host_methods;
mod load;
mod logging;
mod output;
mod plugin_dir;
mod schema;
mod units;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use crate::{cli::Cli, color::ColorWhen, logging::Verbosity};

// Dev-dependencies of the CLI tests in `tests/`, unused by the unit tests.
#[cfg(test)]
use {
    assert_cmd as _, tar as _, tempfile as _, test_plugin_artifacts as _, wait_timeout as _,
    wat as _,
};

fn main() -> ExitCode {
    // Usage errors exit here with clap's message and code 2.
    let cli = parse();
    let verbosity = Verbosity::from_flags(cli.quiet, cli.verbose, cli.color.streams());
    verbosity.init_tracing();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            verbosity.print_error(&format!("cannot start the async runtime: {e}"));
            return exit::Exit::Failed.into();
        }
    };
    let code = runtime.block_on(async {
        match commands::run(cli.command, verbosity).await {
            Ok(exit) => exit.into(),
            Err(error) => {
                verbosity.print_error(&error.to_string());
                error.exit().into()
            }
        }
    });
    // A read of stdin may still be blocked on a worker thread (`serve`
    // stops reading when its client goes away): exit without waiting for it.
    runtime.shutdown_background();
    code
}

/// The command line as clap reads it, with `--version`'s engine version
/// and `--color` applied to clap's own help and errors.
fn parse() -> Cli {
    let color = ColorWhen::from_args(std::env::args_os());
    let matches = command().color(color.for_clap()).get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit())
}

/// The clap command, with the version line `wasmi-host X (wasmi Y)`.
pub(crate) fn command() -> clap::Command {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let version = VERSION.get_or_init(|| {
        format!(
            "{} (wasmi {})",
            env!("CARGO_PKG_VERSION"),
            wasmi_hdk::WASMI_VERSION
        )
    });
    Cli::command().version(version.as_str())
}
