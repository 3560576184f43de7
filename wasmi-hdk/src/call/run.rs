//! The run loop of one call: a fresh instance, its request on stdin, fuel
//! in slices with a yield between them, host methods served while the
//! plugin computes or waits, and the classification of how it ended.

use core::{
    future::{Future, poll_fn},
    pin::pin,
    task::Poll,
};

use serde_json::Value;
use wasmi::{
    Instance, Store, TypedResumableCall, Val,
    errors::{ErrorKind as EngineErrorKind, InstantiationError, MemoryError},
};
use wasmi_plugin_protocol::Id;

use super::{
    InstanceState,
    command::{CommandIo, StdinSource},
    exchange::{Exchange, HostAnswer, REQUEST_ID},
    fuel::FuelMeter,
    host_calls::HostCalls,
    interrupt::Interrupts,
    stderr::StderrLog,
};
use crate::{
    CallOptions, CallReport, CallerInfo, EngineError, Error, Limits, ProtocolViolation, TrapCode,
    files::Files,
    plugin::PluginInner,
    runtime::{self, Instant},
    wasi::{self, Blocked, StdinState, Stop, StopReason, Suspend, WasiView},
};

/// Fuel a start section may use during instantiation (WASI commands rarely
/// have one; this bounds one that loops).
const START_FUEL: u64 = 10_000_000;

/// How the guest code stopped running.
enum Ending {
    /// `_start` returned.
    Returned,
    /// `proc_exit(code)`.
    Exited(i32),
    /// The host stopped it, for this reason.
    Stopped(StopReason),
    /// A Wasm trap or engine error.
    Trapped(wasmi::Error),
    /// A limit, a timeout, a cancellation, or a backlog overflow while
    /// answers were delivered: the call fails with this at once.
    Failed(Error),
}

/// Runs one request in a fresh instance of `plugin`; the report is there
/// whatever the outcome.
pub(crate) async fn run_call(
    plugin: &PluginInner,
    method: &str,
    params: Value,
    options: &CallOptions,
) -> (Result<Value, Error>, CallReport) {
    let started = runtime::now();
    let limits = options.limits.as_ref().unwrap_or(&plugin.limits);
    let mut line = Vec::new();
    plugin
        .dialect
        .write_request(&mut line, &Id::Number(REQUEST_ID), method, params);
    if line.len() > limits.max_message() {
        let error = Error::RequestTooLarge {
            size: line.len(),
            limit: limits.max_message(),
        };
        return (Err(error), CallReport::default());
    }
    let mut interrupts = Interrupts::new(started, limits.timeout(), options.cancel.clone());
    // Top-level calls wait for a free slot (nested calls between plugins are
    // bounded per call tree instead, so they cannot deadlock on these).
    let _slot = match (&plugin.slots, options.chain.as_deref()) {
        (Some(slots), None | Some([])) => {
            let mut acquire = pin!(slots.acquire_arc());
            match poll_fn(|cx| match acquire.as_mut().poll(cx) {
                Poll::Ready(slot) => Poll::Ready(Ok(slot)),
                Poll::Pending => interrupts.poll(cx).map(Err),
            })
            .await
            {
                Ok(slot) => Some(slot),
                Err(error) => {
                    let report = CallReport {
                        wall_time: runtime::now().saturating_duration_since(started),
                        ..CallReport::default()
                    };
                    return (Err(error), report);
                }
            }
        }
        _ => None,
    };
    let mut runner = Runner::new(plugin, limits, options, interrupts, line);
    let ending = runner.run().await;
    let result = runner.call_result(ending);
    (result, runner.report(started))
}

/// Runs `plugin` once as a plain WASI command on `io`: its exit code (0
/// when its entry point returns), or how it failed; the report is there
/// whatever the outcome.
pub(crate) async fn run_command(
    plugin: &PluginInner,
    io: CommandIo,
    options: &CallOptions,
) -> (Result<i32, Error>, CallReport) {
    let started = runtime::now();
    let limits = options.limits.as_ref().unwrap_or(&plugin.limits);
    let interrupts = Interrupts::new(started, limits.timeout(), options.cancel.clone());
    let mut runner = Runner::new(plugin, limits, options, interrupts, Vec::new());
    let (source, stdio) = io.split();
    runner.store.data_mut().command = Some(stdio);
    runner.stdin = Some(source);
    let ending = runner.run().await;
    let result = runner.command_result(ending);
    (result, runner.report(started))
}

