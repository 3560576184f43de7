//! Check the preconditions and export what the snapshot must read.

use wasm_encoder::{Encode, ExportKind, Function, Instruction, RawSection};
use wasmparser::{ExternalKind, ValType};

use super::{
    SnapshotError,
    encode::{
        CODE_SECTION, EXPORT_SECTION, Entries, FUNCTION_SECTION, TYPE_SECTION, VecSection,
        export_entry, section_rank,
    },
    initializer::{InitStatus, Initializer, status},
    parse::ModuleFacts,
    reach::check_init_code,
};

/// The prefix of every export instrumentation adds.
pub(super) const EXPORT_PREFIX: &str = "__wasmi_snapshot_";
/// The export of the memory.
pub(super) const MEMORY_EXPORT: &str = "__wasmi_snapshot_memory";

/// The export of global `index`.
pub(super) fn global_export(index: u32) -> String {
    format!("{EXPORT_PREFIX}global_{index}")
}

/// The export of the function probing whether passive data segment
/// `segment` is still there.
pub(super) fn probe_export(segment: u32) -> String {
    format!("{EXPORT_PREFIX}data_live_{segment}")
}

/// A module ready to be initialised and captured: the original plus
/// exports of its state.
#[derive(Debug, Clone)]
pub(crate) struct Instrumented {
    wasm: Vec<u8>,
    initializer: Initializer,
    pub(super) layout: Layout,
}

/// What instrumentation exported, for [`capture`](super::capture()) and
/// [`emit`](super::emit()).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Layout {
    /// The original module's size, to catch a mix-up in `emit`.
    pub(super) original_len: usize,
    /// Whether the module defines a memory.
    pub(super) memory: bool,
    /// The mutable globals, by index (all defined: imported globals are
    /// refused).
    pub(super) globals: Vec<u32>,
    /// The non-empty passive data segments that a reachable `data.drop`
    /// names, each with a probe export.
    pub(super) probes: Vec<u32>,
}

impl Instrumented {
    /// The instrumented module: instantiate it, call
    /// [`Self::initializer`]'s exports, then [`capture`](super::capture()).
    pub(crate) fn wasm(&self) -> &[u8] {
        &self.wasm
    }

    /// The initialiser exports to call, in order.
    pub(crate) fn initializer(&self) -> Initializer {
        self.initializer
    }
}

/// Checks that `wasm`'s initialiser can be snapshotted and returns the
/// instrumented module.
///
/// # Errors
///
/// A malformed module, no initialiser, an initialiser that is not
/// `[] -> []`, an already pre-initialised module, and every refusal listed
/// in the [module docs](super).
pub(crate) fn instrument(wasm: &[u8]) -> Result<Instrumented, SnapshotError> {
    let facts = ModuleFacts::parse(wasm)?;
    let initializer = match status(&facts) {
        InitStatus::Ready(initializer) => initializer,
        InitStatus::None => return Err(SnapshotError::NoInitializer),
        InitStatus::Preinitialized { initializer } => {
            return Err(SnapshotError::AlreadyPreinitialized { initializer });
        }
    };
    check_state(&facts)?;

    let mut roots: Vec<u32> = facts.start.into_iter().collect();
    for &export in initializer.exports() {
        match facts.export(export) {
            Some(found)
                if found.kind == ExternalKind::Func && facts.is_nullary_func(found.index) =>
            {
                roots.push(found.index);
            }
            _ => return Err(SnapshotError::InitializerSignature { export }),
        }
    }
    let dropped = check_init_code(&facts, &roots)?;

    let memory = !facts.memories.is_empty();
    // A dropped segment behaves like an empty one; only a non-empty passive
    // one can tell, and only through `memory.init`, which needs the memory.
    let probes = dropped
        .into_iter()
        .filter(|&segment| {
            memory
                && facts
                    .data
                    .get(segment as usize)
                    .is_some_and(|data| data.passive && data.len > 0)
        })
        .collect();
    let globals = (0u32..)
        .zip(&facts.globals)
        .filter(|(_, global)| global.ty.mutable)
        .map(|(index, _)| index)
        .collect();
    let layout = Layout {
        original_len: wasm.len(),
        memory,
        globals,
        probes,
    };
    Ok(Instrumented {
        wasm: rewrite(wasm, &facts, &layout)?,
        initializer,
        layout,
    })
}

