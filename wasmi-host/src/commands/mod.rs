//! One module per command.

mod call;
mod check;
mod docs;
mod emit;
mod inspect;
mod run;
mod serve;
mod snapshot;

use crate::{cli::Command, error::CliError, exit::Exit, logging::Verbosity};

/// Runs `command` and says how it ended.
pub(crate) async fn run(command: Command, verbosity: Verbosity) -> Result<Exit, CliError> {
    match command {
        Command::Call(args) => call::run(args, verbosity).await,
        Command::Serve(args) => serve::run(args, verbosity).await,
        Command::Emit(args) => emit::run(args, verbosity).await,
        Command::Inspect(args) => inspect::run(&args, verbosity).await,
        Command::Check(args) => check::run(args, verbosity).await,
        Command::Snapshot(args) => snapshot::run(&args, verbosity),
        Command::Run(args) => run::run(&args, verbosity).await,
        Command::Completions { shell } => docs::completions(shell),
        Command::Man { out_dir } => docs::man(out_dir.as_deref()),
    }
}
