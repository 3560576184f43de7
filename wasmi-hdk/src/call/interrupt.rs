//! What stops a call from outside its code: the deadline and cancellation.

use core::{
    pin::Pin,
    task::{Context, Poll},
    time::Duration,
};

use event_listener::EventListener;
use futures::FutureExt;

use crate::{
    CancelHandle, Error,
    runtime::{self, Instant, Sleep},
};

/// The call's deadline and cancel handle, checked between fuel slices and
/// polled while the call waits.
#[derive(Debug)]
pub(crate) struct Interrupts {
    cancel: Option<CancelHandle>,
    /// Registered the first time the call waits.
    listener: Option<EventListener>,
    deadline: Option<(Instant, Duration)>,
    /// The timer for the deadline, made the first time the call waits.
    timer: Option<Pin<Box<Sleep>>>,
}

impl Interrupts {
    /// A call that started at `started`, with `timeout` and `cancel`.
    pub(crate) fn new(
        started: Instant,
        timeout: Option<Duration>,
        cancel: Option<CancelHandle>,
    ) -> Self {
        Self {
            cancel,
            listener: None,
            // A timeout too far away to represent is no deadline at all.
            deadline: timeout.and_then(|t| Some((started.checked_add(t)?, t))),
            timer: None,
        }
    }

    /// Fails if the call was cancelled or its time is up.
    pub(crate) fn check(&self) -> Result<(), Error> {
        if self.cancel.as_ref().is_some_and(CancelHandle::is_cancelled) {
            return Err(Error::Cancelled);
        }
        match self.deadline {
            Some((at, limit)) if runtime::now() >= at => Err(Error::Timeout { limit }),
            _ => Ok(()),
        }
    }

    /// Ready with the error once the call is cancelled or its time is up;
    /// registers the task to be woken for either.
    pub(crate) fn poll(&mut self, cx: &mut Context<'_>) -> Poll<Error> {
        if let Some(cancel) = &self.cancel {
            let listener = self.listener.get_or_insert_with(|| cancel.listen());
            // Checked after listening, so a cancel in between is not missed.
            if cancel.is_cancelled() || listener.poll_unpin(cx).is_ready() {
                self.listener = None;
                return Poll::Ready(Error::Cancelled);
            }
        }
        if let Some((at, limit)) = self.deadline {
            let timer = self.timer.get_or_insert_with(|| {
                Box::pin(runtime::sleep(at.saturating_duration_since(runtime::now())))
            });
            if timer.poll_unpin(cx).is_ready() {
                return Poll::Ready(Error::Timeout { limit });
            }
        }
        Poll::Pending
    }
}
