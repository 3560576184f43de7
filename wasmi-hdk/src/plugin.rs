use core::future::Future;
use std::sync::Arc;

use async_lock::Semaphore;
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;
use wasmi::{CompilationMode, Config, CustomFuelCosts, Engine, Linker, Module};
use wasmi_plugin_protocol::{Dialect, exports};

use crate::{
    CallFailure, CallFuture, CallOptions, CallReport, EngineError, Error, HostHandler, HostRouter,
    Limits, LogRecord, MaybeSend, MaybeSync, Reported,
    call::{CommandIo, InitRun, InstanceState, WasiEnv, run_call, run_command},
    files::{ArchiveLimits, FileTree, Preopens},
    inspect::{EntryPoint, ModuleProblem},
    log::LogSink,
    snapshot, wasi,
};

/// A loaded plugin: compiled once, instantiated fresh for every call.
///
/// Cheap to clone (an `Arc`), `Send + Sync` natively: share it between
/// tasks and threads and call it concurrently.
///
/// Its call verbs follow one rule, the plugin kit's too: [`call`](Self::call)
/// is typed (any `Serialize` params, any `Deserialize` result),
/// [`call_raw`](Self::call_raw) takes and gives JSON values, and
/// [`call_with`](Self::call_with) adds per-call options and the call's
/// report. Every future owns what it needs (`'static`, and `Send`
/// natively): spawn it freely; dropping it stops the instance.
///
/// ```
/// # futures::executor::block_on(async {
/// use serde_json::{Value, json};
/// use wasmi_hdk::{CallOptions, Plugin};
///
/// let plugin = Plugin::new(test_plugin_artifacts::TEST_PLUGIN)?;
/// let primes: u64 = plugin.call("sieve", 100).await?;
/// assert_eq!(primes, 25);
/// let raw: Value = plugin.call_raw("sieve", json!([100])).await?;
/// assert_eq!(raw, json!(25));
/// let reported = plugin.call_with::<u64>("sieve", 100, CallOptions::new()).await?;
/// assert!(reported.report.fuel_consumed > 0);
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
    pub(crate) dialect: Dialect,
    /// Instances that may run at once, if capped.
    pub(crate) slots: Option<Arc<Semaphore>>,
    /// The exports each request runs, in order: `_start`, `plugin_main`,
    /// or `_initialize` then `plugin_main` for a reactor that is not
    /// pre-initialised.
    pub(crate) entry: &'static [&'static str],
    /// The directories every instance gets preopened.
    pub(crate) preopens: Preopens,
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

    /// The wire dialect the plugin speaks.
    pub fn dialect(&self) -> Dialect {
        self.inner.dialect
    }

    /// Calls `method` with `params` in a fresh instance and decodes its
    /// result as `R` (`serde_json::Value` takes any result).
    ///
    /// `params` goes on the wire as in the plugin kit: `()` or `null` sends
    /// none, a scalar is sent as a one-element array, arrays and objects as
    /// they are (in the `framework-0.1` dialect, exactly as given).
    ///
    /// # Errors
    ///
    /// Every [`Error`] about calls: the plugin's JSON-RPC error, a trap, an
    /// exit, a limit, a protocol violation, [`Error::InvalidParams`] if
    /// `params` is not JSON and [`Error::UnexpectedResult`] if the result
    /// is not an `R`.
    pub fn call<R: DeserializeOwned + 'static>(
        &self,
        method: &str,
        params: impl Serialize,
    ) -> CallFuture<Result<R, Error>> {
        let run = self.run(method, serde_json::to_value(params), CallOptions::new());
        CallFuture::new(async move { decode(run.await.0) })
    }

    /// Calls `method` with JSON `params` and returns its JSON result: the
    /// same as [`call`](Self::call) with `Value` in and out.
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call).
    pub fn call_raw(&self, method: &str, params: Value) -> CallFuture<Result<Value, Error>> {
        self.call::<Value>(method, params)
    }

    /// Calls `method` with per-call [`CallOptions`] (limits, a cancel
    /// handle) and gives the call's [`CallReport`](crate::CallReport)
    /// with the result or the error.
    ///
    /// # Errors
    ///
    /// A [`CallFailure`]: the [`Error`] (as for [`call`](Self::call)) and
    /// the report of the call up to its failure. `?` turns it into the
    /// `Error`.
    pub fn call_with<R: DeserializeOwned + 'static>(
        &self,
        method: &str,
        params: impl Serialize,
        options: CallOptions,
    ) -> CallFuture<Result<Reported<R>, CallFailure>> {
        let run = self.run(method, serde_json::to_value(params), options);
        CallFuture::new(async move {
            let (result, report) = run.await;
            match decode(result) {
                Ok(value) => Ok(Reported { value, report }),
                Err(error) => Err(CallFailure { error, report }),
            }
        })
    }

    /// Runs the module once as an ordinary WASI command on `io`: stdin,
    /// stdout and stderr pass through unchanged (nothing is parsed as
    /// JSON-RPC, no host methods), under the plugin's limits, arguments,
    /// environment and files. A read of stdin that finds nothing waits for
    /// `io`'s source without using CPU. This is how a plugin's WASI
    /// behaviour is debugged (`wasmi-host run`) and how any `wasm32-wasip1`
    /// program runs on this WASI layer.
    ///
    /// ```
    /// use wasmi_hdk::{CommandIo, Plugin};
    ///
    /// // A program that copies stdin to stdout, then exits with code 3.
    /// let wasm = wat::parse_str(r#"(module
    ///     (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
    ///     (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
    ///     (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
    ///     (memory (export "memory") 1)
    ///     (func (export "_start")
    ///         (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 1024))
    ///         (loop $copy
    ///             (drop (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
    ///             (if (i32.load (i32.const 8)) (then
    ///                 (i32.store (i32.const 4) (i32.load (i32.const 8)))
    ///                 (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 12)))
    ///                 (i32.store (i32.const 4) (i32.const 1024))
    ///                 (br $copy))))
    ///         (call $exit (i32.const 3))))"#)?;
    /// let plugin = Plugin::new(&wasm)?;
    /// let stdout = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    /// # struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    /// # impl std::io::Write for Shared {
    /// #     fn write(&mut self, b: &[u8]) -> std::io::Result<usize> { self.0.lock().unwrap().write(b) }
    /// #     fn flush(&mut self) -> std::io::Result<()> { Ok(()) }
    /// # }
    /// let io = CommandIo::new(&b"hello"[..], Shared(stdout.clone()), std::io::sink());
    /// let code = futures::executor::block_on(plugin.run_command(io))?;
    /// assert_eq!((code, stdout.lock().unwrap().as_slice()), (3, &b"hello"[..]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// What ends a call ends a command too, except an exit: a trap, a
    /// limit, the timeout, a cancel ([`Error::Trap`], [`Error::OutOfFuel`],
    /// …); [`Error::Io`] (path `stdout`) if writing stdout failed.
    pub fn run_command(&self, io: CommandIo) -> CallFuture<Result<i32, Error>> {
        self.run_command_with(io, CallOptions::new())
    }

    /// [`run_command`](Self::run_command) with per-run [`CallOptions`]
    /// (limits, a cancel handle).
    ///
    /// # Errors
    ///
    /// As [`run_command`](Self::run_command).
    pub fn run_command_with(
        &self,
        io: CommandIo,
        options: CallOptions,
    ) -> CallFuture<Result<i32, Error>> {
        let inner = self.inner.clone();
        CallFuture::new(async move { run_command(&inner, io, &options).await.0 })
    }

    /// One call, owning all it needs: the result as JSON, and the report.
    fn run(
        &self,
        method: &str,
        params: Result<Value, serde_json::Error>,
        options: CallOptions,
    ) -> impl Future<Output = (Result<Value, Error>, CallReport)> + MaybeSend + 'static + use<>
    {
        let inner = self.inner.clone();
        let method = method.to_owned();
        async move {
            match params {
                Ok(params) => run_call(&inner, &method, params, &options).await,
                Err(e) => (Err(Error::InvalidParams(e)), CallReport::default()),
            }
        }
    }
}

