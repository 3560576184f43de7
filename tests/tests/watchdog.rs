//! The last resort against a hang that no timeout future can see: a poll
//! that never returns (say, a plugin computing for hours inside one fuel
//! slice). `tokio::time::timeout` is polled by the same task as the call it
//! bounds, so it never gets the chance to fire; this thread does.
//!
//! Each [`Watch`] registers a deadline; one thread checks them every second
//! and, past one, names the test and aborts the test binary, so a hang ends
//! the run instead of stalling it forever.

use std::{
    collections::BTreeMap,
    io::Write,
    sync::{
        Mutex, Once,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

/// Deadlines of the watches alive now, by id, with the thread that made each.
static DEADLINES: Mutex<BTreeMap<u64, (Instant, String)>> = Mutex::new(BTreeMap::new());

/// A deadline for the current test, removed when dropped.
#[derive(Debug)]
pub(crate) struct Watch(u64);

impl Watch {
    /// Aborts the test binary unless dropped within `limit`.
    pub(crate) fn start(limit: Duration) -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        static WATCHER: Once = Once::new();
        WATCHER.call_once(|| {
            std::thread::Builder::new()
                .name("watchdog".to_owned())
                .spawn(watch)
                .expect("the watchdog thread starts");
        });
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        // libtest names each test's thread after the test.
        let test = std::thread::current().name().unwrap_or("a test").to_owned();
        deadlines().insert(id, (Instant::now() + limit, test));
        Self(id)
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        deadlines().remove(&self.0);
    }
}

fn deadlines() -> std::sync::MutexGuard<'static, BTreeMap<u64, (Instant, String)>> {
    // A test that panicked while holding the lock left the map intact.
    DEADLINES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn watch() {
    loop {
        std::thread::sleep(Duration::from_secs(1));
        let now = Instant::now();
        if let Some((_, test)) = deadlines().values().find(|(deadline, _)| now >= *deadline) {
            // Straight to stderr: `eprintln!` would go to the test's captured
            // output (inherited by this thread), which the abort loses.
            let _ = writeln!(
                std::io::stderr().lock(),
                "watchdog: {test} is stuck in a poll that does not return; aborting the test binary"
            );
            std::process::abort();
        }
    }
}
