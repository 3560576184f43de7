//! [`PluginSet`]: many named plugins, their manifests, capabilities and events.

use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    sync::{Arc, Mutex, PoisonError, RwLock},
};

use async_lock::Semaphore;
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;
use wasmi_plugin_protocol::{Event, EventReply, method::ON_EVENT};

use super::{
    EmitOutcome, EventMode, HandlerDecision, HandlerOutcome, Manifest,
    capabilities::{BASELINE, PLUGINS, PluginHost, SET_METHODS},
};
use crate::{
    CallFailure, CallFuture, CallOptions, Error, HostHandler, Limits, LogRecord, MaybeSend,
    MaybeSync, Plugin, Reported,
    log::{LogSink, PLUGIN_LOG_TARGET},
};

/// Calls between plugins may nest this deep by default.
const DEFAULT_MAX_DEPTH: usize = 4;

/// Calls between plugins one call tree may run at once per depth, by default.
const DEFAULT_MAX_NESTED_CALLS: usize = 16;

/// Many plugins loaded side by side, each with a [`Manifest`]: what it may
/// call (capabilities), which events it handles, its limits and config.
///
/// Cheap to clone; calls, reloads and events may run concurrently. A
/// reload swaps the plugin for later calls; calls already running finish
/// on the version they started with. Its call verbs are [`Plugin`]'s, with
/// the plugin's name first.
///
/// ```
/// # futures::executor::block_on(async {
/// use serde_json::json;
/// use wasmi_hdk::{HostRouter, RpcError, set::{Manifest, PluginSet}};
///
/// let storage = HostRouter::new()
///     .with_method("storage.get", |_c, _key: String| async { Ok::<_, RpcError>("value") });
/// let set = PluginSet::builder().with_capability("storage", storage).build()?;
///
/// let manifest = Manifest::from_toml("name = \"demo\"\npermissions = [\"storage\"]", "demo.toml")?;
/// set.load(manifest, test_plugin_artifacts::TEST_PLUGIN)?;
/// let got: String = set.call("demo", "call_host", json!({"method": "storage.get", "params": ["k"]})).await?;
/// assert_eq!(got, "value");
/// # Ok::<(), wasmi_hdk::Error>(()) }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct PluginSet {
    inner: Arc<SetInner>,
}

/// Configures a [`PluginSet`]; the options every plugin of the set shares,
/// each as [`PluginBuilder`](crate::PluginBuilder) has it for one plugin.
#[derive(Debug, Default)]
#[must_use]
pub struct PluginSetBuilder {
    capabilities: Vec<(String, Arc<dyn HostHandler>)>,
    limits: Limits,
    max_depth: Option<usize>,
    max_nested_calls: Option<usize>,
    log: LogSink,
    full_validation: bool,
    slots: Option<Arc<Semaphore>>,
}

impl PluginSetBuilder {
    /// Registers `methods` under capability `name`: only plugins whose
    /// manifest lists `name` in `permissions` may call them. Any
    /// [`HostHandler`] that lists its methods
    /// ([`HostHandler::method_names`]) can be a capability, a
    /// [`HostRouter`](crate::HostRouter) among them.
    pub fn with_capability(mut self, name: impl Into<String>, methods: impl HostHandler) -> Self {
        self.capabilities.push((name.into(), Arc::new(methods)));
        self
    }

