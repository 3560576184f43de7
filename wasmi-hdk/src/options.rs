use std::sync::Arc;

use crate::{
    CancelHandle, Limits,
    host::{CallChain, CallTree},
};

/// Per-call settings for [`Plugin::call_with`](crate::Plugin::call_with)
/// and [`PluginSet::call_with`](crate::set::PluginSet::call_with).
///
/// ```
/// use wasmi_hdk::{CallOptions, CancelHandle, Limits};
///
/// let cancel = CancelHandle::new();
/// let options = CallOptions::new()
///     .with_cancel(cancel.clone())
///     .with_limits(Limits::default().with_fuel(10_000_000));
/// # let _ = options;
/// ```
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    pub(crate) cancel: Option<CancelHandle>,
    pub(crate) limits: Option<Limits>,
    pub(crate) chain: Option<CallChain>,
    pub(crate) tree: Option<CallTree>,
}

impl CallOptions {
    /// No cancel handle; the plugin's own limits.
    pub fn new() -> Self {
        Self::default()
    }

    /// Lets `cancel` stop this call.
    #[must_use]
    pub fn with_cancel(mut self, cancel: CancelHandle) -> Self {
        self.cancel = Some(cancel);
        self
    }

    /// Marks this call as made on behalf of `chain`, the plugins whose calls
    /// led to it (outermost first); host methods see it in
    /// [`CallerInfo::chain`](crate::CallerInfo::chain). Used to route calls
    /// between plugins and to stop cycles. Such a nested call does not take
    /// one of the plugin's instance slots (see
    /// [`PluginBuilder::with_max_concurrent`](crate::PluginBuilder::with_max_concurrent)).
    #[must_use]
    pub fn with_call_chain<S: Into<Arc<str>>>(
        mut self,
        chain: impl IntoIterator<Item = S>,
    ) -> Self {
        self.chain = Some(chain.into_iter().map(Into::into).collect());
        self
    }

    /// Makes this call part of `tree` (a call made through `plugins.call`).
    #[must_use]
    pub(crate) fn with_call_tree(mut self, tree: CallTree) -> Self {
        self.tree = Some(tree);
        self
    }

    /// Runs this call under `limits` instead of the plugin's.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = Some(limits);
        self
    }
}
