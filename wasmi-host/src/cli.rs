//! The command line: every command, flag and help text.

use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand};
use serde_json::Value;
use wasmi_hdk::{Dialect, LimitsOverlay};

use crate::{color::ColorWhen, exit::exit_codes_help, host_methods::host_methods_help, units};

/// Run WebAssembly plugins (wasm32-wasip1 programs speaking JSON-RPC 2.0
/// over stdin/stdout) on the wasmi interpreter.
#[derive(Debug, Parser)]
#[command(
    name = "wasmi-host",
    version,
    after_help = TOP_HELP,
    propagate_version = true,
)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,

    /// Hide the plugin's log lines (its stderr) and the CLI's warnings
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub(crate) quiet: bool,

    /// Show the plugin's debug logs (-vv: trace); sets PLUGIN_LOG for the plugin
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub(crate) verbose: u8,

    /// Colour the output: auto (a terminal, unless NO_COLOR is set), always, never
    #[arg(
        long,
        global = true,
        value_name = "WHEN",
        value_enum,
        default_value_t = ColorWhen::Auto,
        hide_possible_values = true,
        hide_default_value = true
    )]
    pub(crate) color: ColorWhen,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run one request in a fresh instance and print its result as JSON
    #[command(after_help = CALL_HELP)]
    Call(CallArgs),
    /// Serve JSON-RPC 2.0 on stdin/stdout, one fresh instance per request
    #[command(after_help = SERVE_HELP)]
    Serve(ServeArgs),
    /// Publish an event to a directory of plugins and show what each handler did
    #[command(after_help = EMIT_HELP)]
    Emit(EmitArgs),
    /// Show a module's size, imports, exports, memory, entry point and methods
    #[command(after_help = INSPECT_HELP)]
    Inspect(InspectArgs),
    /// Check that a plugin follows PROTOCOL.md (a pass/fail table)
    #[command(after_help = CHECK_HELP)]
    Check(CheckArgs),
    /// Pre-initialise a plugin: run its initialiser once, write the snapshot
    #[command(after_help = SNAPSHOT_HELP)]
    Snapshot(SnapshotArgs),
    /// Run any wasm32-wasip1 program with this runtime's WASI layer, stdio passed through
    #[command(after_help = RUN_HELP)]
    Run(ProgramArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    #[command(after_help = COMPLETIONS_HELP)]
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page, or write one per command into a directory
    #[command(after_help = MAN_HELP)]
    Man {
        /// Write wasmi-host.1 and wasmi-host-COMMAND.1 into DIR instead of printing wasmi-host.1
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
}

/// `wasmi-host run`.
#[derive(Debug, Args)]
pub(crate) struct ProgramArgs {
    /// The program
    #[arg(value_name = "FILE.wasm")]
    pub(crate) file: PathBuf,

    /// Arguments for the program, after its argv 0 (its file stem)
    #[arg(
        value_name = "ARGS",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub(crate) program_args: Vec<String>,

    /// Limits of the run (no timeout by default).
    #[command(flatten)]
    pub(crate) limits: LimitArgs,

    /// Environment and more arguments.
    #[command(flatten)]
    pub(crate) wasi: WasiArgs,

    /// Directories.
    #[command(flatten)]
    pub(crate) files: FilesArgs,
}

/// `wasmi-host snapshot`.
#[derive(Debug, Args)]
pub(crate) struct SnapshotArgs {
    /// The module to pre-initialise (it exports `wizer.initialize` or `_initialize`)
    #[arg(value_name = "IN.wasm")]
    pub(crate) input: PathBuf,

    /// Where to write the pre-initialised module
    #[arg(short, long, value_name = "OUT.wasm")]
    pub(crate) output: PathBuf,

    /// Give the initialiser the host's clocks and randomness (the output then differs from run to run)
    #[arg(long)]
    pub(crate) nondeterministic: bool,

    /// Limits and environment of the initialiser.
    #[command(flatten)]
    pub(crate) limits: LimitArgs,

    /// Environment and arguments.
    #[command(flatten)]
    pub(crate) wasi: WasiArgs,

    /// Directories the initialiser (and every request) sees.
    #[command(flatten)]
    pub(crate) files: FilesArgs,
}

/// `wasmi-host call`.
#[derive(Debug, Args)]
pub(crate) struct CallArgs {
    /// The plugin to run [default: the embedded example plugin]
    #[arg(long, value_name = "FILE.wasm")]
    pub(crate) plugin: Option<PathBuf>,

    /// The method to call
    #[arg(value_name = "METHOD")]
    pub(crate) method: String,

    /// The params as JSON.
    #[arg(
        value_name = "PARAMS_JSON",
        allow_negative_numbers = true,
        help = "The params as JSON: an array, an object, or a scalar (sent as [x]); omit for none"
    )]
    pub(crate) params: Option<String>,

    /// Print the call's report (fuel, time, memory, host calls, bytes) on stderr
    #[arg(long)]
    pub(crate) report: bool,

    /// Pretty-print the result [default when stdout is a terminal]
    #[arg(long, conflicts_with = "compact")]
    pub(crate) pretty: bool,

    /// Print the result on one line [default when stdout is not a terminal]
    #[arg(long)]
    pub(crate) compact: bool,

    /// Limits, environment and host methods.
    #[command(flatten)]
    pub(crate) run: RunArgs,
}

