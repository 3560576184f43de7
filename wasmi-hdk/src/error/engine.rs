use core::fmt;

use super::TrapCode;

/// An error of the WebAssembly engine (the wasmi interpreter), kept as the
/// source of [`Error::InvalidModule`](crate::Error::InvalidModule) and
/// [`Error::Instantiation`](crate::Error::Instantiation).
///
/// Opaque on purpose: its text is the engine's, and the engine's own types
/// are not part of this crate's API, so a new engine release does not
/// break callers.
#[derive(Debug)]
pub struct EngineError(wasmi::Error);

impl EngineError {
    pub(crate) fn new(error: wasmi::Error) -> Self {
        Self(error)
    }

    /// The trap code, if the engine stopped on a trap.
    pub fn trap_code(&self) -> Option<TrapCode> {
        self.0.as_trap_code().map(TrapCode::from_engine)
    }
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for EngineError {}

impl From<wasmi::Error> for EngineError {
    fn from(error: wasmi::Error) -> Self {
        Self(error)
    }
}
