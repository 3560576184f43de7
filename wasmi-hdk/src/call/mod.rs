//! One call: a fresh instance, one request on its stdin, the run loop that
//! slices fuel, serves host calls and waits without spinning, and the
//! classification of how it ended.

mod limiter;
mod run;
mod state;
mod stderr;

pub(crate) use self::{
    run::run_call,
    state::{InstanceState, REQUEST_ID, WasiEnv},
    stderr::StderrLog,
};