    /// Registers a key-value store as the capability
    /// [`storage`](crate::store::CAPABILITY): a plugin whose manifest lists
    /// `storage` in `permissions` may call the `store.*` host methods
    /// (PROTOCOL.md §11), each in its own namespace
    /// ([`Namespace::plugin`](crate::store::Namespace::plugin) of its name);
    /// others are answered `-32002`. Any [`KvStore`](crate::store::KvStore)
    /// will do; keep a clone to read and write every plugin's data from
    /// Rust. A [`StoreHost`](crate::store::StoreHost) picks other
    /// namespaces.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// use serde_json::json;
    /// use wasmi_hdk::{set::{Manifest, PluginSet}, store::{KvStore, MemoryStore, Namespace}};
    ///
    /// let store = MemoryStore::new(); // or RedbStore::open("plugins.redb")?
    /// let set = PluginSet::builder().with_store(store.clone()).build()?;
    /// let manifest = Manifest::from_toml("name = \"keeper\"\npermissions = [\"storage\"]", "keeper.toml")?;
    /// set.load(manifest, test_plugin_artifacts::TEST_PLUGIN)?;
    /// let visit = json!({"method": "store.increment", "params": ["visits"]});
    /// assert_eq!(set.call::<i64>("keeper", "call_host", visit).await?, 1);
    /// let keeper = Namespace::plugin("keeper")?;
    /// assert_eq!(store.get(&keeper, "visits").await?, Some(json!(1)));
    /// # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
    /// ```
    pub fn with_store(self, store: impl Into<crate::store::StoreHost>) -> Self {
        self.with_capability(crate::store::CAPABILITY, store.into())
    }

    /// Registers `methods` every plugin may call (logging, time, …).
    pub fn with_baseline(self, methods: impl HostHandler) -> Self {
        self.with_capability(BASELINE, methods)
    }

    /// The limits of plugins whose manifest sets none.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sends every plugin's stderr lines to `handler` instead of `tracing`
    /// ([`LogRecord::plugin`](crate::LogRecord::plugin) names the plugin).
    pub fn with_log_handler(
        mut self,
        handler: impl Fn(&LogRecord<'_>) + MaybeSend + MaybeSync + 'static,
    ) -> Self {
        self.log = LogSink::callback(handler);
        self
    }

    /// Validates every function of each plugin at load (see
    /// [`PluginBuilder::with_full_validation`](crate::PluginBuilder::with_full_validation)).
    pub fn with_full_validation(mut self, full: bool) -> Self {
        self.full_validation = full;
        self
    }

    /// At most `instances` top-level calls run at once across the whole
    /// set (at least 1); more wait their turn, within their timeout. Calls
    /// between plugins (`plugins.call`) are bounded per call tree instead
    /// ([`with_max_nested_calls`](Self::with_max_nested_calls)), so they
    /// cannot deadlock waiting for the slots their callers hold.
    pub fn with_max_concurrent(mut self, instances: usize) -> Self {
        self.slots = Some(Arc::new(Semaphore::new(instances.max(1))));
        self
    }

    /// How deep calls between plugins (`plugins.call`) may nest; default 4.
    pub fn with_max_call_depth(mut self, depth: usize) -> Self {
        self.max_depth = Some(depth);
        self
    }

    /// How many calls between plugins (`plugins.call`) one top-level call
    /// may have running at once at each depth of the calls it leads to;
    /// default 16, at least 1. More wait their turn, within their caller's
    /// timeout. Each nested call is an instance with its own memory, so
    /// this bounds what one plugin can start by fanning out, next to the
    /// application's own bound on top-level calls.
    pub fn with_max_nested_calls(mut self, calls: usize) -> Self {
        self.max_nested_calls = Some(calls.max(1));
        self
    }

    /// The empty set.
    ///
    /// # Errors
    ///
    /// [`Error::DuplicateHostMethod`] if two capabilities (or a capability
    /// and the set's own `config.get` / `plugins.call`) list the same
    /// method; [`Error::InvalidOptions`] if a capability's handler lists
    /// no methods.
    #[cfg_attr(
        target_arch = "wasm32",
        expect(
            clippy::arc_with_non_send_sync,
            reason = "one type on every target; on wasm32 host methods may hold JavaScript values"
        )
    )]
    pub fn build(self) -> Result<PluginSet, Error> {
        let mut methods: Methods = HashMap::new();
        let mut capabilities = BTreeSet::from([PLUGINS.to_owned()]);
        for (capability, handler) in self.capabilities {
            let names = handler.method_names();
            if names.is_empty() {
                return Err(Error::InvalidOptions {
                    option: format!("capability `{capability}`"),
                    reason: "its handler lists no methods (HostHandler::method_names)".to_owned(),
                });
            }
            for method in names {
                if SET_METHODS.iter().any(|(name, _)| *name == method) {
                    return Err(Error::DuplicateHostMethod {
                        method,
                        first: "the plugin set itself".to_owned(),
                        second: capability,
                    });
                }
                if let Some((first, _)) = methods.get(&method) {
                    return Err(Error::DuplicateHostMethod {
                        first: first.clone(),
                        method,
                        second: capability,
                    });
                }
                methods.insert(method, (capability.clone(), handler.clone()));
            }
            if capability != BASELINE {
                capabilities.insert(capability);
            }
        }
        Ok(PluginSet {
            inner: Arc::new(SetInner {
                plugins: RwLock::default(),
                methods,
                capabilities,
                limits: self.limits,
                log: self.log,
                full_validation: self.full_validation,
                slots: self.slots,
                max_depth: self.max_depth.unwrap_or(DEFAULT_MAX_DEPTH),
                max_nested_calls: self.max_nested_calls.unwrap_or(DEFAULT_MAX_NESTED_CALLS),
                denied_logged: Mutex::default(),
            }),
        })
    }
}

