//! Browser flavour (`wasm32`): one JavaScript event loop, no threads.
//!
//! - Time: `performance.now()` (monotonic) and `Date.now()` (wall clock),
//!   through `web-time`.
//! - Sleeping: `setTimeout`, cleared when the future is dropped.
//! - Yielding: a `MessageChannel` post, which lets the browser render and
//!   handle input, then resumes at once (a chain of `setTimeout(0)` would be
//!   clamped to 4 ms a hop).
//! - Time slicing: a compute-bound call yields when [`SLICE_TIME`] has
//!   passed since its last yield, not after every fuel slice, so the page
//!   stays responsive at almost full speed.
//! - Randomness: `crypto.getRandomValues` through `getrandom`'s `wasm_js`
//!   backend.
//!
//! It uses only JavaScript globals that windows, workers and Node all have.

use core::{
    cell::{Cell, RefCell},
    future::Future,
    pin::Pin,
    task::{Context, Poll, Waker},
    time::Duration,
};
use std::rc::Rc;

use wasm_bindgen::{JsCast, JsValue, closure::Closure, prelude::wasm_bindgen};
use web_time::{SystemTime, UNIX_EPOCH};

pub(crate) use web_time::Instant;

/// How long a compute-bound call may hold the event loop before it yields:
/// well under the 50 ms after which browsers call a task "long", and short
/// enough for the page to paint about every frame.
const SLICE_TIME: Duration = Duration::from_millis(10);

/// The longest delay `setTimeout` takes; longer ones fire at once.
const MAX_TIMEOUT_MS: f64 = 2_147_483_647.0;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &js_sys::Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);

    #[derive(Debug)]
    type MessageChannel;
    #[wasm_bindgen(constructor)]
    fn new() -> MessageChannel;
    #[wasm_bindgen(method, getter)]
    fn port1(this: &MessageChannel) -> MessagePort;
    #[wasm_bindgen(method, getter)]
    fn port2(this: &MessageChannel) -> MessagePort;

    #[derive(Debug)]
    type MessagePort;
    #[wasm_bindgen(method, setter)]
    fn set_onmessage(this: &MessagePort, handler: Option<&js_sys::Function>);
    #[wasm_bindgen(method, js_name = postMessage)]
    fn post_message(this: &MessagePort, message: &JsValue);
    #[wasm_bindgen(method)]
    fn close(this: &MessagePort);
}

/// The current monotonic time.
pub(crate) fn now() -> Instant {
    Instant::now()
}

/// Nanoseconds of the monotonic clock (`performance.now()`, counted from
/// the page's time origin).
pub(crate) fn monotonic_ns() -> u64 {
    static_origin()
        .elapsed()
        .as_nanos()
        .try_into()
        .unwrap_or(u64::MAX)
}

/// The first `Instant` this module saw; `Instant` has no public epoch.
fn static_origin() -> Instant {
    thread_local! {
        static ORIGIN: Instant = Instant::now();
    }
    ORIGIN.with(|origin| *origin)
}

/// Nanoseconds since the Unix epoch by the wall clock (`Date.now()`).
pub(crate) fn unix_time_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// Fills `dst` from `crypto.getRandomValues`.
pub(crate) fn fill_random(dst: &mut [u8]) -> Result<(), ()> {
    getrandom::fill(dst).map_err(|_| ())
}

/// Whether a compute-bound call should yield to the event loop now, at the
/// end of a fuel slice, having last yielded at `last_yield`: once
/// [`SLICE_TIME`] has passed. Yielding after every fuel slice would cost a
/// trip through the event loop every millisecond or so.
pub(crate) fn time_to_yield(last_yield: Instant) -> bool {
    last_yield.elapsed() >= SLICE_TIME
}

/// Completes after `duration`, by `setTimeout`.
pub(crate) fn sleep(duration: Duration) -> Sleep {
    Sleep::new(now() + duration)
}

/// A timer future: a `setTimeout` that wakes the task; cleared on drop.
#[derive(Debug)]
pub(crate) struct Sleep {
    until: Instant,
    timer: Option<Timer>,
}

