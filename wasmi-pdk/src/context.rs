mod wire;

use core::{
    any::{Any, TypeId},
    future::Future,
    marker::PhantomData,
    pin::Pin,
    task::{Context as TaskContext, Poll},
};

use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

use crate::{executor, protocol::RpcError};

/// What a handler can do besides computing: call the host and notify it.
///
/// Cheap to copy; every handler invocation gets one.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context {
    /// Keeps the type `!Send`: a context belongs to the plugin's one thread.
    _single_threaded: PhantomData<*const ()>,
}

impl Context {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Calls host method `method` and decodes its result as `R`.
    ///
    /// `params` is encoded with [`encode_params`](crate::encode_params): `()` sends none, a scalar
    /// is sent as a one-element array. Several calls may be in flight at
    /// once (e.g. with `futures::join!`): each is written before the plugin
    /// waits for any answer.
    ///
    /// # Errors
    ///
    /// The host's error for this call (e.g. `-32601` for a method the host
    /// does not have), `-32602` if `params` is not JSON, or `-32603` if the
    /// result does not decode as `R`.
    pub fn call<R: DeserializeOwned + 'static>(
        &self,
        method: &str,
        params: impl Serialize,
    ) -> TypedHostCall<R> {
        let state = match self.send_request(method, &params) {
            Ok(call) => Ok(call),
            Err(e) => Err(Some(e)),
        };
        TypedHostCall {
            state,
            // Only for the message if the result does not decode, which a
            // `Value` always does.
            method: (TypeId::of::<R>() != TypeId::of::<Value>()).then(|| method.into()),
            _result: PhantomData,
        }
    }

    /// Calls host method `method` with JSON params and returns its JSON
    /// result, as the host kit's `Plugin::call_raw` does the other way.
    ///
    /// `params` goes on the wire as with [`call`](Self::call): `null` sends
    /// none, a scalar is sent as a one-element array. The request is queued
    /// at once; the returned future waits for its answer.
    pub fn call_raw(&self, method: &str, params: Value) -> HostCall {
        let id = executor::next_call_id();
        // A `Value` always serialises (and so does `()`, sending none).
        let _ = executor::try_send(|out| {
            wire::write_call(out, Some(id), method, &params)
                .or_else(|_| wire::write_call(out, Some(id), method, &()))
        });
        executor::register_call(id);
        HostCall {
            id,
            done: false,
            _context: *self,
        }
    }

    /// Queues a request, `params` encoded as [`encode_params`] does.
    ///
    /// [`encode_params`]: crate::encode_params
    fn send_request<P: Serialize + ?Sized>(
        &self,
        method: &str,
        params: &P,
    ) -> Result<HostCall, RpcError> {
        let id = executor::next_call_id();
        executor::try_send(|out| wire::write_call(out, Some(id), method, params))?;
        executor::register_call(id);
        Ok(HostCall {
            id,
            done: false,
            _context: *self,
        })
    }

    /// Sends a notification: a host call that expects no answer.
    ///
    /// # Errors
    ///
    /// `-32602` if `params` is not JSON.
    pub fn notify(&self, method: &str, params: impl Serialize) -> Result<(), RpcError> {
        executor::try_send(|out| wire::write_call(out, None, method, &params))
    }
}

/// A host call in flight; resolves to the host's result or error.
///
/// Dropping it abandons the call: its answer is ignored when it arrives.
#[derive(Debug)]
#[must_use = "a host call does nothing useful unless awaited"]
pub struct HostCall {
    id: i64,
    done: bool,
    _context: Context,
}

impl Future for HostCall {
    type Output = Result<Value, RpcError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        match executor::take_answer(self.id, cx.waker()) {
            Some(answer) => {
                self.done = true;
                Poll::Ready(answer)
            }
            None => Poll::Pending,
        }
    }
}

impl Drop for HostCall {
    fn drop(&mut self) {
        if !self.done {
            executor::forget_call(self.id);
        }
    }
}

/// A typed host call in flight (see [`Context::call`]).
#[derive(Debug)]
#[must_use = "a host call does nothing useful unless awaited"]
pub struct TypedHostCall<R> {
    /// The call, or the params error to report on first poll.
    state: Result<HostCall, Option<RpcError>>,
    /// For the error message if the result does not decode (not kept for
    /// a `Value` result, which always does).
    method: Option<Box<str>>,
    _result: PhantomData<fn() -> R>,
}

impl<R: DeserializeOwned + 'static> Future for TypedHostCall<R> {
    type Output = Result<R, RpcError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let call = match &mut self.state {
            Ok(call) => call,
            Err(e) => {
                return Poll::Ready(Err(e.take().unwrap_or_else(|| {
                    RpcError::internal("host call polled after completion")
                })));
            }
        };
        let value = match Pin::new(&mut *call).poll(cx) {
            Poll::Ready(Ok(value)) => value,
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending => return Poll::Pending,
        };
        Poll::Ready(decode(value).map_err(|e| {
            let method = self.method.as_deref().unwrap_or_default();
            RpcError::internal(format!("cannot decode the result of {method}: {e}"))
        }))
    }
}

/// Decodes a result; a `Value` is handed over as it is instead of being
/// rebuilt through serde.
fn decode<R: DeserializeOwned + 'static>(value: Value) -> Result<R, serde_json::Error> {
    let mut value = Some(value);
    if let Some(same) = (&mut value as &mut dyn Any).downcast_mut::<Option<R>>()
        && let Some(result) = same.take()
    {
        return Ok(result);
    }
    serde_json::from_value(value.unwrap_or_default())
}