/// Decodes a call's JSON result as `R` (a `Value` is handed over as it is).
fn decode<R: DeserializeOwned + 'static>(result: Result<Value, Error>) -> Result<R, Error> {
    let value = result?;
    let mut slot = Some(value);
    if let Some(same) = (&mut slot as &mut dyn core::any::Any).downcast_mut::<Option<R>>()
        && let Some(value) = same.take()
    {
        return Ok(value);
    }
    serde_json::from_value(slot.unwrap_or_default()).map_err(Error::UnexpectedResult)
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
///     .with_max_concurrent(8)
///     .with_host(HostRouter::new().with_method("host.echo", |_caller, v: serde_json::Value| async move {
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
    store: Option<crate::store::StoreHost>,
    log: LogSink,
    full_validation: bool,
    dialect: Dialect,
    slots: Option<Arc<Semaphore>>,
    preinitialization: Preinitialization,
    files: Vec<(String, FilesSource)>,
}

/// What a preopened directory of the builder serves.
#[derive(Debug, Clone)]
enum FilesSource {
    Tree(FileTree),
    Archive(Arc<[u8]>),
    /// A tar or zip file, read by `build`.
    ArchiveFile(std::path::PathBuf),
    /// A host directory, read by `build` (native hosts).
    Dir(std::path::PathBuf),
    Scratch(u64),
}

