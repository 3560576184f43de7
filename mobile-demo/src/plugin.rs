use core::fmt;
use std::{collections::HashMap, sync::Arc};

use serde_json::Value;
use wasmi_hdk::{Dialect, Plugin as HostPlugin};

use crate::{
    CallReport, CallResult, CancelToken, HostMethods, LogHandler, LogLine, PluginError,
    PluginLimits, Store, host::ForeignHost,
};

/// How to load a plugin; every field is optional in Swift, Kotlin and Python.
#[derive(Clone, uniffi::Record)]
pub struct PluginConfig {
    /// The plugin's name: argv\[0\], the `plugin` of its log lines and what
    /// host methods see as the caller.
    #[uniffi(default = "plugin")]
    pub name: String,
    /// The limits each call runs under unless [`CallOptions`] say otherwise.
    #[uniffi(default)]
    pub limits: PluginLimits,
    /// Environment variables the plugin sees (none by default).
    #[uniffi(default)]
    pub env: HashMap<String, String>,
    /// Command-line arguments after argv\[0\].
    #[uniffi(default)]
    pub args: Vec<String>,
    /// The host methods the plugin may call; without one every host call
    /// answers `-32601`.
    #[uniffi(default = None)]
    pub host: Option<Arc<dyn HostMethods>>,
    /// Receives the plugin's log lines; without one they go to `tracing`
    /// (that is, nowhere unless the app installs a subscriber).
    #[uniffi(default = None)]
    pub log: Option<Arc<dyn LogHandler>>,
    /// The wire dialect the plugin speaks: `jsonrpc` (the default) or
    /// `framework-0.1` (plugins built for `wasmi-plugin-framework` 0.1).
    #[uniffi(default = "jsonrpc")]
    pub dialect: String,
    /// At most this many calls of the plugin run at once; more wait their
    /// turn within their timeout. `None`: no cap.
    #[uniffi(default = None)]
    pub max_concurrent: Option<u32>,
    /// Directories the plugin sees (as a manifest's `[files]`): archives
    /// bundled with the app, scratch directories.
    #[uniffi(default)]
    pub files: Vec<FilesEntry>,
    /// A key-value store for the plugin's `store.*` host methods
    /// (PROTOCOL.md §11), in its namespace `plugin:NAME`; without one they
    /// answer `-32601`. Several plugins may share a [`Store`].
    #[uniffi(default = None)]
    pub store: Option<Arc<Store>>,
}

/// One directory a plugin sees at `guest` (e.g. `/assets`): the contents of
/// a tar or zip `archive` (read-only, shared by every call), or, with
/// `scratch_quota`, a writable directory, empty at the start of each call,
/// holding at most that many bytes. Exactly one of the two.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct FilesEntry {
    /// The path the plugin opens it at.
    pub guest: String,
    /// A tar or zip archive's bytes.
    #[uniffi(default = None)]
    pub archive: Option<Vec<u8>>,
    /// The byte quota of a scratch directory.
    #[uniffi(default = None)]
    pub scratch_quota: Option<u64>,
}

impl Default for PluginConfig {
    fn default() -> Self {
        Self {
            name: "plugin".to_owned(),
            limits: PluginLimits::default(),
            env: HashMap::new(),
            args: Vec::new(),
            host: None,
            log: None,
            dialect: Dialect::default().as_str().to_owned(),
            max_concurrent: None,
            files: Vec::new(),
            store: None,
        }
    }
}

impl fmt::Debug for PluginConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PluginConfig")
            .field("name", &self.name)
            .field("limits", &self.limits)
            .field("env", &self.env)
            .field("args", &self.args)
            .field("host", &self.host.as_ref().map(|_| "HostMethods"))
            .field("log", &self.log.as_ref().map(|_| "LogHandler"))
            .field("dialect", &self.dialect)
            .field("max_concurrent", &self.max_concurrent)
            .field("files", &self.files.len())
            .field("store", &self.store)
            .finish()
    }
}

/// Per-call settings for [`Plugin::call_with`].
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct CallOptions {
    /// Limits for this call instead of the plugin's.
    #[uniffi(default = None)]
    pub limits: Option<PluginLimits>,
    /// Lets this token cancel the call.
    #[uniffi(default = None)]
    pub cancel: Option<Arc<CancelToken>>,
}

/// A loaded plugin: compiled once, a fresh instance for every call.
///
/// Thread-safe: call it from any thread, concurrently. Calls are async;
/// the plugin runs on the thread that awaits the call (the Swift task's or
/// Kotlin coroutine's), in short slices, and waits (host calls, `sleep`)
/// without using CPU. No Rust runtime is involved.
#[derive(Debug, uniffi::Object)]
pub struct Plugin {
    plugin: HostPlugin,
}