/// Refuses state a snapshot cannot capture or write back.
fn check_state(facts: &ModuleFacts<'_>) -> Result<(), SnapshotError> {
    if let Some(import) = facts.imported_state.first() {
        return Err(SnapshotError::ImportedState {
            module: import.module.to_owned(),
            name: import.name.to_owned(),
            kind: import.kind,
        });
    }
    if facts.memories.len() > 1 {
        return Err(SnapshotError::MultipleMemories {
            count: facts.memories.len(),
        });
    }
    if let Some(memory) = facts.memories.first() {
        let what = if memory.memory64 {
            Some("64-bit")
        } else if memory.shared {
            Some("shared")
        } else if memory.page_size_log2.is_some_and(|log2| log2 != 16) {
            Some("of a custom page size")
        } else {
            None
        };
        if let Some(what) = what {
            return Err(SnapshotError::UnsupportedMemory { what });
        }
    }
    for (index, global) in (0u32..).zip(&facts.globals) {
        let numeric = matches!(
            global.ty.content_type,
            ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64
        );
        if global.ty.mutable && (!numeric || global.ty.shared) {
            let shared = if global.ty.shared { "shared " } else { "" };
            return Err(SnapshotError::UnsupportedGlobal {
                index,
                ty: format!("{shared}{}", global.ty.content_type),
            });
        }
    }
    if let Some(export) = facts
        .exports
        .iter()
        .find(|export| export.name.starts_with(EXPORT_PREFIX))
    {
        return Err(SnapshotError::ReservedExport {
            name: export.name.to_owned(),
        });
    }
    Ok(())
}

/// Copies `wasm`, adding the exports of `layout` and the probe functions.
fn rewrite(
    wasm: &[u8],
    facts: &ModuleFacts<'_>,
    layout: &Layout,
) -> Result<Vec<u8>, SnapshotError> {
    let probe_type = facts.nullary_types.len() as u32;
    let first_probe = facts.func_count();

    let mut new_exports = VecSection::default();
    if layout.memory {
        new_exports.entry(&export_entry(MEMORY_EXPORT, ExportKind::Memory, 0));
    }
    for &global in &layout.globals {
        new_exports.entry(&export_entry(
            &global_export(global),
            ExportKind::Global,
            global,
        ));
    }
    let mut probe_types = VecSection::default();
    let mut probe_bodies = VecSection::default();
    for (&segment, func) in layout.probes.iter().zip(first_probe..) {
        new_exports.entry(&export_entry(
            &probe_export(segment),
            ExportKind::Func,
            func,
        ));
        let mut entry = Vec::new();
        probe_type.encode(&mut entry);
        probe_types.entry(&entry);
        probe_bodies.entry(&probe_body(segment, facts.data[segment as usize].len));
    }

    let mut out = wasm_encoder::Module::new();
    let raw = |out: &mut wasm_encoder::Module, id: u8, data: &[u8]| {
        out.section(&RawSection { id, data });
    };
    let extended = |range: &core::ops::Range<usize>, extra: &VecSection| {
        let entries = Entries::of(wasm, range.clone())?;
        let mut section = VecSection::default();
        section.entries(entries.count, &wasm[entries.bytes]);
        section.append(extra);
        Ok::<_, SnapshotError>(section.finish())
    };
    let probes = !layout.probes.is_empty();
    let mut exports_done = false;
    for section in &facts.sections {
        if !exports_done && section_rank(section.id) > section_rank(EXPORT_SECTION) {
            if !new_exports.is_empty() {
                raw(&mut out, EXPORT_SECTION, &new_exports.finish());
            }
            exports_done = true;
        }
        match section.id {
            TYPE_SECTION if probes => {
                let mut nullary = VecSection::default();
                nullary.entry(&[0x60, 0x00, 0x00]);
                raw(&mut out, TYPE_SECTION, &extended(&section.range, &nullary)?);
            }
            FUNCTION_SECTION if probes => raw(
                &mut out,
                FUNCTION_SECTION,
                &extended(&section.range, &probe_types)?,
            ),
            CODE_SECTION if probes => raw(
                &mut out,
                CODE_SECTION,
                &extended(&section.range, &probe_bodies)?,
            ),
            EXPORT_SECTION => {
                raw(
                    &mut out,
                    EXPORT_SECTION,
                    &extended(&section.range, &new_exports)?,
                );
                exports_done = true;
            }
            id => raw(&mut out, id, &wasm[section.range.clone()]),
        }
    }
    if !exports_done && !new_exports.is_empty() {
        raw(&mut out, EXPORT_SECTION, &new_exports.finish());
    }
    Ok(out.finish())
}

/// A function that traps if data segment `segment` (of `len > 0` bytes) was
/// dropped: `memory.init` of zero bytes from offset `len` is in bounds only
/// while the segment still has its bytes.
fn probe_body(segment: u32, len: usize) -> Vec<u8> {
    let mut func = Function::new([]);
    func.instruction(&Instruction::I32Const(0))
        .instruction(&Instruction::I32Const(len as i32))
        .instruction(&Instruction::I32Const(0))
        .instruction(&Instruction::MemoryInit {
            mem: 0,
            data_index: segment,
        })
        .instruction(&Instruction::End);
    let mut body = Vec::new();
    func.encode(&mut body);
    body
}