/// Whether and how a module with an initialiser is pre-initialised.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Preinitialization {
    /// Snapshot at load, with the host's clocks and randomness.
    #[default]
    AtLoad,
    /// Snapshot at load, with fixed clocks and randomness.
    Deterministic,
    /// Never: a reactor runs `_initialize` in every instance.
    Off,
}

impl core::fmt::Debug for PluginBuilder {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PluginBuilder")
            .field("name", &self.name)
            .field("limits", &self.limits)
            .field("args", &self.args)
            .field("env", &self.env)
            .field("dialect", &self.dialect)
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

    /// Gives the plugin a key-value store: the `store.*` host methods
    /// (PROTOCOL.md §11), answered in the plugin's own namespace
    /// ([`Namespace::plugin`](crate::store::Namespace::plugin) of its
    /// name), next to the methods of [`with_host`](Self::with_host). Any
    /// [`KvStore`](crate::store::KvStore) will do (`MemoryStore`,
    /// `RedbStore`, `IndexedDbStore`, an `Arc` of one); keep a clone to
    /// read and write the plugin's data from Rust. A
    /// [`StoreHost`](crate::store::StoreHost) picks other namespaces.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// use serde_json::json;
    /// use wasmi_hdk::{Plugin, store::{KvStore, MemoryStore, Namespace}};
    ///
    /// let store = MemoryStore::new();
    /// let plugin = Plugin::builder()
    ///     .with_name("notes")
    ///     .with_store(store.clone())
    ///     .build(test_plugin_artifacts::TEST_PLUGIN)?;
    /// let set = json!({"method": "store.set", "params": ["last", "hello"]});
    /// plugin.call_raw("call_host", set).await?;
    /// let notes = Namespace::plugin("notes")?;
    /// assert_eq!(store.get(&notes, "last").await?, Some(json!("hello")));
    /// # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
    /// ```
    pub fn with_store(mut self, store: impl Into<crate::store::StoreHost>) -> Self {
        self.store = Some(store.into());
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
        self.log = LogSink::callback(handler);
        self
    }

    /// Sends the plugin's stderr lines to `sink` (a set's).
    pub(crate) fn with_log_sink(mut self, sink: LogSink) -> Self {
        self.log = sink;
        self
    }

    /// The wire dialect the plugin speaks; default [`Dialect::JsonRpc`].
    /// [`Dialect::Framework01`] runs plugins built for
    /// `wasmi-plugin-framework` 0.1 unchanged.
    pub fn with_dialect(mut self, dialect: Dialect) -> Self {
        self.dialect = dialect;
        self
    }

    /// At most `instances` calls of this plugin run at once (at least 1);
    /// more wait their turn (no error), within their own timeout. Unlimited
    /// by default. Calls made by other plugins through `plugins.call` are
    /// bounded per call tree instead and do not wait here.
    pub fn with_max_concurrent(mut self, instances: usize) -> Self {
        self.slots = Some(Arc::new(Semaphore::new(instances.max(1))));
        self
    }

