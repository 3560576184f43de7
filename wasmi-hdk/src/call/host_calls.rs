//! The host methods running for one instance's requests and notifications.

use core::task::{Context, Poll};
use std::{panic::AssertUnwindSafe, sync::Arc};

use futures::{FutureExt, StreamExt, stream::FuturesUnordered};
use wasmi_plugin_protocol::RpcError;

use super::exchange::{HostAnswer, HostRequest};
use crate::{CallerInfo, HostHandler, host::BoxFuture};

/// Starts host methods and collects their answers; a method that panics
/// (starting or running) answers `-32603` instead of unwinding into the
/// host.
pub(crate) struct HostCalls {
    host: Arc<dyn HostHandler>,
    caller: CallerInfo,
    /// The methods still running; made when the first one does not answer
    /// at once (most calls never need it).
    running: Option<FuturesUnordered<BoxFuture<HostAnswer>>>,
}

impl HostCalls {
    pub(crate) fn new(host: Arc<dyn HostHandler>, caller: CallerInfo) -> Self {
        Self {
            host,
            caller,
            running: None,
        }
    }

    /// Starts the host method for `request`; returns its answer if it is
    /// ready at once, and keeps it running otherwise.
    pub(crate) fn start(&mut self, request: HostRequest) -> Option<HostAnswer> {
        let HostRequest {
            id,
            method,
            params,
            cost,
        } = request;
        let caller = self.caller.for_message(id.is_none());
        let host = &self.host;
        // Started and polled once here: a method that answers at once (most
        // do) needs no second box, no `FuturesUnordered` and no waker.
        let first = std::panic::catch_unwind(AssertUnwindSafe(|| {
            let mut future = host.handle(caller, &method, params);
            match future.as_mut().now_or_never() {
                Some(outcome) => Ok(outcome),
                None => Err(future),
            }
        }));
        let future = match first {
            Ok(Ok(outcome)) => return Some(HostAnswer { id, cost, outcome }),
            Ok(Err(future)) => future,
            Err(_) => {
                return Some(HostAnswer {
                    outcome: Err(panicked(&method)),
                    id,
                    cost,
                });
            }
        };
        let answer = AssertUnwindSafe(future)
            .catch_unwind()
            .map(move |outcome| HostAnswer {
                id,
                cost,
                outcome: outcome.unwrap_or_else(|_| Err(panicked(&method))),
            });
        self.running
            .get_or_insert_with(FuturesUnordered::new)
            .push(Box::pin(answer));
        None
    }

    /// An answer that is ready now, without waiting.
    pub(crate) fn ready(&mut self) -> Option<HostAnswer> {
        self.running.as_mut()?.next().now_or_never().flatten()
    }

    /// The next answer, registering the task to be woken for it.
    pub(crate) fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<HostAnswer>> {
        match &mut self.running {
            Some(running) => running.poll_next_unpin(cx),
            None => Poll::Ready(None),
        }
    }

    /// Whether no host method is running.
    pub(crate) fn is_empty(&self) -> bool {
        self.running.as_ref().is_none_or(FuturesUnordered::is_empty)
    }
}

fn panicked(method: &str) -> RpcError {
    RpcError::internal(format!("host method {method} panicked"))
}
