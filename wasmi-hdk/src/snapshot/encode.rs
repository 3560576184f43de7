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

/// Section ids, as the binary format numbers them.
pub(super) const TYPE_SECTION: u8 = 1;
pub(super) const IMPORT_SECTION: u8 = 2;
pub(super) const FUNCTION_SECTION: u8 = 3;
pub(super) const TABLE_SECTION: u8 = 4;
pub(super) const MEMORY_SECTION: u8 = 5;
pub(super) const GLOBAL_SECTION: u8 = 6;
pub(super) const EXPORT_SECTION: u8 = 7;
pub(super) const START_SECTION: u8 = 8;
pub(super) const ELEMENT_SECTION: u8 = 9;
pub(super) const CODE_SECTION: u8 = 10;
pub(super) const DATA_SECTION: u8 = 11;
pub(super) const DATA_COUNT_SECTION: u8 = 12;
pub(super) const TAG_SECTION: u8 = 13;

/// The position at which a known section must appear, or `None` for a
/// custom (or unknown) section. The data count section sits between element
/// and code, the tag section between memory and global.
pub(super) fn section_rank(id: u8) -> Option<u8> {
    const ORDER: [u8; 13] = [
        TYPE_SECTION,
        IMPORT_SECTION,
        FUNCTION_SECTION,
        TABLE_SECTION,
        MEMORY_SECTION,
        TAG_SECTION,
        GLOBAL_SECTION,
        EXPORT_SECTION,
        START_SECTION,
        ELEMENT_SECTION,
        DATA_COUNT_SECTION,
        CODE_SECTION,
        DATA_SECTION,
    ];
    ORDER
        .iter()
        .position(|&known| known == id)
        .map(|rank| rank as u8)
}
