use core::{future::poll_fn, pin::Pin, task::Poll};
use std::panic::AssertUnwindSafe;

use futures::{FutureExt, StreamExt, stream::FuturesUnordered};
use serde_json::Value;
use wasmi::{
    Instance, Store, TrapCode, TypedResumableCall, Val,
    errors::{ErrorKind, InstantiationError, MemoryError},
};
use wasmi_pdk::protocol::{Id, Message, Request, Response, RpcError};

use super::{InstanceState, REQUEST_ID, StderrLog, state::backlog_limit};
use crate::{
    CallOptions, CallOutcome, CallReport, CallerInfo, CancelHandle, Error, Limits,
    ProtocolViolation,
    host::BoxFuture,
    plugin::PluginInner,
    runtime::{self, Instant, Sleep},
    wasi::{self, Blocked, StdinState, Stop, Suspend, WasiView},
};

/// Fuel a start section may use during instantiation (WASI commands rarely
/// have one; this bounds one that loops).
const START_FUEL: u64 = 10_000_000;

/// A host method's answer: the plugin's request id (`None` for a
/// notification), what the message counted in the backlog, and the outcome.
type HostAnswer = (Option<Id>, usize, Result<Value, RpcError>);

/// How the guest code stopped running.
enum Ending {
    /// `_start` returned.
    Returned,
    /// `proc_exit(code)`.
    Exited(i32),
    /// The host stopped it (answered and waiting, or a protocol violation).
    Stopped,
    /// A Wasm trap or engine error.
    Trapped(wasmi::Error),
    /// A limit, a timeout or a cancellation.
    Failed(Error),
}

/// Runs one request in a fresh instance of `plugin`.
pub(crate) async fn run_call(
    plugin: &PluginInner,
    method: &str,
    params: Option<Value>,
    options: &CallOptions,
) -> CallOutcome {
    let started = runtime::now();
    let limits = options.limits.as_ref().unwrap_or(&plugin.limits);
    let request = Request {
        id: Id::Number(REQUEST_ID),
        method: method.to_owned(),
        params,
    };
    let line = request.to_line().into_bytes();
    if line.len() > limits.max_message() {
        return CallOutcome {
            result: Err(Error::RequestTooLarge {
                size: line.len(),
                limit: limits.max_message(),
            }),
            report: CallReport::default(),
        };
    }
    let mut runner = Runner::new(plugin, limits, options, started, line);
    let result = runner.run().await;
    CallOutcome {
        result,
        report: runner.report(started),
    }
}

struct Runner<'a> {
    plugin: &'a PluginInner,
    limits: &'a Limits,
    store: Store<InstanceState>,
    caller: CallerInfo,
    cancel: Option<CancelHandle>,
    deadline: Option<Instant>,
    /// The timer for `deadline`, made the first time the call has to wait.
    deadline_timer: Option<Pin<Box<Sleep>>>,
    /// Fuel put in the store at the last refill.
    fuel_given: u64,
    /// Fuel consumed before the last refill.
    fuel_spent: u64,
    /// Host methods running for the plugin.
    pending: FuturesUnordered<BoxFuture<HostAnswer>>,
    /// When the call last yielded to the executor (or started).
    last_yield: Instant,
}

impl<'a> Runner<'a> {
    fn new(
        plugin: &'a PluginInner,
        limits: &'a Limits,
        options: &CallOptions,
        started: Instant,
        request_line: Vec<u8>,
    ) -> Self {
        let cancel = options.cancel.clone();
        let chain = options.chain.clone().unwrap_or_default();
        let mut line = request_line;
        line.push(b'\n');
        let stderr = StderrLog::new(plugin.name.clone(), plugin.log.clone(), limits.max_stderr());
        let state = InstanceState::new(
            line,
            plugin.env.clone(),
            stderr,
            limits.max_memory(),
            limits.max_message(),
        );
        let mut store = Store::new(&plugin.engine, state);
        store.limiter(|state| &mut state.limiter);
        Self {
            plugin,
            limits,
            store,
            caller: CallerInfo::new(
                plugin.name.clone(),
                chain,
                options.tree.clone().unwrap_or_default(),
            ),
            cancel,
            // A timeout too far away to represent is no deadline at all.
            deadline: limits.timeout().and_then(|t| started.checked_add(t)),
            deadline_timer: None,
            fuel_given: 0,
            fuel_spent: 0,
            pending: FuturesUnordered::new(),
            last_yield: started,
        }
    }