/// One armed `setTimeout`.
#[derive(Debug)]
struct Timer {
    id: JsValue,
    fired: Rc<TimerState>,
    // Kept alive until the timer fires or is cleared.
    _handler: Closure<dyn FnMut()>,
}

#[derive(Debug, Default)]
struct TimerState {
    fired: Cell<bool>,
    waker: RefCell<Option<Waker>>,
}

impl Sleep {
    fn new(until: Instant) -> Self {
        Self { until, timer: None }
    }
}

impl Timer {
    fn arm(delay: Duration, waker: &Waker) -> Self {
        let state = Rc::new(TimerState {
            fired: Cell::new(false),
            waker: RefCell::new(Some(waker.clone())),
        });
        let on_fire = state.clone();
        let handler = Closure::<dyn FnMut()>::new(move || {
            on_fire.fired.set(true);
            if let Some(waker) = on_fire.waker.borrow_mut().take() {
                waker.wake();
            }
        });
        // Whole milliseconds, rounded up: the timer must not end early.
        let ms = (delay.as_secs_f64() * 1000.0).ceil().min(MAX_TIMEOUT_MS);
        let id = set_timeout(handler.as_ref().unchecked_ref(), ms);
        Self {
            id,
            fired: state,
            _handler: handler,
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        if !self.fired.fired.get() {
            clear_timeout(&self.id);
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let left = self.until.saturating_duration_since(now());
        if left.is_zero() {
            self.timer = None;
            return Poll::Ready(());
        }
        match &self.timer {
            // Still pending: make sure the latest waker is the one woken.
            Some(timer) if !timer.fired.fired.get() => {
                let mut waker = timer.fired.waker.borrow_mut();
                if !waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                    *waker = Some(cx.waker().clone());
                }
            }
            // Not armed yet, or fired early (a clamped long delay, or clock
            // rounding): arm for what is left.
            _ => self.timer = Some(Timer::arm(left, cx.waker())),
        }
        Poll::Pending
    }
}

/// Returns `Pending` until a message posted to a `MessageChannel` comes
/// back: the browser can render and handle input in between, and no 4 ms
/// timer clamp applies.
pub(crate) fn yield_now() -> YieldNow {
    YieldNow { pending: None }
}

/// The future of [`yield_now`].
#[derive(Debug)]
pub(crate) struct YieldNow {
    pending: Option<PendingYield>,
}

/// A message in flight on a channel of its own (a few microseconds to set
/// up, next to the ~10 ms slice it ends). While it is open the event loop
/// stays alive (Node), and dropping it closes the channel.
#[derive(Debug)]
struct PendingYield {
    state: Rc<YieldState>,
    receiver: MessagePort,
    sender: MessagePort,
    // Kept alive until the message arrives or the future is dropped.
    _on_message: Closure<dyn FnMut()>,
}

#[derive(Debug, Default)]
struct YieldState {
    done: Cell<bool>,
    waker: RefCell<Option<Waker>>,
}

impl PendingYield {
    fn post(waker: &Waker) -> Self {
        let state = Rc::new(YieldState {
            done: Cell::new(false),
            waker: RefCell::new(Some(waker.clone())),
        });
        let on_message = {
            let state = state.clone();
            Closure::<dyn FnMut()>::new(move || {
                state.done.set(true);
                if let Some(waker) = state.waker.borrow_mut().take() {
                    waker.wake();
                }
            })
        };
        let channel = MessageChannel::new();
        let receiver = channel.port1();
        receiver.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let sender = channel.port2();
        sender.post_message(&JsValue::UNDEFINED);
        Self {
            state,
            receiver,
            sender,
            _on_message: on_message,
        }
    }
}

impl Drop for PendingYield {
    fn drop(&mut self) {
        self.receiver.set_onmessage(None);
        self.receiver.close();
        self.sender.close();
    }
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match &self.pending {
            Some(pending) if pending.state.done.get() => {
                self.pending = None;
                Poll::Ready(())
            }
            Some(pending) => {
                *pending.state.waker.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            }
            None => {
                self.pending = Some(PendingYield::post(cx.waker()));
                Poll::Pending
            }
        }
    }
}