/// One loaded plugin.
#[derive(Debug, Clone)]
struct Entry {
    plugin: Plugin,
    manifest: Arc<Manifest>,
    source: Option<std::path::PathBuf>,
}

type Methods = HashMap<String, (String, Arc<dyn HostHandler>)>;

pub(crate) struct SetInner {
    plugins: RwLock<BTreeMap<String, Entry>>,
    methods: Methods,
    capabilities: BTreeSet<String>,
    limits: Limits,
    log: LogSink,
    full_validation: bool,
    /// Top-level calls that may run at once across the set, if capped.
    slots: Option<Arc<Semaphore>>,
    pub(crate) max_depth: usize,
    /// `plugins.call` calls a call tree may run at once per depth.
    pub(crate) max_nested_calls: usize,
    denied_logged: Mutex<BTreeSet<(String, String)>>,
}

impl core::fmt::Debug for SetInner {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SetInner")
            .field("plugins", &self.names())
            .field("capabilities", &self.capabilities)
            .finish_non_exhaustive()
    }
}

impl SetInner {
    pub(crate) fn plugin(&self, name: &str) -> Option<Plugin> {
        let plugins = self.plugins.read().unwrap_or_else(PoisonError::into_inner);
        plugins.get(name).map(|entry| entry.plugin.clone())
    }

    fn entries(&self) -> Vec<(String, Entry)> {
        let plugins = self.plugins.read().unwrap_or_else(PoisonError::into_inner);
        plugins
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    fn names(&self) -> Vec<String> {
        let plugins = self.plugins.read().unwrap_or_else(PoisonError::into_inner);
        plugins.keys().cloned().collect()
    }

    pub(crate) fn host_method(&self, method: &str) -> Option<(&str, &Arc<dyn HostHandler>)> {
        self.methods
            .get(method)
            .map(|(cap, handler)| (cap.as_str(), handler))
    }

    /// Logs a refused host call the first time this plugin makes it.
    pub(crate) fn log_denied_once(&self, plugin: &str, method: &str, capability: &str) {
        let mut logged = self
            .denied_logged
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if logged.insert((plugin.to_owned(), method.to_owned())) {
            tracing::warn!(
                target: PLUGIN_LOG_TARGET,
                plugin,
                "permission denied: {method} needs capability `{capability}`, which the manifest does not grant"
            );
        }
    }
}

impl PluginSet {
    /// Starts configuring a set.
    pub fn builder() -> PluginSetBuilder {
        PluginSetBuilder::default()
    }