    async fn run(&mut self) -> Result<Value, Error> {
        let instance = match self.instantiate() {
            Ok(instance) => instance,
            Err(ending) => return self.finish(ending).await,
        };
        let start = instance
            .get_typed_func::<(), ()>(&self.store, "_start")
            .map_err(|_| Error::MissingStart)?;
        let mut call = match self.refill(0) {
            Ok(()) => start.call_resumable(&mut self.store, ()),
            Err(e) => return Err(e),
        };
        let ending = loop {
            call = match call {
                Err(trap) => break Ending::Trapped(trap),
                Ok(TypedResumableCall::Finished(())) => break Ending::Returned,
                Ok(TypedResumableCall::OutOfFuel(invocation)) => {
                    if self.store.data().response.is_some() {
                        // Answered, then kept computing: nothing more is needed from it.
                        break Ending::Stopped;
                    }
                    if let Err(e) = self.check_interrupt() {
                        break Ending::Failed(e);
                    }
                    // Start what the plugin asked for meanwhile and hand it
                    // the answers that are ready, so a plugin that never
                    // waits still has its messages served.
                    if let Err(e) = self.serve_ready() {
                        break Ending::Failed(e);
                    }
                    if runtime::time_to_yield(self.last_yield) {
                        runtime::yield_now().await;
                        self.last_yield = runtime::now();
                    }
                    if let Err(e) = self
                        .check_interrupt()
                        .and_then(|()| self.refill(invocation.required_fuel()))
                    {
                        break Ending::Failed(e);
                    }
                    invocation.resume(&mut self.store)
                }
                Ok(TypedResumableCall::HostTrap(invocation)) => {
                    let error = invocation.host_error();
                    if let Some(code) = error.i32_exit_status() {
                        break Ending::Exited(code);
                    }
                    if error.downcast_ref::<Stop>().is_some() {
                        break Ending::Stopped;
                    }
                    if error.downcast_ref::<Suspend>().is_none() {
                        break Ending::Trapped(wasmi::Error::new(error.to_string()));
                    }
                    if self.store.data().response.is_some() {
                        // Answered, then waits (a sleep, say): nothing more is needed from it.
                        break Ending::Stopped;
                    }
                    if let Err(e) = self.wait_until_unblocked().await {
                        break Ending::Failed(e);
                    }
                    let errno = self.complete_blocked();
                    invocation.resume(&mut self.store, &[Val::I32(errno)])
                }
            };
        };
        self.finish(ending).await
    }

    /// Makes the instance (running a start section, if any) under
    /// [`START_FUEL`]; a start section that fails ends the call as the same
    /// failure of `_start` would.
    fn instantiate(&mut self) -> Result<Instance, Ending> {
        let fuel = self.limits.fuel().map_or(START_FUEL, |b| b.min(START_FUEL));
        self.set_fuel(fuel);
        let instance = self
            .plugin
            .linker
            .instantiate_and_start(&mut self.store, &self.plugin.module)
            .map_err(|e| self.start_failed(e))?;
        let memory = instance.get_memory(&self.store, "memory");
        self.store.data_mut().memory = memory;
        Ok(instance)
    }

