//! Byte-level helpers for rewriting vector sections without decoding their
//! entries.

use core::ops::Range;

use wasm_encoder::Encode;

use super::SnapshotError;

/// The entries of a vector section: how many, and where their bytes are.
#[derive(Debug, Clone)]
pub(super) struct Entries {
    /// How many entries the section holds.
    pub(super) count: u32,
    /// The bytes of all entries, after the count.
    pub(super) bytes: Range<usize>,
}

impl Entries {
    /// Splits a vector section's content (`range` in `wasm`) into its count
    /// and its entries.
    pub(super) fn of(wasm: &[u8], range: Range<usize>) -> Result<Self, SnapshotError> {
        let mut reader = wasmparser::BinaryReader::new(&wasm[range.clone()], range.start);
        let count = reader.read_var_u32()?;
        Ok(Self {
            count,
            bytes: reader.original_position()..range.end,
        })
    }
}

/// Builds a vector section's content from whole entries, already encoded.
#[derive(Debug, Default)]
pub(super) struct VecSection {
    count: u32,
    bytes: Vec<u8>,
}

impl VecSection {
    /// Appends one encoded entry.
    pub(super) fn entry(&mut self, bytes: &[u8]) {
        self.count += 1;
        self.bytes.extend_from_slice(bytes);
    }

    /// Appends `count` encoded entries at once.
    pub(super) fn entries(&mut self, count: u32, bytes: &[u8]) {
        self.count += count;
        self.bytes.extend_from_slice(bytes);
    }

    /// Appends the entries of `other`.
    pub(super) fn append(&mut self, other: &VecSection) {
        self.entries(other.count, &other.bytes);
    }

    /// Whether no entry was added.
    pub(super) fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The section's content: the count, then the entries.
    pub(super) fn finish(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.bytes.len() + 5);
        self.count.encode(&mut out);
        out.extend_from_slice(&self.bytes);
        out
    }
}

/// Encodes one export entry.
pub(super) fn export_entry(name: &str, kind: wasm_encoder::ExportKind, index: u32) -> Vec<u8> {
    let mut out = Vec::new();
    name.encode(&mut out);
    kind.encode(&mut out);
    index.encode(&mut out);
    out
}

/// The order in which a known section must appear, or `None` for a custom
/// section. The data count section sits between element and code, the tag
/// section between memory and global.
pub(super) fn section_rank(id: u8) -> Option<u8> {
    Some(match id {
        1 => 1,   // type
        2 => 2,   // import
        3 => 3,   // function
        4 => 4,   // table
        5 => 5,   // memory
        13 => 6,  // tag
        6 => 7,   // global
        7 => 8,   // export
        8 => 9,   // start
        9 => 10,  // element
        12 => 11, // data count
        10 => 12, // code
        11 => 13, // data
        _ => return None,
    })
}