    /// Whether a module with an initialiser (`wizer.initialize`, or a
    /// reactor's `_initialize`) is pre-initialised when it is loaded: the
    /// initialiser runs once, under this plugin's limits, and every
    /// request starts from a snapshot of the state it left (default
    /// `true`). The initialiser may compute, allocate, read the clocks,
    /// randomness, argv and environment, and log; waiting or calling the
    /// host fails the load with [`Error::Initializer`]. What it reads from
    /// the clocks and randomness is the same for every request.
    ///
    /// With `false`, a reactor runs `_initialize` at the start of every
    /// request, and `wizer.initialize` is not called.
    pub fn with_preinitialization(mut self, enabled: bool) -> Self {
        self.preinitialization = if enabled {
            Preinitialization::AtLoad
        } else {
            Preinitialization::Off
        };
        self
    }

    /// Pre-initialises with fixed clocks (starting 2025-01-01T00:00:00Z and
    /// advancing 1 µs per read) and a fixed random stream instead of the
    /// host's, so that the snapshot depends on nothing but the module and
    /// these settings: what `wasmi-host snapshot` uses for reproducible
    /// build artefacts. Implies pre-initialisation.
    pub fn with_deterministic_preinitialization(mut self) -> Self {
        self.preinitialization = Preinitialization::Deterministic;
        self
    }

    /// Pre-initialises `wasm` with this builder's settings (name, limits,
    /// args, environment, log handler) and returns the snapshot: a module
    /// that any WASI runtime can run, whose instances start where the
    /// initialiser left off. `wasm` itself if it has no initialiser or is
    /// pre-initialised already.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidModule`] and the module's [`ModuleProblem`]s as for
    /// [`build`](Self::build); [`Error::Snapshot`] if the module cannot be
    /// snapshotted; [`Error::Initializer`], or the error a call would have,
    /// if its initialiser fails.
    pub fn preinitialize(&self, wasm: &[u8]) -> Result<Vec<u8>, Error> {
        let engine = Engine::new(&engine_config());
        let module = Module::new(&engine, wasm).map_err(|e| Error::InvalidModule {
            source: EngineError::new(e),
        })?;
        if let Some(problem) = ModuleProblem::of(&module).into_iter().next() {
            return Err(problem.into());
        }
        let preopens = self.preopens()?;
        let deterministic = self.preinitialization == Preinitialization::Deterministic;
        Ok(self
            .snapshot(&engine, wasm, deterministic, &preopens)?
            .unwrap_or_else(|| wasm.to_vec()))
    }

    /// The snapshot of `wasm`, made on an engine like `engine`, if it has
    /// an initialiser.
    fn snapshot(
        &self,
        engine: &Engine,
        wasm: &[u8],
        deterministic: bool,
        preopens: &Preopens,
    ) -> Result<Option<Vec<u8>>, Error> {
        let name = self.name();
        let env = Arc::new(self.wasi_env(&name));
        // Only the engine's configuration is used: the run has an engine
        // and linker of its own.
        let linker = Linker::new(engine);
        let init = InitRun {
            engine,
            linker: &linker,
            limits: &self.limits,
            env: &env,
            name: &name,
            log: &self.log,
            preopens,
            deterministic,
        };
        snapshot::preinitialize(&init, wasm)
    }

    fn name(&self) -> Arc<str> {
        self.name.as_deref().unwrap_or("plugin").into()
    }

