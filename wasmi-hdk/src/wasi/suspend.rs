//! The host errors WASI imports return to pause or stop an instance.

use core::fmt;

/// The instance waits for input or time; the operation is recorded with
/// [`WasiView::block`](super::WasiView::block) and completed on resume.
#[derive(Debug)]
pub(crate) struct Suspend;

impl fmt::Display for Suspend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("instance suspended on I/O")
    }
}

impl wasmi::errors::HostError for Suspend {}

/// The instance must end now; the reason is in its state.
#[derive(Debug)]
pub(crate) struct Stop;

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("instance stopped by the host")
    }
}

impl wasmi::errors::HostError for Stop {}