/// `wasmi-host serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The plugin to serve [default: the embedded example plugin]
    #[arg(long, value_name = "FILE.wasm")]
    pub(crate) plugin: Option<PathBuf>,

    /// Serve every NAME.wasm of DIR (with NAME.toml as its manifest) as NAME.METHOD
    #[arg(
        long,
        value_name = "DIR",
        conflicts_with_all = ["plugin", "env", "args", "dialect", "dirs", "archives", "scratch"]
    )]
    pub(crate) plugins: Option<PathBuf>,

    /// Requests running at once; more wait, and stdin is not read while as many lines wait
    #[arg(long, value_name = "N", default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) max_concurrent: u32,

    /// Limits, environment and host methods.
    #[command(flatten)]
    pub(crate) run: RunArgs,
}

/// `wasmi-host emit`.
#[derive(Debug, Args)]
pub(crate) struct EmitArgs {
    /// The event's name
    #[arg(value_name = "EVENT")]
    pub(crate) event: String,

    /// The payload as JSON.
    #[arg(
        value_name = "PAYLOAD_JSON",
        allow_negative_numbers = true,
        help = "The payload as JSON (any value) [default: null]"
    )]
    pub(crate) payload: Option<String>,

    /// The plugins: every NAME.wasm of DIR, with NAME.toml as its manifest
    #[arg(long, value_name = "DIR")]
    pub(crate) plugins: PathBuf,

    /// Print the whole outcome as one JSON object instead of a table
    #[arg(long)]
    pub(crate) json: bool,

    /// Default limits (manifests override them).
    #[command(flatten)]
    pub(crate) limits: LimitArgs,

    /// Host methods.
    #[command(flatten)]
    pub(crate) mocks: MockArgs,
}

/// `wasmi-host inspect`.
#[derive(Debug, Args)]
pub(crate) struct InspectArgs {
    /// The module to inspect [default: the embedded example plugin]
    #[arg(value_name = "FILE.wasm")]
    pub(crate) file: Option<PathBuf>,

    /// Print the facts as one JSON object instead of text
    #[arg(long)]
    pub(crate) json: bool,
}

/// `wasmi-host check`.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// The plugin to check [default: the embedded example plugin]
    #[arg(value_name = "FILE.wasm")]
    pub(crate) file: Option<PathBuf>,

    /// A method the plugin implements, probed with malformed params (repeatable);
    /// methods listed by the plugin's rpc.discover are probed too
    #[arg(long = "method", value_name = "NAME")]
    pub(crate) methods: Vec<String>,

    /// A call that must succeed: METHOD or METHOD=PARAMS_JSON (repeatable)
    #[arg(long = "call", value_name = "METHOD[=PARAMS_JSON]", value_parser = units::parse_call)]
    pub(crate) calls: Vec<(String, Value)>,

    /// Limits, environment and host methods.
    #[command(flatten)]
    pub(crate) run: RunArgs,
}

