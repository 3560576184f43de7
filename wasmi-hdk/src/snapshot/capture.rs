//! Read the state an initialiser left in a wasmi instance.

use wasmi::{AsContextMut, Instance, TrapCode, Val};

use super::{
    SnapshotError,
    instrument::{Instrumented, MEMORY_EXPORT, global_export, probe_export},
};

/// The value of a captured global. Floats are kept as bits, so a NaN's
/// payload survives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GlobalValue {
    /// An `i32`.
    I32(i32),
    /// An `i64`.
    I64(i64),
    /// The bits of an `f32`.
    F32(u32),
    /// The bits of an `f64`.
    F64(u64),
}

/// The state of an instrumented instance after its initialiser returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CapturedState {
    /// Every mutable global, by index, ascending.
    pub(crate) globals: Vec<(u32, GlobalValue)>,
    /// The memory, if the module defines one.
    pub(crate) memory: Option<MemoryImage>,
    /// The passive data segments the initialiser dropped, ascending.
    pub(crate) dropped_data: Vec<u32>,
}

/// The contents of linear memory.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct MemoryImage {
    /// The size in 64 KiB pages.
    pub(crate) pages: u64,
    /// The bytes (`pages * 64 KiB` of them).
    pub(crate) bytes: Vec<u8>,
}

impl core::fmt::Debug for MemoryImage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("MemoryImage")
            .field("pages", &self.pages)
            .field("bytes", &format_args!("[{} bytes]", self.bytes.len()))
            .finish()
    }
}

/// Captures the state of `instance`, an instance of `instrumented`'s module
/// whose initialiser exports have all returned.
///
/// Probing dropped data segments calls tiny exported functions (a few
/// instructions each, no host calls), so `store` must have fuel left if it
/// meters fuel.
///
/// # Errors
///
/// [`SnapshotError::MissingExport`] if `instance` is not of the
/// instrumented module, [`SnapshotError::Probe`] if a probe fails other
/// than by finding its segment dropped.
pub(crate) fn capture(
    mut store: impl AsContextMut,
    instance: &Instance,
    instrumented: &Instrumented,
) -> Result<CapturedState, SnapshotError> {
    let layout = &instrumented.layout;
    let missing = |name: &str| SnapshotError::MissingExport {
        name: name.to_owned(),
    };

    let mut globals = Vec::with_capacity(layout.globals.len());
    for &index in &layout.globals {
        let name = global_export(index);
        let global = instance
            .get_global(&store, &name)
            .ok_or_else(|| missing(&name))?;
        let value = match global.get(&store) {
            Val::I32(value) => GlobalValue::I32(value),
            Val::I64(value) => GlobalValue::I64(value),
            Val::F32(value) => GlobalValue::F32(value.to_bits()),
            Val::F64(value) => GlobalValue::F64(value.to_bits()),
            _ => return Err(missing(&name)),
        };
        globals.push((index, value));
    }

    let memory = if layout.memory {
        let memory = instance
            .get_memory(&store, MEMORY_EXPORT)
            .ok_or_else(|| missing(MEMORY_EXPORT))?;
        Some(MemoryImage {
            pages: memory.size(&store),
            bytes: memory.data(store.as_context()).to_vec(),
        })
    } else {
        None
    };

    let mut dropped_data = Vec::new();
    for &segment in &layout.probes {
        let name = probe_export(segment);
        let probe = instance
            .get_typed_func::<(), ()>(&store, &name)
            .map_err(|_| missing(&name))?;
        match probe.call(store.as_context_mut(), ()) {
            Ok(()) => {}
            Err(error) if error.as_trap_code() == Some(TrapCode::MemoryOutOfBounds) => {
                dropped_data.push(segment);
            }
            Err(source) => return Err(SnapshotError::Probe { segment, source }),
        }
    }

    Ok(CapturedState {
        globals,
        memory,
        dropped_data,
    })
}
