use core::future::Future;
use std::sync::Arc;

use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;
use wasmi::{CompilationMode, Config, CustomFuelCosts, Engine, ExternType, Linker, Module};
use wasmi_plugin_protocol::encode_params;

use crate::{
    CallOptions, CallOutcome, Error, HostHandler, HostRouter, Limits, LogRecord, MaybeSend,
    MaybeSync,
    call::{InstanceState, WasiEnv, run_call},
    inspect::{ImportSupport, import_support},
    log::LogSink,
    wasi,
};

/// A loaded plugin: compiled once, instantiated fresh for every call.
///
/// Cheap to clone (an `Arc`), `Send + Sync` natively: share it between
/// tasks and threads and call it concurrently.
///
/// ```
/// # futures::executor::block_on(async {
/// use wasmi_hdk::Plugin;
///
/// let plugin = Plugin::new(test_plugin_artifacts::TEST_PLUGIN)?;
/// let primes = plugin.call("sieve", serde_json::json!([100])).await?;
/// assert_eq!(primes, 25);
/// # Ok::<(), wasmi_hdk::Error>(()) }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct Plugin {
    inner: Arc<PluginInner>,
}

/// What every call of a plugin shares.
#[derive(Debug)]
pub(crate) struct PluginInner {
    pub(crate) name: Arc<str>,
    pub(crate) engine: Engine,
    pub(crate) module: Module,
    pub(crate) linker: Linker<InstanceState>,
    pub(crate) limits: Limits,
    pub(crate) env: Arc<WasiEnv>,
    pub(crate) host: Arc<dyn HostHandler>,
    pub(crate) log: LogSink,
}

impl core::fmt::Debug for dyn HostHandler {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("HostHandler")
    }
}

impl Plugin {
    /// Loads a plugin with default settings (no host methods).
    ///
    /// # Errors
    ///
    /// See [`PluginBuilder::build`].
    pub fn new(wasm: &[u8]) -> Result<Self, Error> {
        Self::builder().build(wasm)
    }

    /// Starts configuring a plugin.
    pub fn builder() -> PluginBuilder {
        PluginBuilder::default()
    }

    /// The plugin's name (used in logs and given to host methods).
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The limits every call runs under unless [`CallOptions`] say otherwise.
    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    /// Calls `method` with `params` in a fresh instance and returns its result.
    ///
    /// `params` goes on the wire as in the plugin kit: `null` sends none, a
    /// scalar is sent as a one-element array. The future owns what it needs
    /// (`'static`, and `Send` natively): spawn it freely. Dropping it stops
    /// the instance.
    ///
    /// # Errors
    ///
    /// Every [`Error`] variant about calls: the plugin's JSON-RPC error, a
    /// trap, an exit, a limit, a protocol violation.
    pub fn call(
        &self,
        method: &str,
        params: Value,
    ) -> impl Future<Output = Result<Value, Error>> + MaybeSend + 'static {
        let outcome = self.call_with(method, params, CallOptions::new());
        async move { outcome.await.result }
    }

    /// Like [`call`](Self::call), with typed params and result.
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call), plus [`Error::InvalidParams`] if `params` is
    /// not JSON and [`Error::UnexpectedResult`] if the result is not an `R`.
    pub fn call_typed<P: Serialize, R: DeserializeOwned>(
        &self,
        method: &str,
        params: P,
    ) -> impl Future<Output = Result<R, Error>> + MaybeSend + 'static + use<P, R> {
        let params = serde_json::to_value(params).map_err(Error::InvalidParams);
        let this = self.clone();
        let method = method.to_owned();
        async move {
            let value = this.call(&method, params?).await?;
            serde_json::from_value(value).map_err(Error::UnexpectedResult)
        }
    }

    /// Calls `method` with per-call options and returns the result together
    /// with the call's [`CallReport`](crate::CallReport).
    pub fn call_with(
        &self,
        method: &str,
        params: Value,
        options: CallOptions,
    ) -> impl Future<Output = CallOutcome> + MaybeSend + 'static {
        let inner = self.inner.clone();
        let method = method.to_owned();
        async move {
            // Scalars become one-element arrays; this cannot fail for a `Value`.
            let params = encode_params(params).unwrap_or_default();
            run_call(&inner, &method, params, &options).await
        }
    }
}

/// Configures and loads a [`Plugin`]; every setter is a by-value `with_*`.
///
/// ```
/// use wasmi_hdk::{HostRouter, Limits, Plugin, RpcError};
///
/// let plugin = Plugin::builder()
///     .with_name("greeter")
///     .with_limits(Limits::default().with_max_memory(32 << 20))
///     .with_env("GREETING", "hi")
///     .with_host(HostRouter::new().method("host.echo", |_caller, v: serde_json::Value| async move {
///         Ok::<_, RpcError>(v)
///     }))
///     .build(test_plugin_artifacts::TEST_PLUGIN)?;
/// assert_eq!(plugin.name(), "greeter");
/// # Ok::<(), wasmi_hdk::Error>(())
/// ```
#[derive(Default)]
#[must_use]
pub struct PluginBuilder {
    name: Option<String>,
    limits: Limits,
    args: Vec<String>,
    env: Vec<(String, String)>,
    host: Option<Arc<dyn HostHandler>>,
    log: LogSink,
    full_validation: bool,
}