/// What every plugin run is given: limits, arguments, environment, mocks.
#[derive(Debug, Args)]
#[command(next_help_heading = "Plugin options")]
pub(crate) struct RunArgs {
    /// Fuel, time and memory.
    #[command(flatten)]
    pub(crate) limits: LimitArgs,

    /// Environment and arguments.
    #[command(flatten)]
    pub(crate) wasi: WasiArgs,

    /// Directories.
    #[command(flatten)]
    pub(crate) files: FilesArgs,

    /// The plugin's wire dialect: jsonrpc, or framework-0.1 (plugins built for wasmi-plugin-framework 0.1) [default: jsonrpc]
    #[arg(long, value_name = "DIALECT", value_parser = units::parse_dialect)]
    pub(crate) dialect: Option<Dialect>,

    /// Mocked host methods.
    #[command(flatten)]
    pub(crate) mocks: MockArgs,
}

/// The plugin's environment and command-line arguments.
#[derive(Debug, Args)]
#[command(next_help_heading = "Plugin options")]
pub(crate) struct WasiArgs {
    /// An environment variable for the plugin (repeatable)
    #[arg(long = "env", value_name = "KEY=VALUE", value_parser = units::parse_key_value)]
    pub(crate) env: Vec<(String, String)>,

    /// Command-line arguments for the plugin.
    #[arg(
        long = "arg",
        value_name = "ARG",
        allow_hyphen_values = true,
        help = "A command-line argument for the plugin, after argv[0] (repeatable)"
    )]
    pub(crate) args: Vec<String>,
}

/// The plugin's directories: each flag is a manifest `[files]` entry.
#[derive(Debug, Args)]
#[command(next_help_heading = "Plugin options")]
pub(crate) struct FilesArgs {
    /// Show host directory HOSTDIR to the plugin at GUEST (e.g. /data), read-only, read at load (repeatable)
    #[arg(long = "dir", value_name = "GUEST=HOSTDIR", value_parser = units::parse_key_value)]
    pub(crate) dirs: Vec<(String, String)>,

    /// Show a tar or zip archive's contents to the plugin at GUEST, read-only (repeatable)
    #[arg(long = "archive", value_name = "GUEST=FILE", value_parser = units::parse_key_value)]
    pub(crate) archives: Vec<(String, String)>,

    /// A writable directory at GUEST (e.g. /tmp), empty at each request, holding at most QUOTA bytes [default quota: 16M]
    #[arg(long = "scratch", value_name = "GUEST[=QUOTA]", value_parser = units::parse_scratch)]
    pub(crate) scratch: Vec<(String, u64)>,
}

/// The limits of every call: each flag is the [`LimitsOverlay`] field of
/// the same name, read by the kit's own rules (as in a manifest).
#[derive(Debug, Args)]
#[command(next_help_heading = "Plugin options")]
pub(crate) struct LimitArgs {
    /// Wall-clock limit per call: 500ms, 2s, 1m, or unlimited [default: 30s; check: 10s]
    #[arg(long, value_name = "DURATION", value_parser = units::limit("timeout"))]
    pub(crate) timeout: Option<LimitsOverlay>,

    /// Fuel (about one per Wasm instruction) per call, or unlimited [default: unlimited; check: 10000000000]
    #[arg(long, value_name = "N", value_parser = units::limit("fuel"))]
    pub(crate) fuel: Option<LimitsOverlay>,

    /// Linear-memory cap per instance, in bytes or with K, M, G [default: 64M]
    #[arg(long, value_name = "BYTES", value_parser = units::limit("max_memory"))]
    pub(crate) max_memory: Option<LimitsOverlay>,

    /// Largest protocol line either way, in bytes or with K, M, G; `serve` answers a longer input line -32600 [default: 16M]
    #[arg(long, value_name = "BYTES", value_parser = units::limit("max_message"))]
    pub(crate) max_message: Option<LimitsOverlay>,

    /// Bytes of the plugin's stderr kept for error reports [default: 8K]
    #[arg(long, value_name = "BYTES", value_parser = units::limit("max_stderr"))]
    pub(crate) max_stderr: Option<LimitsOverlay>,