struct Runner<'a> {
    plugin: &'a PluginInner,
    limits: &'a Limits,
    store: Store<InstanceState>,
    fuel: FuelMeter,
    interrupts: Interrupts,
    host_calls: HostCalls,
    /// The plugin's messages being started, kept between batches so that
    /// taking them allocates nothing.
    batch: Vec<super::exchange::HostRequest>,
    /// A command's stdin, read while the instance waits for input.
    stdin: Option<StdinSource>,
    /// When the call last yielded to the executor (or started).
    last_yield: Instant,
}

impl<'a> Runner<'a> {
    fn new(
        plugin: &'a PluginInner,
        limits: &'a Limits,
        options: &CallOptions,
        interrupts: Interrupts,
        request_line: Vec<u8>,
    ) -> Self {
        let stderr = StderrLog::new(plugin.name.clone(), plugin.log.clone(), limits.max_stderr());
        let exchange = Exchange::new(request_line, limits.max_message(), plugin.dialect);
        let mut state =
            InstanceState::new(exchange, plugin.env.clone(), stderr, limits.max_memory());
        if !plugin.preopens.is_empty() {
            state.files = Some(Files::new(&plugin.preopens, limits.max_open_files()));
        }
        let mut store = Store::new(&plugin.engine, state);
        store.limiter(|state| &mut state.limiter);
        let caller = CallerInfo::new(
            plugin.name.clone(),
            options.chain.clone().unwrap_or_default(),
            options.tree.clone().unwrap_or_default(),
        );
        Self {
            plugin,
            limits,
            store,
            fuel: FuelMeter::new(limits),
            interrupts,
            host_calls: HostCalls::new(plugin.host.clone(), caller),
            batch: Vec::new(),
            stdin: None,
            last_yield: runtime::now(),
        }
    }

    /// Runs the instance's entry points to their end, then lets the host
    /// methods it started finish.
    async fn run(&mut self) -> Ending {
        let ending = self.run_entry().await;
        self.settle(ending).await
    }

    async fn run_entry(&mut self) -> Ending {
        let instance = match self.instantiate() {
            Ok(instance) => instance,
            Err(ending) => return ending,
        };
        let entry = self.plugin.entry;
        for (at, export) in entry.iter().enumerate() {
            let Ok(function) = instance.get_typed_func::<(), ()>(&self.store, export) else {
                return Ending::Failed(Error::MissingEntryPoint);
            };
            if let Err(error) = self.fuel.refill(&mut self.store, 0) {
                return Ending::Failed(error);
            }
            let call = function.call_resumable(&mut self.store, ());
            let ending = self.drive(call).await;
            // A reactor's `_initialize` returns, then its main runs.
            if at + 1 < entry.len() && matches!(ending, Ending::Returned) {
                continue;
            }
            return ending;
        }
        Ending::Returned
    }

    /// Runs a started call of the instance until its code ends or the host
    /// stops it: slices of fuel, host methods served, waits suspended.
    async fn drive(&mut self, mut call: Result<TypedResumableCall<()>, wasmi::Error>) -> Ending {
        loop {
            call = match call {
                Err(trap) => return Ending::Trapped(trap),
                Ok(TypedResumableCall::Finished(())) => return Ending::Returned,
                Ok(TypedResumableCall::OutOfFuel(invocation)) => {
                    if let Err(ending) = self.between_slices(invocation.required_fuel()).await {
                        return ending;
                    }
                    invocation.resume(&mut self.store)
                }
                Ok(TypedResumableCall::HostTrap(invocation)) => {
                    let error = invocation.host_error();
                    if let Some(code) = error.i32_exit_status() {
                        return Ending::Exited(code);
                    }
                    if let Some(Stop(reason)) = error.downcast_ref::<Stop>() {
                        return Ending::Stopped(reason.clone());
                    }
                    if error.downcast_ref::<Suspend>().is_none() {
                        return Ending::Trapped(wasmi::Error::new(error.to_string()));
                    }
                    if self.store.data().exchange.has_answered() {
                        // Answered, then waits (a sleep, say): nothing more is needed from it.
                        return Ending::Stopped(StopReason::Answered);
                    }
                    if let Err(error) = self.wait_until_unblocked().await {
                        return Ending::Failed(error);
                    }
                    let errno = self.complete_blocked();
                    invocation.resume(&mut self.store, &[Val::I32(errno)])
                }
            };
        }
    }

