//! QuickJS's job queue (promise reactions), which the serve loop runs
//! while an async handler is pending: the handler's awaits resume as jobs.
//! When the queue is empty and the handler still waits, the loop reads the
//! host's next answer and settles the host call it answers, which queues
//! more jobs.

use rquickjs::{Ctx, Type};

use crate::console::{self, Level};

/// Runs pending jobs until the queue is empty, including the jobs they queue.
pub fn run(ctx: &Ctx<'_>) {
    while ctx.execute_pending_job() {
        // A promise job catches its callback's exceptions into the promise;
        // one escapes only when QuickJS itself fails (out of memory). It
        // must not stay pending in the context: log it and go on.
        let escaped = ctx.catch();
        if escaped.type_of() != Type::Uninitialized {
            let message = console::show(ctx, &escaped);
            console::log(Level::Error, &format!("a promise job failed: {message}"));
        }
    }
}
