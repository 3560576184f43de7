//! End-to-end tests of the `wasmi-host` binary: every command, every exit
//! code and every error path, driven through `std::process::Command` with
//! the embedded test-plugin and the misbehaving plugin.

mod cli {
    mod call;
    mod check;
    mod emit;
    mod files;
    mod help;
    mod host_methods;
    mod inspect;
    mod logs;
    mod run;
    mod serve;
    mod serve_plugins;
    mod snapshot;
    mod util;
}

// Dependencies of the binary, not of its tests.
use clap as _;
use clap_complete as _;
use clap_mangen as _;
use futures as _;
use serde as _;
use thiserror as _;
use tokio as _;
use tracing as _;
use tracing_subscriber as _;
