//! `runJobs()`: runs QuickJS's job queue (promise reactions) until it is
//! empty.
//!
//! The kit's serve loop calls it while an async handler is pending: the
//! handler's awaits resume as jobs, and when the queue is empty and the
//! handler still waits, the loop reads the host's next answer from stdin
//! and settles the host call it answers, which queues more jobs.

use std::io::Write;

use rquickjs::{Ctx, Function, Object, Type};

/// Adds `runJobs` to `runner`, the kit's hooks.
pub fn install<'js>(ctx: &Ctx<'js>, runner: &Object<'js>) -> rquickjs::Result<()> {
    runner.set("runJobs", Function::new(ctx.clone(), run_jobs)?)
}

/// Runs pending jobs until the queue is empty, including the jobs they queue.
fn run_jobs(ctx: Ctx<'_>) {
    while ctx.execute_pending_job() {
        // A promise job catches its callback's exceptions into the promise;
        // one escapes only when QuickJS itself fails (out of memory). It
        // must not stay pending in the context: log it and go on.
        let escaped = ctx.catch();
        if escaped.type_of() != Type::Uninitialized {
            let message = match escaped.as_exception() {
                Some(e) => e.to_string(),
                None => format!("{escaped:?}"),
            };
            let message = message.trim_end().replace('\n', " | ");
            let _ = writeln!(
                std::io::stderr().lock(),
                "ERROR javascript: a promise job failed: {message}"
            );
        }
    }
}