    /// How a failed instantiation ends the call.
    fn start_failed(&self, error: wasmi::Error) -> Ending {
        if let Some(code) = error.i32_exit_status() {
            return Ending::Exited(code);
        }
        if error.downcast_ref::<Stop>().is_some() {
            return Ending::Stopped;
        }
        match error.as_trap_code() {
            Some(TrapCode::OutOfFuel) => Ending::Failed(Error::OutOfFuel {
                budget: self.limits.fuel().unwrap_or(START_FUEL),
            }),
            Some(_) => Ending::Trapped(error),
            // An initial memory of 4 GiB on a 32-bit host: wasmi refuses it
            // before the limiter is asked; it is beyond any cap there.
            None if matches!(
                error.kind(),
                ErrorKind::Memory(MemoryError::MinimumSizeOverflow)
                    | ErrorKind::Instantiation(InstantiationError::FailedToInstantiateMemory(
                        MemoryError::MinimumSizeOverflow
                    ))
            ) =>
            {
                Ending::Failed(Error::MemoryLimit {
                    limit: self.limits.max_memory(),
                    requested: usize::MAX,
                    stderr_tail: self.stderr_tail(),
                })
            }
            // Refused resources (memory, tables), or a start section that
            // would have to wait: nothing can resume it.
            None => Ending::Failed(self.memory_refused().unwrap_or(Error::Instantiation {
                reason: error.to_string(),
            })),
        }
    }

    fn set_fuel(&mut self, fuel: u64) {
        // Fuel metering is always on in our engine config, so this cannot fail.
        let _ = self.store.set_fuel(fuel);
        self.fuel_given = fuel;
    }

    /// Fuel the engine took out of the store so far.
    fn fuel_burnt(&self) -> u64 {
        let left = self.store.get_fuel().unwrap_or(0);
        self.fuel_spent + self.fuel_given.saturating_sub(left)
    }

    /// Fuel the call used: what the engine took, plus what WASI calls
    /// charged beyond the fuel left in their slice.
    fn fuel_consumed(&self) -> u64 {
        self.fuel_burnt()
            .saturating_add(self.store.data().fuel_overdraft)
    }

    /// Puts the next slice of fuel in the store, at least `required`.
    fn refill(&mut self, required: u64) -> Result<(), Error> {
        self.fuel_spent = self.fuel_burnt();
        let want = self.limits.fuel_slice().max(required);
        let give = match self.limits.fuel() {
            None => want,
            Some(budget) => {
                let left = budget.saturating_sub(self.fuel_consumed());
                if left == 0 || left < required {
                    return Err(Error::OutOfFuel { budget });
                }
                want.min(left)
            }
        };
        self.set_fuel(give);
        Ok(())
    }

    fn check_interrupt(&self) -> Result<(), Error> {
        if self.cancel.as_ref().is_some_and(CancelHandle::is_cancelled) {
            return Err(Error::Cancelled);
        }
        match (self.deadline, self.limits.timeout()) {
            (Some(deadline), Some(limit)) if runtime::now() >= deadline => {
                Err(Error::Timeout { limit })
            }
            _ => Ok(()),
        }
    }

    /// Starts a host method for each request and notification the plugin
    /// wrote, one after the other. An answer that is ready at once is
    /// delivered (if `deliver`) before the next method starts, so host
    /// methods that answer at once cannot pile up answers past the backlog.
    fn dispatch_outgoing(&mut self, deliver: bool) -> Result<(), Error> {
        let outgoing = core::mem::take(&mut self.store.data_mut().outgoing);
        for (message, cost) in outgoing {
            let (id, method, params) = match message {
                Message::Request(r) => (Some(r.id), r.method, r.params),
                Message::Notification(n) => (None, n.method, n.params),
                Message::Response(_) => continue,
            };
            let host = self.plugin.host.clone();
            let caller = self.caller.clone();
            let started =
                std::panic::catch_unwind(AssertUnwindSafe(|| host.handle(caller, &method, params)));
            let mut answer: BoxFuture<HostAnswer> = match started {
                Ok(fut) => Box::pin(AssertUnwindSafe(fut).catch_unwind().map(move |outcome| {
                    (id, cost, outcome.unwrap_or_else(|_| Err(panicked(&method))))
                })),
                Err(_) => Box::pin(core::future::ready((id, cost, Err(panicked(&method))))),
            };
            match (&mut answer).now_or_never() {
                Some(ready) if deliver => self.deliver(ready)?,
                Some(_) => {}
                None => self.pending.push(answer),
            }
        }
        Ok(())
    }

