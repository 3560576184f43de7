//! Pre-initialised plugins: run a module's initialiser once, then start
//! every instance from a module whose data segments and global
//! initialisers already hold the state the initialiser left behind (the
//! technique of Wizer).
//!
//! # The algorithm
//!
//! 1. `initializer()` tells which initialiser a module exports:
//!    `wizer.initialize`, the WASI reactor's `_initialize`, or both (then
//!    `_initialize` runs first, as Wizer does: it sets up the language
//!    runtime the Wizer hook relies on). It also recognises a module that
//!    is already pre-initialised by the [`MARKER_SECTION`] custom section.
//! 2. `instrument()` checks the preconditions below and returns a copy of
//!    the module that additionally exports the memory, every mutable global
//!    and, where needed, one probe function per passive data segment under
//!    reserved `__wasmi_snapshot_*` names (wasmi reaches only exported
//!    items). Nothing else changes: function bodies are copied byte for
//!    byte, so function, type, table and segment indices stay valid.
//! 3. The host instantiates the instrumented module (the start function
//!    runs), calls the initialiser exports and, once they have returned,
//!    `capture()`s the state: the value of every mutable global, the
//!    memory's size and bytes, and which passive data segments were
//!    dropped.
//! 4. `emit()` rewrites the *original* module: the memory's minimum becomes
//!    the captured size; the captured bytes become active data segments, one
//!    per run of non-zero bytes (runs closer than `EmitOptions`'
//!    `merge_gap` are merged, and the smallest gaps are merged until at most
//!    `max_data_segments` remain); mutable globals are initialised with
//!    their captured values; the start section and the initialiser exports
//!    are removed (the latter can be kept); a [`MARKER_SECTION`] custom
//!    section naming the initialiser that ran is added. Every other import,
//!    export, function, table, element segment and custom section is copied
//!    unchanged.
//!
//! Data segment indices matter to `memory.init` and `data.drop`, so when the
//! module has a data count section (the only case in which code can name a
//! segment) the original segments keep their indices: an active segment,
//! which is dropped once instantiation has applied it, becomes an empty
//! passive segment (equivalent: `memory.init` of either traps unless it
//! copies nothing), a passive one is kept, or made empty if the initialiser
//! dropped it. The snapshot's segments follow. Without a data count section
//! the original segments are simply left out, as their bytes are in the
//! image.
//!
//! # What is refused, and why
//!
//! A snapshot can only reproduce state it can read and write back:
//!
//! - imported memories and globals: they belong to the host, whose values
//!   the next instance may not share;
//! - more than one memory, a 64-bit or shared memory, or custom page sizes:
//!   not needed by `wasm32` plugins, and wasmi's host runs none of them;
//! - mutable globals of a reference or vector type: a reference cannot be
//!   written as a constant initialiser;
//! - `table.set`, `table.grow`, `table.fill`, `table.copy`, `table.init`
//!   and `elem.drop` in any function that can run during initialisation
//!   (reachable from the start function or the initialiser by direct calls
//!   and, once an indirect call is reachable, from every function a table
//!   or `ref.func` can produce): the snapshot keeps the element segments and
//!   does not capture tables, so a table changed during initialisation
//!   would be silently reset. Such instructions elsewhere are fine;
//! - export names starting with `__wasmi_snapshot_`, which instrumentation
//!   uses.
//!
//! `data.drop` during initialisation is allowed: the instrumented module
//! probes each passive segment it might have dropped (a zero-length
//! `memory.init` at the segment's end traps only if it was dropped).
//!
//! Assumptions the host must uphold: the initialiser has *returned* when
//! state is captured (a call suspended in a host function keeps frames in
//! wasmi's stacks, which cannot be captured); host functions called during
//! initialisation do not call back into the instance or hand it references
//! to its own functions (WASI never does). State outside the instance (open
//! files, the clock, random numbers drawn) is not captured: whatever the
//! initialiser read from the host is frozen into the snapshot.
//!
//! # Determinism
//!
//! The output depends only on the original bytes, the captured state and
//! the options: sections are visited in order, segments are sorted by
//! offset, ties between equal gaps are broken by position, and no hash
//! map is iterated. The same input gives the same bytes.

mod capture;
mod emit;
mod encode;
mod error;
mod initializer;
mod instrument;
mod parse;
mod preinit;
mod reach;
mod segments;

#[cfg(test)]
mod tests;

pub(crate) use self::{
    capture::{CapturedState, GlobalValue, capture},
    emit::{EmitOptions, emit},
    initializer::{InitStatus, initializer},
    instrument::instrument,
    preinit::preinitialize,
};
pub use self::{error::SnapshotError, initializer::MARKER_SECTION};
#[cfg(test)]
pub(crate) use self::{initializer::Initializer, instrument::Instrumented};