    /// Loads (or replaces) a plugin from its manifest and module bytes.
    ///
    /// # Errors
    ///
    /// [`Error::Manifest`] if the manifest names no plugin, a name the CLI
    /// could not address (see [`Manifest::name`]) or an unknown permission;
    /// every [`PluginBuilder::build`](crate::PluginBuilder::build) error.
    pub fn load(&self, manifest: Manifest, wasm: &[u8]) -> Result<(), Error> {
        let file = manifest
            .name
            .clone()
            .unwrap_or_else(|| "manifest".to_owned());
        self.load_entry(manifest, wasm, None, &file)
    }

    pub(crate) fn load_entry(
        &self,
        manifest: Manifest,
        wasm: &[u8],
        source: Option<std::path::PathBuf>,
        manifest_file: &str,
    ) -> Result<(), Error> {
        let Some(name) = manifest.name.clone() else {
            return Err(Error::Manifest {
                file: manifest_file.to_owned(),
                field: Some("name".to_owned()),
                reason: "a plugin loaded from bytes needs a name".to_owned(),
            });
        };
        if let Err(reason) = Manifest::check_name(&name) {
            return Err(Error::Manifest {
                file: manifest_file.to_owned(),
                field: Some("name".to_owned()),
                reason,
            });
        }
        if let Some(unknown) = manifest
            .permissions
            .iter()
            .find(|p| !self.inner.capabilities.contains(*p))
        {
            return Err(Error::Manifest {
                file: manifest_file.to_owned(),
                field: Some("permissions".to_owned()),
                reason: format!(
                    "unknown permission `{unknown}` (known: {})",
                    self.inner
                        .capabilities
                        .iter()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        let host = PluginHost {
            set: Arc::downgrade(&self.inner),
            granted: manifest.permissions.clone(),
            config: Value::Object(manifest.config.clone().into_iter().collect()),
        };
        let plugin = Plugin::builder()
            .with_limits(self.inner.limits.clone())
            .with_manifest(&manifest)
            .with_full_validation(self.inner.full_validation)
            .with_log_sink(self.inner.log.clone())
            .with_shared_slots(self.inner.slots.clone())
            .with_host(host)
            .build(wasm)?;
        let entry = Entry {
            plugin,
            manifest: Arc::new(manifest),
            source,
        };
        let mut plugins = self
            .inner
            .plugins
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        plugins.insert(name, entry);
        Ok(())
    }

    /// The file each plugin loaded from a file came from.
    #[cfg_attr(
        target_arch = "wasm32",
        expect(dead_code, reason = "no files in the browser")
    )]
    pub(crate) fn sources(&self) -> Vec<(String, std::path::PathBuf)> {
        self.inner
            .entries()
            .into_iter()
            .filter_map(|(name, entry)| Some((name, entry.source?)))
            .collect()
    }

    /// Removes a plugin; calls already running finish.
    pub fn unload(&self, name: &str) -> bool {
        let mut plugins = self
            .inner
            .plugins
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        plugins.remove(name).is_some()
    }

    /// The names of the loaded plugins, sorted.
    pub fn names(&self) -> Vec<String> {
        self.inner.names()
    }

    /// A loaded plugin, to call directly.
    pub fn plugin(&self, name: &str) -> Option<Plugin> {
        self.inner.plugin(name)
    }

    /// A loaded plugin's manifest.
    pub fn manifest(&self, name: &str) -> Option<Arc<Manifest>> {
        let plugins = self
            .inner
            .plugins
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        plugins.get(name).map(|entry| entry.manifest.clone())
    }

    /// Calls `method` on plugin `name` (a fresh instance, as always), as
    /// [`Plugin::call`] does.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownPlugin`], or any error of [`Plugin::call`].
    pub fn call<R: DeserializeOwned + 'static>(
        &self,
        name: &str,
        method: &str,
        params: impl Serialize,
    ) -> CallFuture<Result<R, Error>> {
        let call = self.call_with::<R>(name, method, params, CallOptions::new());
        CallFuture::new(async move {
            call.await
                .map(|reported| reported.value)
                .map_err(Error::from)
        })
    }

    /// [`call`](Self::call) with JSON in and out, as [`Plugin::call_raw`].
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call).
    pub fn call_raw(
        &self,
        name: &str,
        method: &str,
        params: Value,
    ) -> CallFuture<Result<Value, Error>> {
        self.call::<Value>(name, method, params)
    }

