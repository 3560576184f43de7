//! Write the pre-initialised module.

use std::borrow::Cow;

use wasm_encoder::{
    ConstExpr, CustomSection, DataCountSection, DataSection, GlobalSection, GlobalType,
    MemorySection, MemoryType, RawSection, ValType,
};

use super::{
    CapturedState, GlobalValue, SnapshotError,
    encode::{
        DATA_COUNT_SECTION, DATA_SECTION, EXPORT_SECTION, GLOBAL_SECTION, MEMORY_SECTION,
        START_SECTION, VecSection,
    },
    initializer::MARKER_SECTION,
    instrument::Instrumented,
    parse::ModuleFacts,
    segments::nonzero_runs,
};

/// The size of a wasm page.
const PAGE_SIZE: u64 = 64 << 10;

/// How [`emit`] writes the pre-initialised module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EmitOptions {
    keep_initializer: bool,
    merge_gap: u32,
    max_data_segments: u32,
}

impl Default for EmitOptions {
    /// Initialisers removed; runs of non-zero bytes at most 1 KiB of zeros
    /// apart merged; at most 10 000 data segments, as Wizer started with
    /// (engines allow 100 000). The gap is what an instance costs, not the
    /// file: wasmi 2.0 spends about 70 instructions per data segment on
    /// every instantiation, about what copying 1 KiB of zeros costs. On the
    /// JavaScript plugin's snapshot that made 1,362 segments 3, a ping 5 %
    /// cheaper (1,731 k → 1,637 k instructions) and the file 11 KB larger.
    fn default() -> Self {
        Self {
            keep_initializer: false,
            merge_gap: 1024,
            max_data_segments: 10_000,
        }
    }
}

impl EmitOptions {
    /// Keeps the initialiser exports (default: removed, as calling them
    /// again would initialise twice).
    #[cfg(test)]
    pub(crate) fn with_keep_initializer(mut self, keep: bool) -> Self {
        self.keep_initializer = keep;
        self
    }

    /// Merges runs of non-zero bytes separated by at most `gap` zero bytes.
    #[cfg(test)]
    pub(crate) fn with_merge_gap(mut self, gap: u32) -> Self {
        self.merge_gap = gap;
        self
    }

    /// Emits at most `max` data segments for the memory image (at least 1).
    #[cfg(test)]
    pub(crate) fn with_max_data_segments(mut self, max: u32) -> Self {
        self.max_data_segments = max;
        self
    }
}

/// Writes `original` pre-initialised with `state`, captured from an
/// instance of `instrumented` (made from `original`).
///
/// # Errors
///
/// [`SnapshotError::StateMismatch`] if `original`, `instrumented` and
/// `state` do not belong together; [`SnapshotError::Parse`] for a
/// malformed module.
pub(crate) fn emit(
    original: &[u8],
    instrumented: &Instrumented,
    state: &CapturedState,
    options: &EmitOptions,
) -> Result<Vec<u8>, SnapshotError> {
    let facts = ModuleFacts::parse(original)?;
    check_matches(original, &facts, instrumented, state)?;

    let runs = state.memory.as_ref().map_or_else(Vec::new, |memory| {
        nonzero_runs(
            &memory.bytes,
            options.merge_gap as usize,
            options.max_data_segments as usize,
        )
    });
    let mut data = DataSection::new();
    // Code can name a data segment only if there is a data count section:
    // then the original segments keep their indices (see the module docs).
    if facts.data_count.is_some() {
        for (index, segment) in (0u32..).zip(&facts.data) {
            if segment.passive && !state.dropped_data.contains(&index) {
                data.raw(&original[segment.entry.clone()]);
            } else {
                data.passive([]);
            }
        }
    }
    if let Some(memory) = &state.memory {
        for run in &runs {
            // An offset below 4 GiB, as the i32 of the same bits.
            let offset = ConstExpr::i32_const(run.start as u32 as i32);
            data.active(0, &offset, memory.bytes[run.clone()].iter().copied());
        }
    }

    let mut out = wasm_encoder::Module::new();
    let has_data = facts.section(DATA_SECTION).is_some();
    let last_known = facts.sections.iter().rposition(|section| section.id != 0);
    let finish = |out: &mut wasm_encoder::Module, data: &DataSection| {
        if !has_data && !data.is_empty() {
            out.section(data);
        }
        out.section(&CustomSection {
            name: Cow::Borrowed(MARKER_SECTION),
            data: Cow::Owned(instrumented.initializer().marker().into_bytes()),
        });
    };
    for (position, section) in facts.sections.iter().enumerate() {
        match section.id {
            MEMORY_SECTION => {
                out.section(&memory_section(&facts, state));
            }
            GLOBAL_SECTION => {
                out.section(&global_section(original, &facts, state));
            }
            EXPORT_SECTION => {
                let exports = export_section(original, &facts, instrumented, options);
                out.section(&RawSection {
                    id: EXPORT_SECTION,
                    data: &exports,
                });
            }
            START_SECTION => {}
            DATA_COUNT_SECTION => {
                out.section(&DataCountSection { count: data.len() });
            }
            DATA_SECTION => {
                if !data.is_empty() {
                    out.section(&data);
                }
            }
            id => {
                out.section(&RawSection {
                    id,
                    data: &original[section.range.clone()],
                });
            }
        }
        if Some(position) == last_known {
            finish(&mut out, &data);
        }
    }
    if last_known.is_none() {
        finish(&mut out, &data);
    }
    Ok(out.finish())
}

