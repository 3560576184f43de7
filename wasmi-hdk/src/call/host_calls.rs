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
    running: FuturesUnordered<BoxFuture<HostAnswer>>,
}

impl HostCalls {
    pub(crate) fn new(host: Arc<dyn HostHandler>, caller: CallerInfo) -> Self {
        Self {
            host,
            caller,
            running: FuturesUnordered::new(),
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
        let started =
            std::panic::catch_unwind(AssertUnwindSafe(|| host.handle(caller, &method, params)));
        let mut answer: BoxFuture<HostAnswer> =
            match started {
                Ok(future) => {
                    Box::pin(AssertUnwindSafe(future).catch_unwind().map(move |outcome| {
                        HostAnswer {
                            id,
                            cost,
                            outcome: outcome.unwrap_or_else(|_| Err(panicked(&method))),
                        }
                    }))
                }
                Err(_) => {
                    return Some(HostAnswer {
                        outcome: Err(panicked(&method)),
                        id,
                        cost,
                    });
                }
            };
        match (&mut answer).now_or_never() {
            Some(ready) => Some(ready),
            None => {
                self.running.push(answer);
                None
            }
        }
    }

    /// An answer that is ready now, without waiting.
    pub(crate) fn ready(&mut self) -> Option<HostAnswer> {
        self.running.next().now_or_never().flatten()
    }

    /// The next answer, registering the task to be woken for it.
    pub(crate) fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<HostAnswer>> {
        self.running.poll_next_unpin(cx)
    }

    /// Whether no host method is running.
    pub(crate) fn is_empty(&self) -> bool {
        self.running.is_empty()
    }
}

fn panicked(method: &str) -> RpcError {
    RpcError::internal(format!("host method {method} panicked"))
}