    fn wasi_env(&self, name: &str) -> WasiEnv {
        let args = core::iter::once(name).chain(self.args.iter().map(String::as_str));
        WasiEnv::new(args, self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// Preopens `tree` (read-only) at guest path `guest` (e.g. `/lib`): the
    /// plugin's `path_open`, `fd_read`, `fd_readdir`… see it there, in
    /// every instance, with nothing copied per instance. Load a tree once
    /// with [`FileTree::from_archive`] (or natively `FileTree::from_host_dir`,
    /// not on wasm32) to share it between plugins.
    pub fn with_preopen(mut self, guest: impl Into<String>, tree: FileTree) -> Self {
        self.files.push((guest.into(), FilesSource::Tree(tree)));
        self
    }

    /// Preopens the tar or zip archive `bytes` (read-only) at guest path
    /// `guest`, loaded by [`build`](Self::build) with the default
    /// [`ArchiveLimits`].
    pub fn with_archive(mut self, guest: impl Into<String>, bytes: impl Into<Arc<[u8]>>) -> Self {
        self.files
            .push((guest.into(), FilesSource::Archive(bytes.into())));
        self
    }

    /// Preopens the tar or zip archive in file `path` (read-only, read by
    /// [`build`](Self::build) with the default [`ArchiveLimits`]) at guest
    /// path `guest`.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn with_archive_file(
        mut self,
        guest: impl Into<String>,
        path: impl Into<std::path::PathBuf>,
    ) -> Self {
        self.files
            .push((guest.into(), FilesSource::ArchiveFile(path.into())));
        self
    }

    /// Applies a plugin's manifest: its name (if it has one), limits (over
    /// the limits set so far), dialect, environment and `[files]`. Read
    /// the manifest with `Manifest::from_file` (not on wasm32) so that its
    /// file paths are relative to it. `config`, `permissions` and `events` are for a
    /// [`PluginSet`](crate::set::PluginSet), which applies the rest the same
    /// way.
    ///
    /// ```
    /// use wasmi_hdk::{Plugin, set::Manifest};
    ///
    /// let manifest = Manifest::from_toml(r#"
    ///     name = "greeter"
    ///     [limits]
    ///     timeout = "2s"
    ///     [files]
    ///     "/tmp" = { scratch = "1M" }
    /// "#, "greeter.toml")?;
    /// let plugin = Plugin::builder()
    ///     .with_manifest(&manifest)
    ///     .build(test_plugin_artifacts::TEST_PLUGIN)?;
    /// assert_eq!(plugin.name(), "greeter");
    /// # Ok::<(), wasmi_hdk::Error>(())
    /// ```
    pub fn with_manifest(mut self, manifest: &crate::set::Manifest) -> Self {
        use crate::set::FilesEntry;
        if let Some(name) = &manifest.name {
            self.name = Some(name.clone());
        }
        self.limits = manifest.limits.apply(&self.limits);
        self.dialect = manifest.dialect;
        self.env
            .extend(manifest.env.iter().map(|(k, v)| (k.clone(), v.clone())));
        for (guest, entry) in &manifest.files {
            let source = match entry {
                FilesEntry::Archive(file) => FilesSource::ArchiveFile(file.clone()),
                FilesEntry::Dir(dir) => FilesSource::Dir(dir.clone()),
                FilesEntry::Scratch(quota) => FilesSource::Scratch(*quota),
            };
            self.files.push((guest.clone(), source));
        }
        self
    }

    /// Preopens host directory `dir` (read-only, read once by
    /// [`build`](Self::build) with the default [`ArchiveLimits`]) at guest
    /// path `guest`.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn with_dir(
        mut self,
        guest: impl Into<String>,
        dir: impl Into<std::path::PathBuf>,
    ) -> Self {
        self.files
            .push((guest.into(), FilesSource::Dir(dir.into())));
        self
    }

    /// Preopens a writable scratch directory at guest path `guest` (e.g.
    /// `/tmp`): empty at the start of every request, discarded at its end,
    /// holding at most `quota` bytes (file contents, names and 128 bytes a
    /// file or directory; `ENOSPC` past it). None by default.
    pub fn with_scratch(mut self, guest: impl Into<String>, quota: u64) -> Self {
        self.files.push((guest.into(), FilesSource::Scratch(quota)));
        self
    }

    /// The preopened directories, loaded.
    fn preopens(&self) -> Result<Preopens, Error> {
        let limits = ArchiveLimits::default();
        let mut preopens = Preopens::default();
        for (guest, source) in &self.files {
            let files = |source| Error::Files {
                guest: guest.clone(),
                source,
            };
            preopens = match source {
                FilesSource::Tree(tree) => preopens.with_tree(guest, tree.clone()),
                FilesSource::Archive(bytes) => preopens.with_tree(
                    guest,
                    FileTree::from_archive(bytes, &limits).map_err(files)?,
                ),
                #[cfg(not(target_arch = "wasm32"))]
                FilesSource::ArchiveFile(file) => {
                    let bytes = std::fs::read(file).map_err(|source| Error::Io {
                        path: file.clone(),
                        source,
                    })?;
                    preopens.with_tree(guest, FileTree::from_archive(&bytes, &limits).map_err(files)?)
                }
                #[cfg(not(target_arch = "wasm32"))]
                FilesSource::Dir(dir) => {
                    preopens.with_tree(guest, FileTree::from_host_dir(dir, &limits).map_err(files)?)
                }
                #[cfg(target_arch = "wasm32")]
                FilesSource::ArchiveFile(path) | FilesSource::Dir(path) => {
                    return Err(Error::InvalidOptions {
                        option: format!("files.{guest}"),
                        reason: format!(
                            "`{}` is a path, and a browser host reads no paths: pass the archive's bytes",
                            path.display()
                        ),
                    });
                }
                FilesSource::Scratch(quota) => preopens.with_scratch(guest, *quota),
            }
            .map_err(files)?;
        }
        Ok(preopens)
    }

