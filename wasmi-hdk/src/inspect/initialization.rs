use crate::snapshot::{self, InitStatus};

/// Whether a module is, or can be, pre-initialised (see
/// [`PluginBuilder::with_preinitialization`](crate::PluginBuilder::with_preinitialization)).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Initialization {
    /// No initialiser: every instance starts from the module as it is.
    None,
    /// It exports an initialiser (`_initialize`, `wizer.initialize`, or
    /// both, run in this order) that the host runs once at load, then
    /// starts every request from the snapshot.
    Initializer {
        /// The exports run, in order.
        exports: Vec<String>,
    },
    /// Already pre-initialised (by `wasmi-host snapshot`, say): its
    /// marker section names the initialiser that ran.
    Preinitialized {
        /// What ran, e.g. `wizer.initialize`.
        by: String,
    },
}

impl Initialization {
    /// What `wasm` says about its initialisation; a module the snapshot
    /// reader cannot parse reads as having none (loading reports why).
    pub(crate) fn of(wasm: &[u8]) -> Self {
        match snapshot::initializer(wasm) {
            Ok(InitStatus::Ready(init)) => Self::Initializer {
                exports: init.exports().iter().map(|&e| e.to_owned()).collect(),
            },
            Ok(InitStatus::Preinitialized { initializer }) => {
                Self::Preinitialized { by: initializer }
            }
            Ok(InitStatus::None) | Err(_) => Self::None,
        }
    }
}
