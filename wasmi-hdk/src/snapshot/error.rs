//! Why a module cannot be pre-initialised, or why a snapshot step failed.

use thiserror::Error;

/// Why a module cannot be pre-initialised, or why a snapshot step failed.
///
/// The refusals name what is in the way and where, so that a plugin author
/// can change the module (or give up pre-initialising it).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// The bytes are not a well-formed wasm module.
    #[error("malformed wasm module: {0}")]
    Parse(#[from] wasmparser::BinaryReaderError),
    /// The bytes are a component, not a core module.
    #[error("not a core wasm module (a component?)")]
    NotAModule,
    /// A section id this parser does not know.
    #[error("unknown section id {id} at byte offset {offset:#x}")]
    UnknownSection {
        /// The section's id.
        id: u8,
        /// Where the section starts.
        offset: usize,
    },
    /// The module exports neither `wizer.initialize` nor `_initialize`.
    #[error("the module exports no initialiser (`wizer.initialize` or `_initialize`)")]
    NoInitializer,
    /// The module carries the pre-initialised marker: its initialiser ran.
    #[error("the module is already pre-initialised (it ran `{initializer}`)")]
    AlreadyPreinitialized {
        /// What the marker says ran.
        initializer: String,
    },
    /// An initialiser export is not a function of type `[] -> []`.
    #[error("the export `{export}` is not a function of type `[] -> []`")]
    InitializerSignature {
        /// The export's name.
        export: &'static str,
    },
    /// The module imports a memory or a global: state the host owns.
    #[error(
        "import `{module}`.`{name}` is a {kind}: an imported {kind} belongs to the host and \
         cannot be captured"
    )]
    ImportedState {
        /// The import's module name.
        module: String,
        /// The import's field name.
        name: String,
        /// `"memory"` or `"global"`.
        kind: &'static str,
    },
    /// More than one memory.
    #[error("the module defines {count} memories; a snapshot supports at most one")]
    MultipleMemories {
        /// How many memories the module defines.
        count: usize,
    },
    /// A memory this snapshot cannot write back.
    #[error(
        "the memory is {what}; a snapshot supports only a 32-bit unshared memory with 64 KiB \
         pages"
    )]
    UnsupportedMemory {
        /// `"64-bit"`, `"shared"` or `"of a custom page size"`.
        what: &'static str,
    },
    /// A mutable global whose value cannot be written as a constant.
    #[error(
        "global {index} is a mutable `{ty}` global; only mutable i32, i64, f32 and f64 \
         globals can be captured"
    )]
    UnsupportedGlobal {
        /// The global's index.
        index: u32,
        /// Its type, as wasmparser prints it.
        ty: String,
    },
    /// An instruction that changes tables or element segments can run
    /// during initialisation.
    #[error(
        "`{instruction}` in function {function} (byte offset {offset:#x}) can run during \
         initialisation and would change table state that a snapshot does not capture"
    )]
    TableMutation {
        /// The instruction, e.g. `table.grow`.
        instruction: &'static str,
        /// The index of the function containing it.
        function: u32,
        /// The instruction's offset in the module.
        offset: usize,
    },
    /// An export already uses the prefix instrumentation reserves.
    #[error("export `{name}` uses the reserved prefix `__wasmi_snapshot_`")]
    ReservedExport {
        /// The export's name.
        name: String,
    },
    /// The instance was not made from this instrumented module.
    #[error(
        "the instance has no snapshot export `{name}` of the right type: it was not made \
         from this instrumented module"
    )]
    MissingExport {
        /// The missing export.
        name: String,
    },
    /// Probing whether a passive data segment was dropped failed for a
    /// reason other than the segment being dropped (e.g. out of fuel).
    #[error("probing data segment {segment} failed: {source}")]
    Probe {
        /// The data segment probed.
        segment: u32,
        /// What wasmi reported.
        #[source]
        source: wasmi::Error,
    },
    /// `emit` was given a captured state or module that does not match the
    /// instrumented module.
    #[error("the captured state does not match the module: {reason}")]
    StateMismatch {
        /// What does not match.
        reason: &'static str,
    },
}
