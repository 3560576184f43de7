//! One call, end to end: `run.rs` makes a fresh instance, writes the request
//! to its stdin and runs it in fuel slices (`fuel.rs`), stopping it at the
//! deadline or a cancel (`interrupt.rs`); the WASI layer reads and writes
//! the instance's state (`instance.rs`), whose `exchange.rs` keeps the
//! messages (stdin, stdout lines, the plugin's host calls, its answer, one
//! backlog); `host_calls.rs` runs the host methods the plugin asks for;
//! `stderr.rs` turns stderr into log records; `limiter.rs` caps memory;
//! `command.rs` passes stdio through for a plain WASI command.

mod command;
mod exchange;
mod fuel;
mod host_calls;
mod init;
mod instance;
mod interrupt;
mod limiter;
mod run;
mod stderr;
mod stdin;
mod stdout;

pub use self::command::CommandIo;
pub(crate) use self::{
    init::InitRun,
    instance::{InstanceState, WasiEnv},
    run::{run_call, run_command},
};
