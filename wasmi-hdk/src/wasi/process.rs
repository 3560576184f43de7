//! The process: exiting, signals and yielding.

use wasmi::{Caller, Error};

use super::{WasiView, errno::Errno};

/// `proc_exit(code)`: ends the instance; the run loop reads the code.
pub(super) fn proc_exit<T: WasiView>(_: Caller<'_, T>, code: i32) -> Result<(), Error> {
    Err(Error::i32_exit(code))
}

/// `proc_raise`: there are no signals.
pub(super) fn proc_raise<T: WasiView>(_: Caller<'_, T>, _signal: i32) -> i32 {
    Errno::NOSYS.0
}

/// `sched_yield`: nothing else runs on the instance's behalf; the run loop
/// yields between fuel slices anyway.
pub(super) fn sched_yield<T: WasiView>(_: Caller<'_, T>) -> i32 {
    Errno::SUCCESS.0
}