#[uniffi::export]
impl Plugin {
    /// Compiles and links `wasm` (a `wasm32-wasip1` command module).
    ///
    /// # Errors
    ///
    /// `InvalidModule`, `MissingEntryPoint`, `MissingMemory` or
    /// `UnsupportedImport` if the bytes are not a plugin this runtime can
    /// run; `InvalidOptions` for a limit or dialect it cannot use.
    #[uniffi::constructor(default(config))]
    pub fn new(wasm: Vec<u8>, config: PluginConfig) -> Result<Self, PluginError> {
        let PluginConfig {
            name,
            limits,
            env,
            args,
            host,
            log,
            dialect,
            max_concurrent,
            files,
            store,
        } = config;
        let dialect = Dialect::from_name(&dialect).ok_or_else(|| PluginError::InvalidOptions {
            option: "dialect".to_owned(),
            reason: format!("`{dialect}` is not a dialect (jsonrpc or framework-0.1)"),
        })?;
        let mut builder = HostPlugin::builder()
            .with_name(name)
            .with_limits(limits.to_limits()?)
            .with_dialect(dialect);
        if let Some(instances) = max_concurrent {
            builder = builder.with_max_concurrent(instances as usize);
        }
        // Sorted, so the plugin sees the same environment on every run.
        let mut env: Vec<_> = env.into_iter().collect();
        env.sort();
        for (key, value) in env {
            builder = builder.with_env(key, value);
        }
        for arg in args {
            builder = builder.with_arg(arg);
        }
        if let Some(host) = host {
            builder = builder.with_host(ForeignHost(host));
        }
        if let Some(log) = log {
            builder = builder.with_log_handler(move |record| log.on_log(LogLine::from(record)));
        }
        if let Some(store) = store {
            builder = builder.with_store(store.shared());
        }
        for entry in files {
            builder = match entry {
                FilesEntry {
                    guest,
                    archive: Some(bytes),
                    scratch_quota: None,
                } => builder.with_archive(guest, bytes),
                FilesEntry {
                    guest,
                    archive: None,
                    scratch_quota: Some(quota),
                } => builder.with_scratch(guest, quota),
                FilesEntry { guest, .. } => {
                    return Err(PluginError::InvalidOptions {
                        option: format!("files.{guest}"),
                        reason: "give exactly one of `archive` and `scratch_quota`".to_owned(),
                    });
                }
            };
        }
        Ok(Self {
            plugin: builder.build(&wasm)?,
        })
    }

    /// The plugin's name.
    pub fn name(&self) -> String {
        self.plugin.name().to_owned()
    }

    /// The limits calls run under by default.
    pub fn limits(&self) -> PluginLimits {
        self.plugin.limits().into()
    }

    /// Calls `method` with `params_json` (JSON text; `"null"` sends no
    /// params, a scalar is sent as a one-element array) in a fresh instance
    /// and returns its result as JSON text.
    ///
    /// # Errors
    ///
    /// `InvalidParams` if `params_json` is not JSON; otherwise what the call
    /// ran into: `Rpc` (the plugin's own error), `Trap`, `Exit`, a limit,
    /// `Protocol`, `Cancelled`.
    #[uniffi::method(default(params_json = "null"))]
    pub async fn call(&self, method: String, params_json: String) -> Result<String, PluginError> {
        let params = parse_params(&params_json)?;
        let result = self.plugin.call_raw(&method, params).await?;
        Ok(result.to_string())
    }

    /// Like [`call`](Self::call), with per-call options, and returns the
    /// call's report too.
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call).
    #[uniffi::method(default(params_json = "null", options))]
    pub async fn call_with(
        &self,
        method: String,
        params_json: String,
        options: CallOptions,
    ) -> Result<CallResult, PluginError> {
        let params = parse_params(&params_json)?;
        let mut call_options = wasmi_hdk::CallOptions::new();
        if let Some(limits) = &options.limits {
            call_options = call_options.with_limits(limits.to_limits()?);
        }
        if let Some(cancel) = &options.cancel {
            call_options = call_options.with_cancel(cancel.handle());
        }
        let reported = self
            .plugin
            .call_with::<Value>(&method, params, call_options)
            .await?;
        Ok(CallResult {
            result_json: reported.value.to_string(),
            report: CallReport::from(&reported.report),
        })
    }
}

fn parse_params(params_json: &str) -> Result<Value, PluginError> {
    serde_json::from_str(params_json).map_err(|e| PluginError::InvalidParams {
        reason: e.to_string(),
    })
}
