//! Pre-initialises a plugin whose initialiser reads files, until
//! `wasmi-host snapshot` takes `--archive`/`--dir` itself: what
//! `plugins/python/build.sh` runs to snapshot the Python reactor.
//!
//! Usage: `snapshot-with-files IN.wasm OUT.wasm [--archive GUEST=FILE]...
//! [--dir GUEST=HOSTDIR]... [--env KEY=VALUE]... [--name NAME]`. The
//! snapshot is deterministic (fixed clocks and randomness), as
//! `wasmi-host snapshot` makes it. The plugin's log lines go to stderr as
//! `LEVEL target: message`.

use std::process::ExitCode;

use wasmi_hdk::{Limits, Plugin};

// The binary shares the package of the integration tests.
use {futures as _, integration_tests as _, serde_json as _};
#[cfg(test)]
use {
    libc as _, redb as _, tempfile as _, test_plugin_artifacts as _, tokio as _, tracing as _,
    wat as _,
};

const USAGE: &str = "usage: snapshot-with-files IN.wasm OUT.wasm [--archive GUEST=FILE]... \
                     [--dir GUEST=HOSTDIR]... [--env KEY=VALUE]... [--name NAME]";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("snapshot-with-files: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<(), String> {
    let mut paths = Vec::new();
    let mut builder = Plugin::builder()
        .with_limits(Limits::default().without_timeout())
        .with_deterministic_preinitialization()
        .with_log_handler(|record| {
            let target = record.target.map(|t| format!("{t}: ")).unwrap_or_default();
            eprintln!("{} {target}{}", record.level, record.message);
        });
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut pair = |what: &str| -> Result<(String, String), String> {
            let value = args
                .next()
                .ok_or_else(|| format!("{what} needs a value\n{USAGE}"))?;
            let (key, value) = value
                .split_once('=')
                .ok_or_else(|| format!("{what} takes KEY=VALUE, not {value}"))?;
            Ok((key.to_owned(), value.to_owned()))
        };
        builder = match arg.as_str() {
            "--archive" => {
                let (guest, file) = pair("--archive")?;
                let bytes = std::fs::read(&file).map_err(|e| format!("{file}: {e}"))?;
                builder.with_archive(guest, bytes)
            }
            "--dir" => {
                let (guest, dir) = pair("--dir")?;
                builder.with_dir(guest, dir)
            }
            "--env" => {
                let (key, value) = pair("--env")?;
                builder.with_env(key, value)
            }
            "--name" => builder.with_name(args.next().ok_or(USAGE)?),
            _ if arg.starts_with('-') => return Err(format!("unknown option {arg}\n{USAGE}")),
            _ => {
                paths.push(arg);
                builder
            }
        };
    }
    let [input, output] = paths.as_slice() else {
        return Err(USAGE.to_owned());
    };
    let wasm = std::fs::read(input).map_err(|e| format!("{input}: {e}"))?;
    let snapshot = builder.preinitialize(&wasm).map_err(|e| e.to_string())?;
    std::fs::write(output, snapshot).map_err(|e| format!("{output}: {e}"))
}