    /// Fuel run between two yields to other calls [default: 250000]
    #[arg(long, value_name = "N", value_parser = units::limit("fuel_slice"))]
    pub(crate) fuel_slice: Option<LimitsOverlay>,

    /// Files and directories an instance may hold open at once, its --dir/--archive/--scratch included [default: 1024]
    #[arg(long, value_name = "N", value_parser = units::limit("max_open_files"))]
    pub(crate) max_open_files: Option<LimitsOverlay>,
}

impl LimitArgs {
    /// The flags given, as one overlay.
    pub(crate) fn overlay(&self) -> LimitsOverlay {
        [
            &self.timeout,
            &self.fuel,
            &self.max_memory,
            &self.max_message,
            &self.max_stderr,
            &self.fuel_slice,
            &self.max_open_files,
        ]
        .into_iter()
        .flatten()
        .fold(LimitsOverlay::new(), |all, one| all.merge(one))
    }
}

/// Host methods answered with fixed results.
#[derive(Debug, Args)]
#[command(next_help_heading = "Plugin options")]
pub(crate) struct MockArgs {
    /// Answer the plugin's host call METHOD with the JSON result (repeatable)
    #[arg(long = "mock", value_name = "METHOD=JSON", value_parser = units::parse_mock)]
    pub(crate) mocks: Vec<(String, Value)>,

    /// Load mocks from a JSON object {"method": result, ...} (repeatable)
    #[arg(long = "mock-file", value_name = "FILE.json")]
    pub(crate) mock_files: Vec<PathBuf>,
}

const TOP_HELP: &str = "Examples:
  wasmi-host call sieve 1000000                       # the embedded example plugin
  wasmi-host call --plugin my_plugin.wasm greet '{\"name\": \"Ada\"}'
  wasmi-host serve --plugins plugins/                 # JSON-RPC on stdio, PLUGIN.METHOD

`wasmi-host help COMMAND` shows a command's options, the host methods a
plugin can call and the exit codes.
";

const COMPLETIONS_HELP: &str = "Examples:
  wasmi-host completions bash > ~/.local/share/bash-completion/completions/wasmi-host
  wasmi-host completions zsh > ~/.zfunc/_wasmi-host
  wasmi-host completions fish > ~/.config/fish/completions/wasmi-host.fish
";

const MAN_HELP: &str = "Examples:
  wasmi-host man | man -l -
  wasmi-host man --out-dir ~/.local/share/man/man1
";

const CALL_HELP: &str = concat!(
    "Examples:
  wasmi-host call sieve 1000000
  wasmi-host call add '{\"a\": 1, \"b\": 2}' --report
  wasmi-host call --plugin my_plugin.wasm fetch '[\"x\"]' --mock host.get='{\"ok\":true}'
  wasmi-host call sleep 5000 --timeout 1s          # fails: exit code 3

The result goes to stdout as JSON; the plugin's log lines go to stderr as
[plugin LEVEL target] message.

",
    host_methods_help!(),
    "\n\n",
    exit_codes_help!()
);