    /// Starts what the plugin asked for and delivers the answers that are
    /// ready, without waiting.
    fn serve_ready(&mut self) -> Result<(), Error> {
        self.dispatch_outgoing(true)?;
        while let Some(Some(answer)) = self.pending.next().now_or_never() {
            self.deliver(answer)?;
        }
        Ok(())
    }

    /// Puts a host method's answer where the plugin will read it. Answers
    /// the plugin has not read count in its host-call backlog: past the
    /// limit the call fails with [`ProtocolViolation::HostCallBacklog`].
    fn deliver(&mut self, (id, cost, outcome): HostAnswer) -> Result<(), Error> {
        let state = self.store.data_mut();
        state.backlog = state.backlog.saturating_sub(cost);
        let Some(id) = id else {
            if let Err(e) = outcome {
                tracing::debug!(plugin = %self.caller.plugin(), "host notification handler failed: {e}");
            }
            return Ok(());
        };
        let max = self.limits.max_message();
        let state = self.store.data_mut();
        state.outstanding = state.outstanding.saturating_sub(1);
        let answer = Response { id, outcome };
        state.push_stdin_line(
            max,
            |out| answer.write_line(out),
            |out, len| {
                Response {
                    id: answer.id.clone(),
                    outcome: Err(RpcError::internal(format!(
                        "the host's answer ({len} bytes) exceeds the message limit ({max} bytes)"
                    ))),
                }
                .write_line(out);
            },
        );
        let limit = backlog_limit(max);
        if state.backlog + state.stdin_len() > limit {
            let violation = ProtocolViolation::HostCallBacklog { limit };
            state.violation.get_or_insert(violation.clone());
            return Err(self.protocol(violation));
        }
        Ok(())
    }

    /// Waits until the operation the instance is suspended in can complete.
    async fn wait_until_unblocked(&mut self) -> Result<(), Error> {
        self.serve_ready()?;
        let (wants_stdin, wake_at) = match &self.store.data().blocked {
            Some(Blocked::Read { .. }) => (true, None),
            Some(Blocked::Poll(poll)) => (poll.wants_stdin, poll.deadline),
            None => return Ok(()),
        };
        loop {
            let stdin_ready = !matches!(self.store.data().stdin_state(), StdinState::Pending);
            if (wants_stdin && stdin_ready) || wake_at.is_some_and(|at| runtime::now() >= at) {
                return Ok(());
            }
            if self.pending.is_empty() && wake_at.is_none() {
                // Nothing can answer: let the read see end of input.
                self.store.data_mut().outstanding = 0;
                return Ok(());
            }
            if let Some(answer) = self.wait_for_host_or(wake_at).await? {
                self.deliver(answer)?;
            }
        }
    }

    /// Waits for one host answer or until `wake_at` (`None`), failing on
    /// the call's timeout or cancellation. Zero CPU while waiting. Host
    /// methods are always polled, so none is held up half-way (holding a
    /// lock, say) by a plugin that does not read.
    async fn wait_for_host_or(
        &mut self,
        wake_at: Option<Instant>,
    ) -> Result<Option<HostAnswer>, Error> {
        let mut alarm = wake_at
            .map(|at| Box::pin(runtime::sleep(at.saturating_duration_since(runtime::now()))));
        poll_fn(|cx| {
            if let Some(cancel) = &self.cancel
                && cancel.poll_cancelled(cx).is_ready()
            {
                return Poll::Ready(Err(Error::Cancelled));
            }
            if let Poll::Ready(Some(answer)) = self.pending.poll_next_unpin(cx) {
                return Poll::Ready(Ok(Some(answer)));
            }
            if let Some(alarm) = &mut alarm
                && alarm.poll_unpin(cx).is_ready()
            {
                return Poll::Ready(Ok(None));
            }
            if let (Some(deadline), Some(limit)) = (self.deadline, self.limits.timeout()) {
                let timer = self.deadline_timer.get_or_insert_with(|| {
                    Box::pin(runtime::sleep(
                        deadline.saturating_duration_since(runtime::now()),
                    ))
                });
                if timer.poll_unpin(cx).is_ready() {
                    return Poll::Ready(Err(Error::Timeout { limit }));
                }
            }
            Poll::Pending
        })
        .await
    }

