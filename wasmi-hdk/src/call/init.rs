//! Running a module's initialiser once, for a snapshot: a fresh instance,
//! the initialiser exports called to their end under the plugin's limits,
//! synchronously. The initialiser may compute, allocate, read the clocks,
//! randomness, argv and environment, read its preopened files and log; it
//! may not wait (for stdin or time), call its host or leave a file open:
//! that fails with [`Error::Initializer`] naming what it did. What it
//! writes to a scratch directory is not kept (each request starts with an
//! empty one). A trap, an exit or a limit fails with the error a call would.

use std::sync::Arc;

use wasmi::{Engine, Instance, Linker, Module, Store, TypedResumableCall};

use super::{
    InstanceState, WasiEnv,
    exchange::Exchange,
    fuel::FuelMeter,
    instance::InitMode,
    interrupt::Interrupts,
    run::{memory_refused, trap_error},
    stderr::StderrLog,
};
use crate::{
    EngineError, Error, Limits,
    files::{Files, Preopens},
    log::LogSink,
    runtime,
    wasi::{Stop, StopReason, Suspend},
};

/// Fuel a start section may use during instantiation, as for calls.
const START_FUEL: u64 = 10_000_000;

/// What an initialiser run needs of the plugin being loaded.
#[derive(Clone, Copy)]
pub(crate) struct InitRun<'a> {
    pub(crate) engine: &'a Engine,
    pub(crate) linker: &'a Linker<InstanceState>,
    pub(crate) limits: &'a Limits,
    pub(crate) env: &'a Arc<WasiEnv>,
    pub(crate) name: &'a Arc<str>,
    pub(crate) log: &'a LogSink,
    /// The plugin's preopened directories (the initialiser may read them).
    pub(crate) preopens: &'a Preopens,
    /// Fixed clocks and randomness instead of the host's.
    pub(crate) deterministic: bool,
}

impl InitRun<'_> {
    /// Instantiates `module` and calls each of `exports` (`[] -> []`) to
    /// its end; returns the store and instance, ready to be captured.
    ///
    /// # Errors
    ///
    /// [`Error::Initializer`] if the initialiser waits or calls its host;
    /// the errors of a call for a trap, an exit, a limit or a timeout.
    pub(crate) fn run(
        &self,
        module: &Module,
        exports: &[&str],
    ) -> Result<(Store<InstanceState>, Instance), Error> {
        let limits = self.limits;
        let stderr = StderrLog::new(self.name.clone(), self.log.clone(), limits.max_stderr());
        let exchange = Exchange::new(Vec::new(), limits.max_message(), Default::default());
        let mut state = InstanceState::new(exchange, self.env.clone(), stderr, limits.max_memory());
        state.init = Some(InitMode::new(self.deterministic));
        state.files =
            (!self.preopens.is_empty()).then(|| Files::new(self.preopens, limits.max_open_files()));
        let mut store = Store::new(self.engine, state);
        store.limiter(|state| &mut state.limiter);
        let mut fuel = FuelMeter::new(limits);
        let interrupts = Interrupts::new(runtime::now(), limits.timeout(), None);

        fuel.set(
            &mut store,
            limits.fuel().map_or(START_FUEL, |b| b.min(START_FUEL)),
        );
        let instance = match self.linker.instantiate_and_start(&mut store, module) {
            Ok(instance) => instance,
            Err(error) => return Err(ended(&store, limits, &fuel, error, true)),
        };
        store.data_mut().memory = instance.get_memory(&store, "memory");

        for export in exports {
            let function = instance
                .get_typed_func::<(), ()>(&store, export)
                .map_err(|e| Error::Initializer {
                    reason: format!("`{export}` is not a function of type () -> (): {e}"),
                })?;
            fuel.refill(&mut store, 0)?;
            let mut call = function.call_resumable(&mut store, ());
            loop {
                call = match call {
                    Ok(TypedResumableCall::Finished(())) => break,
                    Err(error) => return Err(ended(&store, limits, &fuel, error, false)),
                    Ok(TypedResumableCall::OutOfFuel(invocation)) => {
                        interrupts.check()?;
                        fuel.refill(&mut store, invocation.required_fuel())?;
                        invocation.resume(&mut store)
                    }
                    Ok(TypedResumableCall::HostTrap(invocation)) => {
                        let error = wasmi::Error::new(invocation.host_error().to_string());
                        let stopped = host_stop(invocation.host_error());
                        return Err(
                            stopped.unwrap_or_else(|| trap_error(error, store.data(), limits))
                        );
                    }
                };
            }
        }
        if let Some(fd) = store.data().files.as_ref().and_then(Files::left_open) {
            return Err(Error::Initializer {
                reason: format!(
                    "the initialiser left descriptor {fd} open; a snapshot starts every request with \
                     only the preopened directories open, so close files before returning"
                ),
            });
        }
        store.data_mut().stderr.finish();
        Ok((store, instance))
    }
}

/// The error a host trap of the initialiser stands for, if it is one of
/// ours (exit, forbidden operation, a wait).
fn host_stop(error: &wasmi::Error) -> Option<Error> {
    if let Some(code) = error.i32_exit_status() {
        return Some(Error::Initializer {
            reason: format!("the initialiser exited (code {code}) instead of returning"),
        });
    }
    if let Some(Stop(reason)) = error.downcast_ref::<Stop>() {
        let what = match reason {
            StopReason::Forbidden(what) => what.clone(),
            other => format!("{other:?}"),
        };
        return Some(Error::Initializer {
            reason: format!(
                "{what} is not allowed while pre-initialising (clocks, random, args, env and logging are)"
            ),
        });
    }
    error.downcast_ref::<Suspend>().map(|_| Error::Initializer {
        reason: "the initialiser waited, which is not allowed while pre-initialising".to_owned(),
    })
}

/// The error an engine error during instantiation (`instantiating`) or
/// the initialiser is.
fn ended(
    store: &Store<InstanceState>,
    limits: &Limits,
    fuel: &FuelMeter,
    error: wasmi::Error,
    instantiating: bool,
) -> Error {
    if let Some(stop) = host_stop(&error) {
        return stop;
    }
    match error.as_trap_code() {
        Some(wasmi::TrapCode::OutOfFuel) => Error::OutOfFuel {
            budget: fuel.budget().unwrap_or(START_FUEL),
        },
        None if instantiating => {
            memory_refused(store.data(), limits).unwrap_or(Error::Instantiation {
                source: EngineError::new(error),
            })
        }
        _ => trap_error(error, store.data(), limits),
    }
}
