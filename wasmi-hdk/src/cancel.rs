use core::task::{Context, Poll};
use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use futures::task::AtomicWaker;

/// Cancels a call from anywhere: another task, another thread.
///
/// Give a clone to [`CallOptions::with_cancel`](crate::CallOptions::with_cancel);
/// [`cancel`](Self::cancel) stops the instance at its next slice or wait and
/// fails the call with [`Error::Cancelled`](crate::Error::Cancelled).
/// Dropping the call's future stops it too. Meant for one call at a time: a
/// handle shared by several calls still cancels them all, but only the most
/// recent one to wait is woken at once, the others at their next slice.
#[derive(Debug, Clone, Default)]
pub struct CancelHandle {
    inner: Arc<CancelState>,
}

#[derive(Debug, Default)]
struct CancelState {
    cancelled: AtomicBool,
    waker: AtomicWaker,
}

impl CancelHandle {
    /// A handle that has not been cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Requests cancellation.
    pub fn cancel(&self) {
        self.inner.cancelled.store(true, Ordering::Release);
        self.inner.waker.wake();
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.inner.cancelled.load(Ordering::Acquire)
    }

    /// Ready once cancelled; registers the task to be woken otherwise.
    pub(crate) fn poll_cancelled(&self, cx: &mut Context<'_>) -> Poll<()> {
        if self.is_cancelled() {
            return Poll::Ready(());
        }
        self.inner.waker.register(cx.waker());
        if self.is_cancelled() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}
