//! Finding a plugin's bytes (a file or the embedded default plugin) and
//! loading it with the command line's limits, environment and host methods.

use core::time::Duration;
use std::{
    borrow::Cow,
    path::{Path, PathBuf},
    sync::Arc,
};

use serde_json::Value;
use wasmi_hdk::{
    Limits, Plugin, PluginBuilder, protocol::LOG_FILTER_ENV, set::Manifest, store::KvStore,
};

use crate::{
    cli::{FilesArgs, LimitArgs, MockArgs, ProgramArgs, RunArgs, WasiArgs},
    error::CliError,
    host_methods::CliHost,
    logging::Verbosity,
    units,
};

/// The name of the embedded plugin.
const EMBEDDED_NAME: &str = "example-plugin";

/// The embedded plugin: `default-plugin.wat` (`ping`, `echo`, `add`,
/// `sieve`, `echo_host`), compiled by the build script.
const EMBEDDED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/default-plugin.wasm"));

/// A plugin's bytes, with the name it runs under and how to mention it.
#[derive(Debug)]
pub(crate) struct PluginSource {
    /// The plugin's name: the file stem, or `example-plugin`.
    pub(crate) name: String,
    /// The path in quotes, or `the embedded example-plugin`.
    pub(crate) label: String,
    /// The module.
    pub(crate) bytes: Cow<'static, [u8]>,
    /// Its manifest: `NAME.toml` beside `NAME.wasm`, if there is one.
    pub(crate) manifest: Option<Manifest>,
}

impl PluginSource {
    /// Reads `path`, or takes the embedded example plugin without one.
    ///
    /// Errors: [`CliError::ReadPlugin`] if the file cannot be read,
    /// [`CliError::NotWasm`] if it does not start like a wasm module.
    pub(crate) fn open(path: Option<&Path>) -> Result<Self, CliError> {
        let Some(path) = path else {
            return Ok(Self {
                name: EMBEDDED_NAME.to_owned(),
                label: format!("the embedded {EMBEDDED_NAME}"),
                bytes: Cow::Borrowed(EMBEDDED),
                manifest: None,
            });
        };
        let bytes = std::fs::read(path).map_err(|source| CliError::ReadPlugin {
            path: path.to_owned(),
            source,
        })?;
        let label = format!("`{}`", path.display());
        if !bytes.starts_with(b"\0asm") {
            return Err(CliError::NotWasm { label });
        }
        let name = path
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .filter(|stem| !stem.is_empty())
            .unwrap_or_else(|| "plugin".to_owned());
        let manifest_path = path.with_extension("toml");
        let manifest = match manifest_path.is_file() {
            true => Some(
                Manifest::from_file(&manifest_path).map_err(|source| CliError::Load {
                    label: label.clone(),
                    source,
                })?,
            ),
            false => None,
        };
        Ok(Self {
            name,
            label,
            bytes: Cow::Owned(bytes),
            manifest,
        })
    }

    /// The limits a run gets: `defaults`, then the manifest's, then the
    /// flags given (the command line has the last word).
    pub(crate) fn limits(&self, flags: &LimitArgs, defaults: Limits) -> Limits {
        let defaults = match &self.manifest {
            Some(manifest) => manifest.limits.apply(&defaults),
            None => defaults,
        };
        flags.overlay().apply(&defaults)
    }

    /// Loads the plugin with `run`'s settings; `default_limits` are the
    /// command's own defaults, which `run`'s flags override. With a
    /// `store`, the plugin has the `store.*` host methods in its namespace.
    ///
    /// Errors: [`CliError::Usage`] for an unreadable mock file,
    /// [`CliError::Load`] if the runtime refuses the module.
    pub(crate) fn load(
        &self,
        run: &RunArgs,
        default_limits: Limits,
        store: Option<Arc<dyn KvStore>>,
        verbosity: Verbosity,
    ) -> Result<Plugin, CliError> {
        let host = CliHost::new(mocks(&run.mocks)?, verbosity);
        let limits = self.limits(&run.limits, default_limits);
        let mut builder = self.builder(limits, host, verbosity);
        if let Some(store) = store {
            builder = builder.with_store(store);
        }
        builder = with_wasi(builder, &run.wasi, &run.files);
        if let Some(dialect) = run.dialect {
            builder = builder.with_dialect(dialect);
        }
        let user_sets_log = run.wasi.env.iter().any(|(key, _)| key == LOG_FILTER_ENV);
        if let Some(level) = verbosity.plugin_log_env().filter(|_| !user_sets_log) {
            builder = builder.with_env(LOG_FILTER_ENV, level);
        }
        self.build(builder)
    }

    /// Loads the module as a plain program for `wasmi-host run`: no host
    /// methods, no timeout unless one is given.
    ///
    /// Errors: [`CliError::Load`] if the runtime refuses the module.
    pub(crate) fn load_program(
        &self,
        program: &ProgramArgs,
        verbosity: Verbosity,
    ) -> Result<Plugin, CliError> {
        let limits = self.limits(&program.limits, Limits::default().without_timeout());
        let mut builder = self.builder(limits, CliHost::new([], verbosity), verbosity);
        builder = with_wasi(builder, &program.wasi, &program.files);
        for arg in &program.program_args {
            builder = builder.with_arg(arg);
        }
        self.build(builder)
    }

