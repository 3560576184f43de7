//! The process exit codes, one per kind of outcome.

use std::process::ExitCode;

/// How a command ended; the number is the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// Everything worked (`check`: no check failed): 0.
    Success,
    /// The plugin answered with a JSON-RPC error: 1.
    PluginError,
    /// `store get`, `store rm`: the key does not exist: 1.
    Missing,
    /// The command line was wrong (clap uses the same code): 2.
    Usage,
    /// The plugin failed at run time: trap, exit, limit, timeout, protocol
    /// violation; for `check`, a check failed: 3.
    Failed,
    /// The plugin cannot be loaded: missing file, not wasm, no entry point,
    /// unsupported import; with `--plugins`, no plugin of the directory
    /// loads: 4.
    Load,
    /// `run`: the program's own exit code.
    Program(i32),
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        Self::from(match exit {
            Exit::Success => 0,
            Exit::PluginError | Exit::Missing => 1,
            Exit::Usage => 2,
            Exit::Failed => 3,
            Exit::Load => 4,
            // As a native process's status: its low 8 bits.
            Exit::Program(code) => code.to_le_bytes()[0],
        })
    }
}

/// The exit codes as `--help` shows them (a macro, so `concat!` can use it).
macro_rules! exit_codes_help {
    () => {
        "Exit codes:
  0  success
  1  the plugin answered with a JSON-RPC error
  2  usage error: bad arguments, PARAMS_JSON not JSON, unreadable mock file
  3  the plugin failed: trap, exit, timeout, fuel or memory limit, protocol
     violation (`check`: a check failed)
  4  the plugin cannot be loaded: missing file, not wasm, no entry point
     (_start or plugin_main), no memory, unsupported import, a failed
     initialiser, bad files (--plugins: no plugin of DIR loads)"
    };
}
pub(crate) use exit_codes_help;
