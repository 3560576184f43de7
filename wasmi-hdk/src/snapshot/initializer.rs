//! Which initialiser a module exports, and whether it already ran.

use super::{SnapshotError, parse::ModuleFacts};

use wasmi_plugin_protocol::exports::{REACTOR_INITIALIZE as WASI_INITIALIZE, WIZER_INITIALIZE};
/// The custom section marking a pre-initialised module. Its payload is the
/// UTF-8 name of the initialiser that ran (e.g. `wizer.initialize`, or
/// `_initialize,wizer.initialize` when both ran).
pub const MARKER_SECTION: &str = "wasmi-plugin.preinitialized";

/// The initialiser exports of a module, run in [`Initializer::exports`]
/// order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Initializer {
    /// `wizer.initialize` only.
    Wizer,
    /// `_initialize` only (a WASI reactor).
    WasiReactor,
    /// Both. `_initialize` runs first, as Wizer does: it starts the
    /// language runtime (libc constructors) that a Wizer hook relies on,
    /// and it must not run again on the snapshot.
    WasiReactorThenWizer,
}

impl Initializer {
    /// The exports to call, in order, each of type `[] -> []`.
    pub(crate) fn exports(self) -> &'static [&'static str] {
        match self {
            Self::Wizer => &[WIZER_INITIALIZE],
            Self::WasiReactor => &[WASI_INITIALIZE],
            Self::WasiReactorThenWizer => &[WASI_INITIALIZE, WIZER_INITIALIZE],
        }
    }

    /// What the marker section records.
    pub(crate) fn marker(self) -> String {
        self.exports().join(",")
    }
}

/// Whether a module can be, or has been, pre-initialised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum InitStatus {
    /// It exports no initialiser: there is nothing to snapshot.
    None,
    /// It exports an initialiser that has not run.
    Ready(Initializer),
    /// It carries the [`MARKER_SECTION`]: `initializer` already ran.
    Preinitialized {
        /// The marker's payload (lossy UTF-8).
        initializer: String,
    },
}

/// Which initialiser `wasm` exports (function exports named
/// `wizer.initialize` and/or `_initialize`), or whether it is already
/// pre-initialised.
///
/// # Errors
///
/// A malformed module ([`SnapshotError::Parse`]).
pub(crate) fn initializer(wasm: &[u8]) -> Result<InitStatus, SnapshotError> {
    Ok(status(&ModuleFacts::parse(wasm)?))
}

/// [`initializer`] of a parsed module.
pub(super) fn status(facts: &ModuleFacts<'_>) -> InitStatus {
    if let Some(marker) = facts.marker {
        return InitStatus::Preinitialized {
            initializer: String::from_utf8_lossy(marker).into_owned(),
        };
    }
    // By name alone: `instrument` refuses one that is not a `[] -> []`
    // function rather than ignoring it.
    let exports = |name| facts.export(name).is_some();
    match (exports(WASI_INITIALIZE), exports(WIZER_INITIALIZE)) {
        (true, true) => InitStatus::Ready(Initializer::WasiReactorThenWizer),
        (false, true) => InitStatus::Ready(Initializer::Wizer),
        (true, false) => InitStatus::Ready(Initializer::WasiReactor),
        (false, false) => InitStatus::None,
    }
}