    fn complete_blocked(&mut self) -> i32 {
        let Some(blocked) = self.store.data_mut().blocked.take() else {
            return 0;
        };
        let Some(memory) = self.store.data().memory else {
            return 21; // EFAULT: no memory to complete into
        };
        let (bytes, state) = memory.data_and_store_mut(&mut self.store);
        wasi::complete_blocked(&blocked, bytes, state)
    }

    /// Lets the host methods the plugin started finish (their answers have
    /// no reader any more), then decides the call's result.
    async fn finish(&mut self, mut ending: Ending) -> Result<Value, Error> {
        self.store.data_mut().stderr.finish();
        if !matches!(ending, Ending::Failed(_)) {
            // Answers have no reader any more: `dispatch_outgoing` cannot fail.
            let _ = self.dispatch_outgoing(false);
            while !self.pending.is_empty() {
                if let Err(error) = self.wait_for_host_or(None).await {
                    // Still running at the timeout or a cancel: dropped. An
                    // answer the plugin gave still stands.
                    ending = Ending::Failed(error);
                    break;
                }
            }
        }
        let state = self.store.data_mut();
        if let Some(violation) = state.violation.take() {
            return Err(self.protocol(violation));
        }
        if let Some(response) = state.response.take() {
            return response.map_err(Error::Rpc);
        }
        match ending {
            Ending::Returned | Ending::Stopped => {
                Err(self.protocol(ProtocolViolation::NoResponse { exit_code: None }))
            }
            Ending::Exited(0) => {
                Err(self.protocol(ProtocolViolation::NoResponse { exit_code: Some(0) }))
            }
            Ending::Exited(code) => Err(Error::Exit {
                code,
                stderr_tail: self.stderr_tail(),
            }),
            Ending::Trapped(trap) if is_invalid_code(&trap) => Err(Error::InvalidModule {
                reason: trap.to_string(),
            }),
            Ending::Trapped(trap) => Err(self.memory_refused().unwrap_or_else(|| Error::Trap {
                code: trap.as_trap_code(),
                message: trap.to_string(),
                stderr_tail: self.stderr_tail(),
            })),
            Ending::Failed(error) => Err(error),
        }
    }

    fn memory_refused(&self) -> Option<Error> {
        let requested = self.store.data().limiter.refused?;
        Some(Error::MemoryLimit {
            limit: self.limits.max_memory(),
            requested,
            stderr_tail: self.stderr_tail(),
        })
    }

    fn protocol(&self, violation: ProtocolViolation) -> Error {
        Error::Protocol {
            violation,
            stderr_tail: self.stderr_tail(),
        }
    }

    fn stderr_tail(&self) -> String {
        self.store.data().stderr.tail()
    }

    fn report(&self, started: Instant) -> CallReport {
        let state = self.store.data();
        CallReport {
            fuel_consumed: self.fuel_consumed(),
            wall_time: runtime::now().saturating_duration_since(started),
            peak_memory: state.limiter.peak,
            host_calls: state.host_calls,
            notifications: state.notifications,
            bytes_in: state.bytes_in,
            bytes_out: state.bytes_out,
            stderr_bytes: state.stderr.bytes,
        }
    }
}

/// Whether the engine stopped because a function failed validation or
/// translation when it was first called (see `with_full_validation`).
fn is_invalid_code(error: &wasmi::Error) -> bool {
    matches!(
        error.kind(),
        ErrorKind::Wasm(_) | ErrorKind::Translation(_) | ErrorKind::Read(_)
    )
}

fn panicked(method: &str) -> RpcError {
    RpcError::internal(format!("host method {method} panicked"))
}