    /// Between two fuel slices: stops a plugin that has answered, checks
    /// the deadline and cancellation, serves the plugin's messages, yields
    /// to the executor when it is time, and refills at least `required`.
    async fn between_slices(&mut self, required: u64) -> Result<(), Ending> {
        if self.store.data().exchange.has_answered() {
            // Answered, then kept computing: nothing more is needed from it.
            return Err(Ending::Stopped(StopReason::Answered));
        }
        self.interrupts.check().map_err(Ending::Failed)?;
        // Start what the plugin asked for meanwhile and hand it the answers
        // that are ready, so a plugin that never waits still has its
        // messages served.
        self.serve_ready().map_err(Ending::Failed)?;
        if runtime::time_to_yield(self.last_yield) {
            runtime::yield_now().await;
            self.last_yield = runtime::now();
        }
        self.interrupts.check().map_err(Ending::Failed)?;
        self.fuel
            .refill(&mut self.store, required)
            .map_err(Ending::Failed)
    }

    /// Makes the instance (running a start section, if any) under
    /// [`START_FUEL`]; a start section that fails ends the call as the same
    /// failure of `_start` would.
    fn instantiate(&mut self) -> Result<Instance, Ending> {
        let fuel = self.fuel.budget().map_or(START_FUEL, |b| b.min(START_FUEL));
        self.fuel.set(&mut self.store, fuel);
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
        if let Some(Stop(reason)) = error.downcast_ref::<Stop>() {
            return Ending::Stopped(reason.clone());
        }
        match error.as_trap_code() {
            Some(wasmi::TrapCode::OutOfFuel) => Ending::Failed(Error::OutOfFuel {
                budget: self.fuel.budget().unwrap_or(START_FUEL),
            }),
            Some(_) => Ending::Trapped(error),
            // An initial memory of 4 GiB on a 32-bit host: wasmi refuses it
            // before the limiter is asked; it is beyond any cap there.
            None if matches!(
                error.kind(),
                EngineErrorKind::Memory(MemoryError::MinimumSizeOverflow)
                    | EngineErrorKind::Instantiation(
                        InstantiationError::FailedToInstantiateMemory(
                            MemoryError::MinimumSizeOverflow
                        )
                    )
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
                source: EngineError::new(error),
            })),
        }
    }

    /// Starts a host method for each request and notification the plugin
    /// wrote, one after the other. An answer that is ready at once is
    /// delivered before the next method starts, so host methods that answer
    /// at once cannot pile up answers past the backlog.
    fn serve_ready(&mut self) -> Result<(), Error> {
        let mut batch = core::mem::take(&mut self.batch);
        self.store
            .data_mut()
            .exchange
            .take_outgoing_into(&mut batch);
        for request in batch.drain(..) {
            if let Some(answer) = self.host_calls.start(request) {
                self.deliver(answer)?;
            }
        }
        self.batch = batch;
        while let Some(answer) = self.host_calls.ready() {
            self.deliver(answer)?;
        }
        Ok(())
    }

    /// Puts a host method's answer where the plugin will read it.
    fn deliver(&mut self, answer: HostAnswer) -> Result<(), Error> {
        self.store
            .data_mut()
            .exchange
            .deliver(answer)
            .map_err(|violation| self.protocol(violation))
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
            if self.host_calls.is_empty() && wake_at.is_none() && self.stdin.is_none() {
                // Nothing can answer any more: let the read see end of input.
                self.store.data_mut().exchange.close_input();
                return Ok(());
            }
            let read_stdin = wants_stdin && self.stdin.is_some();
            if let Some(answer) = self.wait_for(wake_at, read_stdin).await? {
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
        self.wait_for(wake_at, false).await
    }

    /// [`wait_for_host_or`](Self::wait_for_host_or), or until a command's
    /// stdin has bytes or ends (`Ok(None)`) if `read_stdin`.
    async fn wait_for(
        &mut self,
        wake_at: Option<Instant>,
        read_stdin: bool,
    ) -> Result<Option<HostAnswer>, Error> {
        let mut alarm = wake_at
            .map(|at| Box::pin(runtime::sleep(at.saturating_duration_since(runtime::now()))));
        let Self {
            interrupts,
            host_calls,
            stdin,
            store,
            ..
        } = self;
        poll_fn(|cx| {
            if let Poll::Ready(error) = interrupts.poll(cx) {
                return Poll::Ready(Err(error));
            }
            if let Poll::Ready(Some(answer)) = host_calls.poll_next(cx) {
                return Poll::Ready(Ok(Some(answer)));
            }
            if read_stdin
                && let (Some(source), Some(stdio)) =
                    (stdin.as_mut(), store.data_mut().command.as_mut())
                && source.poll_fill(cx, stdio).is_ready()
            {
                return Poll::Ready(Ok(None));
            }
            if let Some(alarm) = &mut alarm
                && alarm.as_mut().poll(cx).is_ready()
            {
                return Poll::Ready(Ok(None));
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
    /// no reader any more): how the run ended, all said.
    async fn settle(&mut self, mut ending: Ending) -> Ending {
        self.store.data_mut().stderr.finish();
        if !matches!(ending, Ending::Failed(_)) {
            // Answers have no reader any more.
            for request in self.store.data_mut().exchange.take_outgoing() {
                let _ = self.host_calls.start(request);
            }
            while !self.host_calls.is_empty() {
                if let Err(error) = self.wait_for_host_or(None).await {
                    // Still running at the timeout or a cancel: dropped. An
                    // answer the plugin gave still stands.
                    ending = Ending::Failed(error);
                    break;
                }
            }
        }
        ending
    }

    /// A call's result: the plugin's answer, or why there is none.
    fn call_result(&mut self, ending: Ending) -> Result<Value, Error> {
        if let Ending::Stopped(StopReason::Violation(violation)) = ending {
            return Err(self.protocol(violation));
        }
        if let Some(response) = self.store.data_mut().exchange.take_response() {
            return response.map_err(Error::Rpc);
        }
        match ending {
            Ending::Returned | Ending::Stopped(_) => {
                Err(self.protocol(ProtocolViolation::NoResponse { exit_code: None }))
            }
            Ending::Exited(0) => {
                Err(self.protocol(ProtocolViolation::NoResponse { exit_code: Some(0) }))
            }
            Ending::Exited(code) => Err(Error::Exit {
                code,
                stderr_tail: self.stderr_tail(),
            }),
            Ending::Trapped(trap) => Err(trap_error(trap, self.store.data(), self.limits)),
            Ending::Failed(error) => Err(error),
        }
    }

    /// A command's result: its exit code (0 when its entry point returned).
    fn command_result(&mut self, ending: Ending) -> Result<i32, Error> {
        match ending {
            Ending::Returned => Ok(0),
            Ending::Exited(code) => Ok(code),
            Ending::Stopped(StopReason::OutputClosed) => {
                let source = self
                    .store
                    .data_mut()
                    .command
                    .as_mut()
                    .and_then(|c| c.output_error.take())
                    .unwrap_or_else(|| std::io::ErrorKind::BrokenPipe.into());
                Err(Error::Io {
                    path: "stdout".into(),
                    source,
                })
            }
            // A command's stdio carries no protocol, so nothing else stops it.
            Ending::Stopped(reason) => Err(Error::Instantiation {
                source: EngineError::new(wasmi::Error::new(format!(
                    "the command was stopped: {reason:?}"
                ))),
            }),
            Ending::Trapped(trap) => Err(trap_error(trap, self.store.data(), self.limits)),
            Ending::Failed(error) => Err(error),
        }
    }

    fn memory_refused(&self) -> Option<Error> {
        memory_refused(self.store.data(), self.limits)
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
        let counts = state.exchange.counts();
        CallReport {
            fuel_consumed: self.fuel.consumed(&self.store),
            wall_time: runtime::now().saturating_duration_since(started),
            peak_memory: state.limiter.peak,
            host_calls: counts.host_calls,
            notifications: counts.notifications,
            bytes_in: counts.bytes_in,
            bytes_out: counts.bytes_out,
            stderr_bytes: state.stderr.bytes,
        }
    }
}

/// The error a Wasm trap or engine error ends a call (or an initialiser)
/// with: invalid code, a refused memory growth, or the trap itself.
pub(crate) fn trap_error(trap: wasmi::Error, state: &InstanceState, limits: &Limits) -> Error {
    if is_invalid_code(&trap) {
        return Error::InvalidModule {
            source: EngineError::new(trap),
        };
    }
    memory_refused(state, limits).unwrap_or_else(|| Error::Trap {
        code: trap.as_trap_code().map(TrapCode::from_engine),
        message: trap.to_string(),
        stderr_tail: state.stderr.tail(),
    })
}

/// [`Error::MemoryLimit`] if the instance was refused memory.
pub(crate) fn memory_refused(state: &InstanceState, limits: &Limits) -> Option<Error> {
    let requested = state.limiter.refused?;
    Some(Error::MemoryLimit {
        limit: limits.max_memory(),
        requested,
        stderr_tail: state.stderr.tail(),
    })
}

/// Whether the engine stopped because a function failed validation or
/// translation when it was first called (see `with_full_validation`).
fn is_invalid_code(error: &wasmi::Error) -> bool {
    matches!(
        error.kind(),
        EngineErrorKind::Wasm(_) | EngineErrorKind::Translation(_) | EngineErrorKind::Read(_)
    )
}