impl core::fmt::Debug for PluginBuilder {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PluginBuilder")
            .field("name", &self.name)
            .field("limits", &self.limits)
            .field("args", &self.args)
            .field("env", &self.env)
            .finish_non_exhaustive()
    }
}

impl PluginBuilder {
    /// The plugin's name: argv\[0\], the `plugin` field of its logs, and
    /// what host methods see as the caller. Default `plugin`.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The limits each call runs under.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Appends a command-line argument (after argv\[0\]).
    pub fn with_arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Sets an environment variable the plugin sees (none by default).
    pub fn with_env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// The host methods the plugin may call; without one every host call
    /// answers `-32601`.
    pub fn with_host(mut self, host: impl HostHandler) -> Self {
        self.host = Some(Arc::new(host));
        self
    }

    /// Validates every function of the module at load instead of each one
    /// when it is first called (the default, which keeps loading fast).
    /// Either way no unvalidated code runs; with `true` an invalid module is
    /// refused by [`build`](Self::build) rather than by its first call.
    pub fn with_full_validation(mut self, full: bool) -> Self {
        self.full_validation = full;
        self
    }

    /// Sends the plugin's stderr lines to `handler` instead of `tracing`.
    pub fn with_log_handler(
        mut self,
        handler: impl Fn(&LogRecord<'_>) + MaybeSend + MaybeSync + 'static,
    ) -> Self {
        self.log = LogSink::Callback(Arc::new(handler));
        self
    }

    /// Compiles `wasm`, checks it is a WASI command this runtime can run,
    /// and links it once for all later calls.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidModule`] if `wasm` is not valid WebAssembly or has no
    /// `memory` export, [`Error::MissingStart`] without a `_start` export,
    /// [`Error::UnsupportedImport`] for an import other than WASI preview 1.
    #[cfg_attr(
        target_arch = "wasm32",
        expect(
            clippy::arc_with_non_send_sync,
            reason = "one type on every target; on wasm32 host methods may hold JavaScript values"
        )
    )]
    pub fn build(self, wasm: &[u8]) -> Result<Plugin, Error> {
        let engine = Engine::new(&engine_config());
        let invalid = |e: wasmi::Error| Error::InvalidModule {
            reason: e.to_string(),
        };
        if self.full_validation {
            Module::validate(&engine, wasm).map_err(invalid)?;
        }
        let module = Module::new(&engine, wasm).map_err(invalid)?;
        check_exports(&module)?;
        check_imports(&module)?;
        let mut linker = Linker::new(&engine);
        wasi::add_to_linker(&mut linker).map_err(|e| Error::Instantiation {
            reason: e.to_string(),
        })?;
        let name: Arc<str> = self.name.unwrap_or_else(|| "plugin".to_owned()).into();
        let args = core::iter::once(&*name).chain(self.args.iter().map(String::as_str));
        let env = WasiEnv::new(args, self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        Ok(Plugin {
            inner: Arc::new(PluginInner {
                name,
                engine,
                module,
                linker,
                limits: self.limits,
                env: Arc::new(env),
                host: self.host.unwrap_or_else(|| Arc::new(HostRouter::new())),
                log: self.log,
            }),
        })
    }
}

/// Fuel metering on (for slicing and budgets); lazy validation and
/// translation (each function on its first call, once per plugin) for fast
/// loading, charged no fuel: the documented workaround for wasmi 2.0's
/// out-of-fuel-during-translation bug, and deterministic fuel per call.
fn engine_config() -> Config {
    let mut config = Config::default();
    config
        .consume_fuel(true)
        .compilation_mode(CompilationMode::Lazy)
        .fuel_cost(CustomFuelCosts {
            bytes_copied_per_fuel: 64,
            fuel_per_bytes_translated: 0,
            fuel_per_bytes_validated: 0,
        });
    config
}

fn check_exports(module: &Module) -> Result<(), Error> {
    match module.get_export("_start") {
        Some(ExternType::Func(ty)) if ty.params().is_empty() && ty.results().is_empty() => {}
        _ => return Err(Error::MissingStart),
    }
    match module.get_export("memory") {
        Some(ExternType::Memory(_)) => Ok(()),
        _ => Err(Error::InvalidModule {
            reason: "the module exports no memory named `memory`".to_owned(),
        }),
    }
}

fn check_imports(module: &Module) -> Result<(), Error> {
    for import in module.imports() {
        if let ImportSupport::Unsupported(reason) =
            import_support(import.module(), import.name(), import.ty())
        {
            return Err(Error::UnsupportedImport {
                module: import.module().to_owned(),
                name: import.name().to_owned(),
                reason,
            });
        }
    }
    Ok(())
}