/// Refuses a state or module that `instrumented` was not made from.
fn check_matches(
    original: &[u8],
    facts: &ModuleFacts<'_>,
    instrumented: &Instrumented,
    state: &CapturedState,
) -> Result<(), SnapshotError> {
    let layout = &instrumented.layout;
    let mismatch = |reason| Err(SnapshotError::StateMismatch { reason });
    let has_memory = !facts.memories.is_empty();
    if original.len() != layout.original_len || has_memory != layout.memory {
        return mismatch("the module is not the one that was instrumented");
    }
    if !state
        .globals
        .iter()
        .map(|(index, _)| index)
        .eq(layout.globals.iter())
    {
        return mismatch("the captured globals are not the module's mutable globals");
    }
    let value_types_match = state.globals.iter().all(|&(index, value)| {
        let ty = facts.globals[index as usize].ty.content_type;
        matches!(
            (value, ty),
            (GlobalValue::I32(_), wasmparser::ValType::I32)
                | (GlobalValue::I64(_), wasmparser::ValType::I64)
                | (GlobalValue::F32(_), wasmparser::ValType::F32)
                | (GlobalValue::F64(_), wasmparser::ValType::F64)
        )
    });
    if !value_types_match {
        return mismatch("a captured global's type differs from the module's");
    }
    match &state.memory {
        Some(_) if !layout.memory => {
            return mismatch("a memory was captured but the module has none");
        }
        None if layout.memory => return mismatch("the module's memory was not captured"),
        Some(memory) if memory.pages.checked_mul(PAGE_SIZE) != Some(memory.bytes.len() as u64) => {
            return mismatch("the memory image is not a whole number of pages");
        }
        _ => {}
    }
    if !state
        .dropped_data
        .iter()
        .all(|segment| layout.probes.contains(segment))
    {
        return mismatch("a dropped data segment was not probed");
    }
    Ok(())
}

/// The memory section: the minimum becomes the captured size.
fn memory_section(facts: &ModuleFacts<'_>, state: &CapturedState) -> MemorySection {
    let mut section = MemorySection::new();
    for memory in &facts.memories {
        let minimum = state
            .memory
            .as_ref()
            .map_or(memory.initial, |image| image.pages);
        section.memory(MemoryType {
            minimum,
            maximum: memory.maximum,
            memory64: memory.memory64,
            shared: memory.shared,
            page_size_log2: memory.page_size_log2,
        });
    }
    section
}

/// The global section: mutable globals start with their captured values,
/// immutable ones keep their entries byte for byte.
fn global_section(
    original: &[u8],
    facts: &ModuleFacts<'_>,
    state: &CapturedState,
) -> GlobalSection {
    let mut section = GlobalSection::new();
    let mut captured = state.globals.iter().peekable();
    for (index, global) in (0u32..).zip(&facts.globals) {
        match captured.next_if(|(captured, _)| *captured == index) {
            Some(&(_, value)) => {
                let (val_type, init) = match value {
                    GlobalValue::I32(value) => (ValType::I32, ConstExpr::i32_const(value)),
                    GlobalValue::I64(value) => (ValType::I64, ConstExpr::i64_const(value)),
                    // Floats as raw bits: a NaN's payload must not be
                    // quieted on the way (`f32.const` is 0x43, `f64.const`
                    // 0x44, then the little-endian bits).
                    GlobalValue::F32(bits) => (
                        ValType::F32,
                        ConstExpr::raw([0x43].into_iter().chain(bits.to_le_bytes())),
                    ),
                    GlobalValue::F64(bits) => (
                        ValType::F64,
                        ConstExpr::raw([0x44].into_iter().chain(bits.to_le_bytes())),
                    ),
                };
                section.global(
                    GlobalType {
                        val_type,
                        mutable: true,
                        shared: false,
                    },
                    &init,
                );
            }
            None => {
                section.raw(&original[global.entry.clone()]);
            }
        }
    }
    section
}

/// The export section's content without the initialiser exports (unless
/// kept).
fn export_section(
    original: &[u8],
    facts: &ModuleFacts<'_>,
    instrumented: &Instrumented,
    options: &EmitOptions,
) -> Vec<u8> {
    let removed = if options.keep_initializer {
        &[][..]
    } else {
        instrumented.initializer().exports()
    };
    let mut section = VecSection::default();
    for export in &facts.exports {
        if !removed.contains(&export.name) {
            section.entry(&original[export.entry.clone()]);
        }
    }
    section.finish()
}
