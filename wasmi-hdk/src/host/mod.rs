//! Host methods: what a plugin can call back into while it handles a request.

mod call_tree;
mod maybe_send;
mod router;

use core::{future::Future, pin::Pin};
use std::sync::Arc;

use serde_json::Value;
use wasmi_plugin_protocol::RpcError;

pub(crate) use self::call_tree::CallTree;
pub use self::{
    maybe_send::{MaybeSend, MaybeSync},
    router::HostRouter,
};

/// A boxed future a host method returns: `Send` natively, so calls can run
/// on a multi-threaded executor.
#[cfg(not(target_arch = "wasm32"))]
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// A boxed future a host method returns (the browser is single-threaded).
#[cfg(target_arch = "wasm32")]
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + 'static>>;

/// Who is calling a host method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerInfo {
    plugin: Arc<str>,
    chain: CallChain,
    tree: CallTree,
    notification: bool,
}

/// The plugins whose calls led to a call, outermost first (see
/// [`CallOptions::with_call_chain`](crate::CallOptions::with_call_chain)).
pub(crate) type CallChain = Arc<[Arc<str>]>;

impl CallerInfo {
    pub(crate) fn new(plugin: Arc<str>, chain: CallChain, tree: CallTree) -> Self {
        Self {
            plugin,
            chain,
            tree,
            notification: false,
        }
    }

    /// The same caller, for one message: a notification or a request.
    pub(crate) fn for_message(&self, notification: bool) -> Self {
        Self {
            notification,
            ..self.clone()
        }
    }

    /// Whether the plugin sent a notification (no answer is read) rather
    /// than a request.
    pub fn is_notification(&self) -> bool {
        self.notification
    }

    /// The call tree this call belongs to.
    pub(crate) fn tree(&self) -> &CallTree {
        &self.tree
    }

    /// The calling plugin's name (see [`PluginBuilder::with_name`](crate::PluginBuilder::with_name)).
    pub fn plugin(&self) -> &str {
        &self.plugin
    }

    /// The plugins whose calls led to this one, outermost first, not
    /// including [`plugin`](Self::plugin); empty for a call the application
    /// made directly.
    pub fn chain(&self) -> impl Iterator<Item = &str> {
        self.chain.iter().map(|name| &**name)
    }

    /// How many plugin calls deep this call is: 0 for a direct call.
    pub fn depth(&self) -> usize {
        self.chain.len()
    }
}

/// Serves the requests and notifications a plugin sends to its host.
///
/// `Send + Sync` natively ([`MaybeSend`], [`MaybeSync`]); on `wasm32` it may
/// hold JavaScript values.
///
/// [`HostRouter`] implements it for typed async closures. A handler answers
/// with a result or a JSON-RPC error; the kit turns a panic inside it into
/// `-32603` for the plugin, never a host crash.
pub trait HostHandler: MaybeSend + MaybeSync + 'static {
    /// Runs host method `method` for `caller`.
    fn handle(
        &self,
        caller: CallerInfo,
        method: &str,
        params: Option<Value>,
    ) -> BoxFuture<Result<Value, RpcError>>;

    /// The methods this handler answers, when it can list them. A
    /// [`PluginSet`](crate::set::PluginSet) routes each method to the
    /// capability whose handler lists it (and refuses two capabilities
    /// listing the same one), so a capability's handler must list its
    /// methods; a plugin's own host (`PluginBuilder::with_host`) need not.
    fn method_names(&self) -> Vec<String> {
        Vec::new()
    }
}

impl<H: HostHandler + ?Sized> HostHandler for Arc<H> {
    fn handle(
        &self,
        caller: CallerInfo,
        method: &str,
        params: Option<Value>,
    ) -> BoxFuture<Result<Value, RpcError>> {
        (**self).handle(caller, method, params)
    }

    fn method_names(&self) -> Vec<String> {
        (**self).method_names()
    }
}
