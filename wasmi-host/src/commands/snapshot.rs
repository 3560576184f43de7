//! `wasmi-host snapshot`: pre-initialise a plugin ahead of time.

use wasmi_hdk::inspect::{Initialization, ModuleInfo};

use crate::{
    cli::SnapshotArgs,
    error::CliError,
    exit::Exit,
    load::{self, PluginSource},
    logging::Verbosity,
    output::human_bytes,
};

/// Runs the initialiser of `args.input` and writes the snapshot to `args.output`.
pub(crate) fn run(args: &SnapshotArgs, verbosity: Verbosity) -> Result<Exit, CliError> {
    let source = PluginSource::open(Some(&args.input))?;
    let limits = source.limits(&args.limits, load::default_limits());
    let before = ModuleInfo::parse(&source.bytes)
        .map(|info| info.initialization)
        .unwrap_or(Initialization::None);
    let snapshot = source.preinitialize(
        limits,
        (&args.wasi, &args.files),
        args.nondeterministic,
        verbosity,
    )?;
    std::fs::write(&args.output, &snapshot).map_err(|source| CliError::Io {
        what: "cannot write the snapshot",
        source,
    })?;
    let what = match before {
        Initialization::Initializer { exports } => format!("ran {}", exports.join(" then ")),
        Initialization::Preinitialized { by } => {
            format!("already pre-initialised (by {by}), copied unchanged")
        }
        _ => "no initialiser, copied unchanged".to_owned(),
    };
    verbosity.print_note(&format!(
        "wrote {} ({}; {what})",
        args.output.display(),
        human_bytes(snapshot.len() as u64)
    ));
    Ok(Exit::Success)
}
