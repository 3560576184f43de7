//! `wasmi-host completions` and `wasmi-host man`: generated from the clap
//! definition, so they always match the flags.

use std::{
    io::{self, Write},
    path::Path,
};

use crate::{error::CliError, exit::Exit};

/// Prints the completion script for `shell`.
pub(crate) fn completions(shell: clap_complete::Shell) -> Result<Exit, CliError> {
    let mut command = crate::command();
    // Into a buffer first: the generator panics on a failed write.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "wasmi-host", &mut script);
    io::stdout()
        .lock()
        .write_all(&script)
        .map_err(|source| CliError::Io {
            what: "cannot write the completion script",
            source,
        })?;
    Ok(Exit::Success)
}

/// Prints `wasmi-host.1`, or writes it and one page per command into `out_dir`.
pub(crate) fn man(out_dir: Option<&Path>) -> Result<Exit, CliError> {
    let command = crate::command();
    let written = match out_dir {
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut page)
                .and_then(|()| io::stdout().lock().write_all(&page))
        }
        Some(dir) => {
            std::fs::create_dir_all(dir).and_then(|()| clap_mangen::generate_to(command, dir))
        }
    };
    written.map_err(|source| CliError::Io {
        what: "cannot write the man page",
        source,
    })?;
    Ok(Exit::Success)
}