const SERVE_HELP: &str = concat!(
    "Example:
  printf '%s\\n' '{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"sieve\",\"params\":[1000]}' | wasmi-host serve
  printf '%s\\n' '{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"greeter.greet\",\"params\":[\"Ada\"]}' \\
    | wasmi-host serve --plugins plugins/

Reads one JSON-RPC 2.0 message (or batch) per line on stdin and answers each
request on stdout, one line each, from a fresh plugin instance. Requests run
concurrently, so answers may come out of order: match them by id.
Notifications get no answer. A plugin failure (trap, limit, timeout...)
answers -32000 with data {\"kind\": ...}. At most --max-concurrent
requests run at once, and reading waits while as many lines or unwritten
answers wait. A batch holds at most 1024 messages; a longer batch, or a
line longer than --max-message, is answered -32600, and a batch whose
answers would be longer than --max-message gets one -32603 error. At end
of input the server finishes the requests in flight and exits; it stops
early if its stdout is closed.

With --plugins DIR it serves every NAME.wasm of DIR (NAME.toml beside it is
its manifest: name, permissions, limits, env, config, events) and a request
for PLUGIN.METHOD goes to plugin PLUGIN's METHOD (split at the first dot);
an unknown plugin answers -32601. A plugin that does not load is reported on
stderr and the others are served. The limit flags are the defaults that
manifests override; the host methods below are open to every plugin, along
with config.get (and plugins.call for a manifest granting \"plugins\").
--env, --arg and --dialect are refused here, and -v does not set PLUGIN_LOG:
use each manifest's [env] and dialect.

",
    host_methods_help!(),
    "\n\n",
    exit_codes_help!()
);

const EMIT_HELP: &str = concat!(
    "Example:
  wasmi-host emit player.join '{\"name\": \"Ada\"}' --plugins plugins/

Loads every NAME.wasm of DIR (NAME.toml beside it is its manifest), delivers
the event to the plugins whose manifest subscribes to it ([[events]]), in
priority order, and prints one row per handler: its priority, name and
decision (continued, modified, stopped, ignored change, failed: WHY, or
skipped after a stop), then the final payload and who stopped the event.
--json prints the whole outcome as JSON instead.

A failed handler does not fail the command: it is a row of the table, and
the exit code is 0 unless no plugin could be loaded (4).

",
    host_methods_help!(),
    "\n\n",
    exit_codes_help!()
);

const INSPECT_HELP: &str = concat!(
    "Example:
  wasmi-host inspect target/wasm32-wasip1/release/my_plugin.wasm

Imports this runtime does not provide are marked UNSUPPORTED (the plugin
cannot load); WASI calls that only answer an errno (no files, sockets or
signals) are marked errno. Then it runs the plugin once, asking rpc.discover
(5 s, 1000000000 fuel), and lists the methods it describes with a summary of
their params and result schemas.

",
    exit_codes_help!()
);

const SNAPSHOT_HELP: &str = concat!(
    "Example:
  wasmi-host snapshot js-runner.wasm -o js-runner.pre.wasm

Runs the module's initialiser once (wizer.initialize, the Wizer convention,
and/or a WASI reactor's _initialize), under the limits given, and writes a
module whose memory and globals start where the initialiser left off, with
the initialiser removed: every request of the written module skips the
start-up work. The output is an ordinary module that any WASI runtime runs.
The initialiser may compute, read the clocks, randomness, args and env, read
the files of --dir/--archive, and log; waiting, calling the host or leaving a
file open fails. Give the same directories when the snapshot runs. Clocks and randomness are fixed by
default, so the same input gives the same bytes (--nondeterministic gives it
the host's instead). Plugins load pre-initialised anyway when they have an
initialiser; snapshotting ahead of time saves that work at every load.

",
    exit_codes_help!()
);

const RUN_HELP: &str = "Examples:
  wasmi-host run hello.wasm
  echo hi | wasmi-host run cat.wasm --dir /data=./data -- -n /data/file.txt
  wasmi-host run python.wasm --archive /lib=python-stdlib.zip --env PYTHONHOME=/lib -- -c 'print(1)'

Runs FILE.wasm's _start (or a reactor's plugin_main) once, as any WASI runtime
would, with this runtime's WASI layer: the CLI's stdin, stdout and stderr are
the program's (stdout is not read as JSON-RPC, and there are no host methods).
A program waiting for stdin is suspended until input comes, without using CPU.
argv[0] is the file's stem; ARGS follow it (after any --arg). No timeout and
no fuel budget by default; the limit flags set them.

Exit codes: the program's own exit code (0 when _start returns); 2 usage
error; 3 the program failed (a trap, a limit, the timeout, stdout closed);
4 it cannot be loaded.
";

const CHECK_HELP: &str = concat!(
    "Example:
  wasmi-host check my_plugin.wasm --method greet --call ping --call 'add=[1,2]'

Checks a plugin written in any language against PROTOCOL.md: its imports,
the answer to an unknown method (-32601), malformed params (-32602 or a
plugin error) for the --method names and those rpc.discover lists, the
--call calls, that stdout carries only JSON-RPC with matching ids, and that
the plugin ends cleanly. Prints a table; exits 3 if a check fails.

",
    exit_codes_help!()
);
