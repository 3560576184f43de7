//! Pre-initialising a module: run its initialiser once and write the
//! snapshot, with the plugin's settings.

use wasmi::{Engine, Linker, Module};

use super::{EmitOptions, InitStatus, capture, emit, initializer, instrument};
use crate::{EngineError, Error, call::InitRun, wasi};

/// Fuel the capture's probes of passive data segments may use.
const PROBE_FUEL: u64 = 1_000_000;

/// `wasm` pre-initialised: its initialiser run once in a fresh instance
/// (on an engine of its own, so the plugin's keeps no trace of it) and the
/// resulting state written as a new module. `Ok(None)` if `wasm` has no
/// initialiser or is pre-initialised already.
///
/// # Errors
///
/// [`Error::Snapshot`] if the module cannot be snapshotted; the errors of
/// [`InitRun::run`] if its initialiser fails.
pub(crate) fn preinitialize(init: &InitRun<'_>, wasm: &[u8]) -> Result<Option<Vec<u8>>, Error> {
    let snapshot = |source| Error::Snapshot { source };
    if !matches!(initializer(wasm).map_err(snapshot)?, InitStatus::Ready(_)) {
        return Ok(None);
    }
    let instrumented = instrument(wasm).map_err(snapshot)?;
    let engine = Engine::new(init.engine.config());
    let module = Module::new(&engine, instrumented.wasm()).map_err(|e| Error::InvalidModule {
        source: EngineError::new(e),
    })?;
    let mut linker = Linker::new(&engine);
    wasi::add_to_linker(&mut linker).map_err(|e| Error::Instantiation {
        source: EngineError::new(e),
    })?;
    let run = InitRun {
        engine: &engine,
        linker: &linker,
        ..*init
    };
    let (mut store, instance) = run.run(&module, instrumented.initializer().exports())?;
    // Fuel metering is always on in our engine config, so this cannot fail.
    let _ = store.set_fuel(PROBE_FUEL);
    let state = capture(&mut store, &instance, &instrumented).map_err(snapshot)?;
    emit(wasm, &instrumented, &state, &EmitOptions::default())
        .map(Some)
        .map_err(snapshot)
}