    /// Loads the plugin under `limits` with the built-in host methods and
    /// no flags (for `inspect`, which asks it to describe itself).
    ///
    /// Errors: [`CliError::Load`] if the runtime refuses the module.
    pub(crate) fn load_plain(
        &self,
        limits: Limits,
        verbosity: Verbosity,
    ) -> Result<Plugin, CliError> {
        let mut builder = self.builder(limits, CliHost::new([], verbosity), verbosity);
        if let Some(level) = verbosity.plugin_log_env() {
            builder = builder.with_env(LOG_FILTER_ENV, level);
        }
        self.build(builder)
    }

    /// The plugin pre-initialised under `limits` with `wasi`'s environment
    /// and arguments (deterministically unless `nondeterministic`).
    ///
    /// Errors: [`CliError::Load`] if the module cannot load or its
    /// initialiser fails.
    pub(crate) fn preinitialize(
        &self,
        limits: Limits,
        (wasi, files): (&WasiArgs, &FilesArgs),
        nondeterministic: bool,
        verbosity: Verbosity,
    ) -> Result<Vec<u8>, CliError> {
        let builder = self.builder(limits, CliHost::new([], verbosity), verbosity);
        let mut builder = with_wasi(builder, wasi, files);
        if !nondeterministic {
            builder = builder.with_deterministic_preinitialization();
        }
        builder
            .preinitialize(&self.bytes)
            .map_err(|source| CliError::Load {
                label: self.label.clone(),
                source,
            })
    }

    /// A builder with the plugin's name, its manifest (if any), `limits`
    /// (which [`limits`](Self::limits) worked out), `host` and the CLI's log.
    fn builder(&self, limits: Limits, host: CliHost, verbosity: Verbosity) -> PluginBuilder {
        let mut builder = Plugin::builder().with_name(&self.name);
        if let Some(manifest) = &self.manifest {
            builder = builder.with_manifest(manifest);
        }
        builder
            .with_limits(limits)
            .with_host(host)
            .with_log_handler(move |record| {
                verbosity.print(record.plugin, record.level, record.target, record.message);
            })
    }

    fn build(&self, builder: PluginBuilder) -> Result<Plugin, CliError> {
        builder.build(&self.bytes).map_err(|source| CliError::Load {
            label: self.label.clone(),
            source,
        })
    }
}

/// `builder` with the arguments, environment and directories of the flags.
fn with_wasi(mut builder: PluginBuilder, wasi: &WasiArgs, files: &FilesArgs) -> PluginBuilder {
    for arg in &wasi.args {
        builder = builder.with_arg(arg);
    }
    for (key, value) in &wasi.env {
        builder = builder.with_env(key, value);
    }
    for (guest, dir) in &files.dirs {
        builder = builder.with_dir(guest, dir);
    }
    for (guest, file) in &files.archives {
        builder = builder.with_archive_file(guest, file);
    }
    for (guest, quota) in &files.scratch {
        builder = builder.with_scratch(guest, *quota);
    }
    builder
}

/// The default limits of `call` and `serve`: the kit's.
pub(crate) fn default_limits() -> Limits {
    Limits::default()
}

/// The default limits of `check`: 10 s and 10 billion fuel per call.
pub(crate) fn check_limits() -> Limits {
    Limits::default()
        .with_timeout(Duration::from_secs(10))
        .with_fuel(10_000_000_000)
}

/// The limits of `inspect`'s `rpc.discover` call: 5 s and a billion fuel.
pub(crate) fn discovery_limits() -> Limits {
    Limits::default()
        .with_timeout(Duration::from_secs(5))
        .with_fuel(1_000_000_000)
}

/// `defaults` with the limit flags given applied (for plugin sets, whose
/// manifests then override them).
pub(crate) fn limits(flags: &LimitArgs, defaults: Limits) -> Limits {
    flags.overlay().apply(&defaults)
}

/// The mocked host methods: the `--mock-file`s, then the `--mock`s (later
/// entries win).
///
/// Errors: [`CliError::Usage`] for an unreadable or malformed mock file.
pub(crate) fn mocks(flags: &MockArgs) -> Result<Vec<(String, Value)>, CliError> {
    let mut mocks = Vec::new();
    for file in &flags.mock_files {
        mocks.extend(read_mock_file(file)?);
    }
    mocks.extend(flags.mocks.iter().cloned());
    Ok(mocks)
}

/// Reads a `--mock-file`: a JSON object mapping host methods to results.
fn read_mock_file(path: &PathBuf) -> Result<Vec<(String, Value)>, CliError> {
    let usage = |why: String| CliError::Usage(format!("mock file {}: {why}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| usage(e.to_string()))?;
    match units::parse_json(&text).map_err(usage)? {
        Value::Object(map) => Ok(map.into_iter().collect()),
        _ => Err(usage(
            "must be a JSON object {\"method\": result, ...}".to_owned(),
        )),
    }
}
