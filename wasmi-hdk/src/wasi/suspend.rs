//! The host errors WASI imports return to pause or stop an instance.

use core::fmt;

use super::StopReason;

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

/// The instance must end now, for this reason.
#[derive(Debug)]
pub(crate) struct Stop(pub(crate) StopReason);

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            StopReason::Answered => f.write_str("instance stopped by the host: it has answered"),
            StopReason::Violation(v) => write!(f, "instance stopped by the host: {v}"),
            StopReason::Forbidden(what) => {
                write!(
                    f,
                    "instance stopped by the host: {what} during initialisation"
                )
            }
            StopReason::OutputClosed => f.write_str("instance stopped by the host: stdout closed"),
        }
    }
}

impl wasmi::errors::HostError for Stop {}
