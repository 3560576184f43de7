//! The data of one instance's `Store`: what the WASI layer reads and writes
//! (the exchange of messages, stderr, argv and environment) and what the
//! run loop keeps about the instance (memory limiter, suspended operation,
//! fuel charged by WASI calls).

use std::sync::Arc;

use wasmi::Memory;

use super::{command::CommandStdio, exchange::Exchange, limiter::MemoryLimiter, stderr::StderrLog};
use crate::files::Files;
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
    /// Set while the instance runs its initialiser for a snapshot.
    pub(crate) init: Option<InitMode>,
    /// The plugin's preopened directories, if it has any.
    pub(crate) files: Option<Files>,
    /// Set when the instance runs as a plain command: stdio passes through
    /// instead of carrying the exchange's messages.
    pub(crate) command: Option<CommandStdio>,
    env: Arc<WasiEnv>,
    started: Instant,
}

/// How an instance runs while it is pre-initialised.
#[derive(Debug)]
pub(crate) struct InitMode {
    /// Clocks and randomness from fixed, reproducible sources (a build
    /// artefact's bytes then depend on nothing but its input), instead of
    /// the host's.
    pub(crate) deterministic: Option<FixedSources>,
    /// What the initialiser wrote to stdout so far (to name a host call).
    stdout: Vec<u8>,
}

/// Reproducible clocks and random bytes.
#[derive(Debug)]
pub(crate) struct FixedSources {
    /// Nanoseconds the clocks advance per read.
    ticks: core::cell::Cell<u64>,
    random: u64,
}

impl FixedSources {
    /// 2025-01-01T00:00:00Z, the wall clock's fixed start.
    const REALTIME_START_NS: u64 = 1_735_689_600 * 1_000_000_000;

    pub(crate) fn new() -> Self {
        Self {
            ticks: core::cell::Cell::new(0),
            random: 0x853c_49e6_748f_ea9b,
        }
    }

    /// Clock `id` now: a fixed start plus 1 µs per read, so the clocks
    /// still move forward.
    fn clock(&self, id: u32) -> u64 {
        let ticks = self.ticks.get() + 1_000;
        self.ticks.set(ticks);
        if id == 0 {
            Self::REALTIME_START_NS + ticks
        } else {
            ticks
        }
    }

    /// The next bytes of a SplitMix64 stream.
    fn fill(&mut self, dst: &mut [u8]) {
        for chunk in dst.chunks_mut(8) {
            self.random = self.random.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.random;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
        }
    }
}

impl InitMode {
    /// An initialiser run, with fixed clocks and randomness if `deterministic`.
    pub(crate) fn new(deterministic: bool) -> Self {
        Self {
            deterministic: deterministic.then(FixedSources::new),
            stdout: Vec::new(),
        }
    }

    /// What the initialiser's write to stdout means: a request or
    /// notification names the host method it called.
    fn forbidden_write(&mut self, bytes: &[u8]) -> StopReason {
        self.stdout.extend_from_slice(bytes);
        let line = self
            .stdout
            .split(|&b| b == b'\n')
            .next()
            .unwrap_or_default();
        let what = match wasmi_plugin_protocol::Message::from_slice(line) {
            Ok(wasmi_plugin_protocol::Message::Request(r)) => {
                format!("calling host method `{}`", r.method)
            }
            Ok(wasmi_plugin_protocol::Message::Notification(n)) => {
                format!("notifying host method `{}`", n.method)
            }
            _ => "writing to stdout".to_owned(),
        };
        StopReason::Forbidden(what)
    }
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
            init: None,
            files: None,
            command: None,
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
        match &self.command {
            Some(command) => command.stdin_state(),
            None => self.exchange.stdin_state(),
        }
    }

    fn stdin_len(&self) -> usize {
        match &self.command {
            Some(command) => command.stdin_len(),
            None => self.exchange.stdin_len(),
        }
    }

    fn read_stdin(&mut self, dst: &mut [u8]) -> usize {
        match &mut self.command {
            Some(command) => command.read_stdin(dst),
            None => self.exchange.read_stdin(dst),
        }
    }

    fn write_stdout(&mut self, bytes: &[u8]) -> Result<(), StopReason> {
        match &mut self.init {
            // Nothing may be said to the host during initialisation; wait
            // for the end of a line only to name the method.
            Some(init) if !bytes.contains(&b'\n') && init.stdout.len() < 4096 => {
                init.stdout.extend_from_slice(bytes);
                Ok(())
            }
            Some(init) => Err(init.forbidden_write(bytes)),
            None => match &mut self.command {
                Some(command) => command
                    .write_stdout(bytes)
                    .then_some(())
                    .ok_or(StopReason::OutputClosed),
                None => self.exchange.write_stdout(bytes),
            },
        }
    }

    fn write_stderr(&mut self, bytes: &[u8]) {
        match &mut self.command {
            Some(command) => command.write_stderr(bytes),
            None => self.stderr.write(bytes),
        }
    }

    fn block(&mut self, blocked: Blocked) {
        self.blocked = Some(blocked);
    }

    fn overdraw_fuel(&mut self, fuel: u64) {
        self.fuel_overdraft = self.fuel_overdraft.saturating_add(fuel);
    }

    fn files(&mut self) -> Option<&mut Files> {
        self.files.as_mut()
    }

    fn files_ref(&self) -> Option<&Files> {
        self.files.as_ref()
    }

    fn initializing(&self) -> bool {
        self.init.is_some()
    }

    fn fixed_clock(&self, id: u32) -> Option<u64> {
        let fixed = self.init.as_ref()?.deterministic.as_ref()?;
        Some(fixed.clock(id))
    }

    fn fill_random(&mut self, dst: &mut [u8]) -> Result<(), ()> {
        match self.init.as_mut().and_then(|i| i.deterministic.as_mut()) {
            Some(fixed) => {
                fixed.fill(dst);
                Ok(())
            }
            None => crate::runtime::fill_random(dst),
        }
    }
}