    /// [`call`](Self::call) with per-call options, giving the report with
    /// the result or the error, as [`Plugin::call_with`].
    ///
    /// # Errors
    ///
    /// A [`CallFailure`]: [`Error::UnknownPlugin`], or any error of
    /// [`Plugin::call_with`].
    pub fn call_with<R: DeserializeOwned + 'static>(
        &self,
        name: &str,
        method: &str,
        params: impl Serialize,
        options: CallOptions,
    ) -> CallFuture<Result<Reported<R>, CallFailure>> {
        let call = match self.plugin(name) {
            Some(plugin) => Ok(plugin.call_with::<R>(method, params, options)),
            None => Err(CallFailure {
                error: Error::UnknownPlugin {
                    name: name.to_owned(),
                },
                report: Default::default(),
            }),
        };
        match call {
            Ok(call) => call,
            Err(failure) => CallFuture::new(async move { Err(failure) }),
        }
    }

    /// Publishes `event` to every plugin subscribed to it, one fresh
    /// instance each, in priority order (0 first, ties by name). `modify`
    /// handlers may replace the payload or stop the event; observers
    /// cannot. A failing handler is recorded and the event goes on.
    pub fn emit(&self, event: &str, payload: Value) -> CallFuture<EmitOutcome> {
        let mut handlers: Vec<(u8, String, EventMode, Plugin)> = self
            .inner
            .entries()
            .into_iter()
            .filter_map(|(name, entry)| {
                let sub = entry.manifest.events.iter().find(|s| s.event == event)?;
                Some((sub.priority, name, sub.mode, entry.plugin))
            })
            .collect();
        handlers.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        let mut outcome = EmitOutcome {
            event: event.to_owned(),
            payload,
            stopped_by: None,
            handlers: Vec::with_capacity(handlers.len()),
        };
        CallFuture::new(async move {
            for (priority, name, mode, plugin) in handlers {
                let decision = if outcome.stopped_by.is_some() {
                    HandlerDecision::Skipped
                } else {
                    let modifiable = mode == EventMode::Modify;
                    let params = serde_json::to_value(Event {
                        event: outcome.event.clone(),
                        payload: outcome.payload.clone(),
                        modifiable,
                    })
                    .unwrap_or_default();
                    match plugin.call::<Option<EventReply>>(ON_EVENT, params).await {
                        Err(error) => HandlerDecision::Failed(error),
                        Ok(None) => HandlerDecision::Continued,
                        Ok(Some(reply)) => apply(reply, modifiable, &name, &mut outcome),
                    }
                };
                outcome.handlers.push(HandlerOutcome {
                    plugin: name,
                    priority,
                    decision,
                });
            }
            outcome
        })
    }
}

/// Applies one handler's reply to the event.
fn apply(
    reply: EventReply,
    modifiable: bool,
    plugin: &str,
    outcome: &mut EmitOutcome,
) -> HandlerDecision {
    let wants_change = reply.stop || reply.payload.is_some();
    if !modifiable {
        if wants_change {
            tracing::warn!(target: PLUGIN_LOG_TARGET, plugin, "an observer of `{}` asked to change it; ignored", outcome.event);
            return HandlerDecision::IgnoredChange;
        }
        return HandlerDecision::Continued;
    }
    let modified = reply.payload.is_some();
    if let Some(payload) = reply.payload {
        outcome.payload = payload;
    }
    if reply.stop {
        outcome.stopped_by = Some(plugin.to_owned());
        HandlerDecision::Stopped
    } else if modified {
        HandlerDecision::Modified
    } else {
        HandlerDecision::Continued
    }
}
