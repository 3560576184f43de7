use core::{
    fmt,
    future::Future,
    pin::Pin,
    task::{Context, Poll},
};

use crate::{BoxFuture, MaybeSend};

/// A call in flight: the future [`Plugin`](crate::Plugin) and
/// [`PluginSet`](crate::set::PluginSet) call verbs return.
///
/// It owns everything it needs (`'static`) and is `Send` natively, so it
/// can be spawned or stored; dropping it stops the call's instance.
#[must_use = "a call does nothing unless it is awaited"]
pub struct CallFuture<T> {
    inner: BoxFuture<T>,
}

impl<T> CallFuture<T> {
    pub(crate) fn new(future: impl Future<Output = T> + MaybeSend + 'static) -> Self {
        Self {
            inner: Box::pin(future),
        }
    }
}

impl<T> Future for CallFuture<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        self.inner.as_mut().poll(cx)
    }
}

impl<T> fmt::Debug for CallFuture<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CallFuture")
    }
}