    /// Shares a cap on running instances with other plugins (a set's).
    pub(crate) fn with_shared_slots(mut self, slots: Option<Arc<Semaphore>>) -> Self {
        if slots.is_some() {
            self.slots = slots;
        }
        self
    }

    /// Compiles `wasm`, checks it is a WASI command this runtime can run,
    /// and links it once for all later calls.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidModule`] if `wasm` is not valid WebAssembly, then the
    /// first of the module's [`ModuleProblem`]s: [`Error::MissingEntryPoint`],
    /// [`Error::MissingMemory`], [`Error::UnsupportedImport`]; with an
    /// initialiser, the errors of [`preinitialize`](Self::preinitialize).
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
            source: EngineError::new(e),
        };
        if self.full_validation {
            Module::validate(&engine, wasm).map_err(invalid)?;
        }
        let mut module = Module::new(&engine, wasm).map_err(invalid)?;
        if let Some(problem) = ModuleProblem::of(&module).into_iter().next() {
            return Err(problem.into());
        }
        let mut entry = match EntryPoint::of(&module) {
            Some(EntryPoint::Command) => COMMAND,
            _ => REACTOR,
        };
        let preopens = self.preopens()?;
        let has_initializer = [exports::WIZER_INITIALIZE, exports::REACTOR_INITIALIZE]
            .iter()
            .any(|name| module.get_export(name).is_some());
        if has_initializer {
            match self.preinitialization {
                Preinitialization::Off
                    if entry == REACTOR
                        && module.get_export(exports::REACTOR_INITIALIZE).is_some() =>
                {
                    entry = REACTOR_INITIALIZED_EACH_CALL;
                }
                Preinitialization::Off => {}
                mode => {
                    let deterministic = mode == Preinitialization::Deterministic;
                    if let Some(snapshot) =
                        self.snapshot(&engine, wasm, deterministic, &preopens)?
                    {
                        module = Module::new(&engine, &snapshot).map_err(invalid)?;
                    }
                }
            }
        }
        let mut linker = Linker::new(&engine);
        wasi::add_to_linker(&mut linker).map_err(|e| Error::Instantiation {
            source: EngineError::new(e),
        })?;
        let name = self.name();
        let env = self.wasi_env(&name);
        Ok(Plugin {
            inner: Arc::new(PluginInner {
                name,
                engine,
                module,
                linker,
                limits: self.limits,
                env: Arc::new(env),
                host: match (self.host, self.store) {
                    (host, Some(store)) => Arc::new(crate::store::WithStore {
                        store,
                        host: host.unwrap_or_else(|| Arc::new(HostRouter::new())),
                    }),
                    (Some(host), None) => host,
                    (None, None) => Arc::new(HostRouter::new()),
                },
                log: self.log,
                dialect: self.dialect,
                slots: self.slots,
                entry,
                preopens,
            }),
        })
    }
}

/// A command's entry: `_start`.
const COMMAND: &[&str] = &[exports::START];
/// A reactor's entry: `plugin_main` (its `_initialize` ran in the snapshot).
const REACTOR: &[&str] = &[exports::REACTOR_MAIN];
/// A reactor that is not pre-initialised: `_initialize`, then `plugin_main`.
const REACTOR_INITIALIZED_EACH_CALL: &[&str] =
    &[exports::REACTOR_INITIALIZE, exports::REACTOR_MAIN];

/// Fuel metering on (for slicing and budgets); lazy validation and
/// translation (each function on its first call, once per plugin) for fast
/// loading, charged no fuel: the documented workaround for wasmi 2.0's
/// out-of-fuel-during-translation bug, and deterministic fuel per call.
///
/// Exported, hidden, as `__engine_config` for measurements that must run
/// wasmi as a `Plugin` does (the languages latency test's bare instance);
/// not part of the API: it names a wasmi type.
pub fn engine_config() -> Config {
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
