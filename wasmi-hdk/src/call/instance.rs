//! The data of one instance's `Store`: what the WASI layer reads and writes
//! (the exchange of messages, stderr, argv and environment) and what the
//! run loop keeps about the instance (memory limiter, suspended operation,
//! fuel charged by WASI calls).

use std::sync::Arc;

use wasmi::Memory;

use super::{exchange::Exchange, limiter::MemoryLimiter, stderr::StderrLog};
use crate::{
    runtime::Instant,
    wasi::{Blocked, StdinState, StopReason, WasiView},
};

/// argv and environment, prepared once per plugin as NUL-terminated strings.
#[derive(Debug, Default)]
pub(crate) struct WasiEnv {
    pub(crate) args: Vec<Box<[u8]>>,
    pub(crate) environ: Vec<Box<[u8]>>,
}

impl WasiEnv {
    pub(crate) fn new<'a>(
        args: impl IntoIterator<Item = &'a str>,
        env: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Self {
        let nul = |s: String| s.into_bytes().into_iter().chain([0]).collect();
        Self {
            args: args.into_iter().map(|a| nul(a.to_owned())).collect(),
            environ: env
                .into_iter()
                .map(|(k, v)| nul(format!("{k}={v}")))
                .collect(),
        }
    }
}

/// One instance's state.
#[derive(Debug)]
pub(crate) struct InstanceState {
    pub(crate) memory: Option<Memory>,
    pub(crate) limiter: MemoryLimiter,
    pub(crate) stderr: StderrLog,
    pub(crate) exchange: Exchange,
    /// The operation the instance is suspended in.
    pub(crate) blocked: Option<Blocked>,
    /// Fuel WASI calls charged beyond what was left in their slice.
    pub(crate) fuel_overdraft: u64,
    env: Arc<WasiEnv>,
    started: Instant,
}

impl InstanceState {
    pub(crate) fn new(
        exchange: Exchange,
        env: Arc<WasiEnv>,
        stderr: StderrLog,
        max_memory: usize,
    ) -> Self {
        Self {
            memory: None,
            limiter: MemoryLimiter::new(max_memory),
            stderr,
            exchange,
            blocked: None,
            fuel_overdraft: 0,
            env,
            started: crate::runtime::now(),
        }
    }

    /// A state with an empty request, for tests of the WASI layer.
    #[cfg(test)]
    pub(crate) fn for_tests() -> Self {
        Self::new(
            Exchange::new(Vec::new(), 1 << 20, Default::default()),
            Arc::default(),
            StderrLog::new("test".into(), Default::default(), 0),
            1 << 20,
        )
    }
}

impl WasiView for InstanceState {
    fn memory(&self) -> Option<Memory> {
        self.memory
    }

    fn started(&self) -> Instant {
        self.started
    }

    fn args(&self) -> &[Box<[u8]>] {
        &self.env.args
    }

    fn environ(&self) -> &[Box<[u8]>] {
        &self.env.environ
    }

    fn stdin_state(&self) -> StdinState {
        self.exchange.stdin_state()
    }

    fn stdin_len(&self) -> usize {
        self.exchange.stdin_len()
    }

    fn read_stdin(&mut self, dst: &mut [u8]) -> usize {
        self.exchange.read_stdin(dst)
    }

    fn write_stdout(&mut self, bytes: &[u8]) -> Result<(), StopReason> {
        self.exchange.write_stdout(bytes)
    }

    fn write_stderr(&mut self, bytes: &[u8]) {
        self.stderr.write(bytes);
    }

    fn block(&mut self, blocked: Blocked) {
        self.blocked = Some(blocked);
    }

    fn overdraw_fuel(&mut self, fuel: u64) {
        self.fuel_overdraft = self.fuel_overdraft.saturating_add(fuel);
    }
}
