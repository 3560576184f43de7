//! The calls one top-level call leads to through `plugins.call`, and the
//! slots that bound how many of them run at once.

use std::sync::{Arc, Mutex, PoisonError};

use async_lock::Semaphore;

/// Shared by a top-level call and every call it leads to (and nothing
/// else), so one plugin's fan-out cannot take the slots of another's, and
/// a host method that calls back into a set starts a tree of its own.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallTree(Arc<Mutex<Vec<Arc<Semaphore>>>>);

impl CallTree {
    /// The slots of the calls at `depth` (1: made by the top-level call),
    /// `size` of them; made on first use. One pool per depth, so a call
    /// waiting for its child never holds the slot the child needs.
    pub(crate) fn slots(&self, depth: usize, size: usize) -> Arc<Semaphore> {
        let mut pools = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        while pools.len() < depth {
            pools.push(Arc::new(Semaphore::new(size)));
        }
        pools[depth.max(1) - 1].clone()
    }
}

/// The same tree.
impl PartialEq for CallTree {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for CallTree {}
