use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use event_listener::{Event, EventListener};

/// Cancels calls from anywhere: another task, another thread.
///
/// Give clones to [`CallOptions::with_cancel`](crate::CallOptions::with_cancel);
/// [`cancel`](Self::cancel) stops every call that has it at its next slice
/// or at once if it waits, and fails each with
/// [`Error::Cancelled`](crate::Error::Cancelled). Dropping a call's future
/// stops it too.
///
/// ```
/// # futures::executor::block_on(async {
/// use wasmi_hdk::{CallOptions, CancelHandle, Error, Plugin};
///
/// let plugin = Plugin::new(test_plugin_artifacts::TEST_PLUGIN)?;
/// let cancel = CancelHandle::new();
/// cancel.cancel();
/// let options = CallOptions::new().with_cancel(cancel.clone());
/// let failure = plugin.call_with::<u64>("sleep", 60_000, options).await.unwrap_err();
/// assert!(matches!(failure.error, Error::Cancelled));
/// # Ok::<(), Error>(()) }).unwrap();
/// ```
#[derive(Debug, Clone, Default)]
pub struct CancelHandle {
    inner: Arc<CancelState>,
}

#[derive(Debug, Default)]
struct CancelState {
    cancelled: AtomicBool,
    /// Every waiting call listens; a cancel wakes them all.
    event: Event,
}

impl CancelHandle {
    /// A handle that has not been cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Requests cancellation of every call that has this handle.
    pub fn cancel(&self) {
        self.inner.cancelled.store(true, Ordering::Release);
        self.inner.event.notify(usize::MAX);
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.inner.cancelled.load(Ordering::Acquire)
    }

    /// A future that completes at the next [`cancel`](Self::cancel); check
    /// [`is_cancelled`](Self::is_cancelled) after making it.
    pub(crate) fn listen(&self) -> EventListener {
        self.inner.event.listen()
    }
}
