use wasmi_hdk::CancelHandle;

/// Cancels a call from any thread: pass it in [`CallOptions`](crate::CallOptions),
/// then [`cancel`](Self::cancel). The call fails with `PluginError.Cancelled`.
///
/// Cancelling the Swift task or Kotlin coroutine that awaits a call stops
/// the plugin too; a token is for cancelling from elsewhere (a button).
#[derive(Debug, Default, uniffi::Object)]
pub struct CancelToken {
    handle: CancelHandle,
}

#[uniffi::export]
impl CancelToken {
    /// A token that has not been cancelled.
    #[uniffi::constructor]
    pub fn new() -> Self {
        Self::default()
    }

    /// Stops every call that was given this token.
    pub fn cancel(&self) {
        self.handle.cancel();
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.handle.is_cancelled()
    }
}

impl CancelToken {
    pub(crate) fn handle(&self) -> CancelHandle {
        self.handle.clone()
    }
}
