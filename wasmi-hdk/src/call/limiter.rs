//! The per-instance resource limiter: caps linear memory, remembers the peak
//! and whether a growth was refused (so a later trap reads as a memory limit).

use wasmi::{ResourceLimiter, errors::MemoryError};
use wasmi_core::LimiterError;

/// Most table elements an instance may have (a table is also memory).
const MAX_TABLE_ELEMENTS: usize = 1 << 20;

#[derive(Debug)]
pub(crate) struct MemoryLimiter {
    limit: usize,
    pub(crate) peak: usize,
    /// The size of the first refused growth, in bytes.
    pub(crate) refused: Option<usize>,
}

impl MemoryLimiter {
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            limit,
            peak: 0,
            refused: None,
        }
    }
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        // wasmi checks the module's own maximum (in pages) before asking.
        // On a 32-bit host this byte count is wrong for the usual 4 GiB
        // maximum: wasmi 2.0 casts 2^32 to a `usize`, which makes it 0.
        _maximum: Option<usize>,
    ) -> Result<bool, LimiterError> {
        if desired > self.limit {
            self.refused.get_or_insert(desired);
            return Ok(false);
        }
        self.peak = self.peak.max(desired);
        Ok(true)
    }

    fn memory_grow_failed(&mut self, _error: &MemoryError) -> Result<(), LimiterError> {
        Ok(())
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> Result<bool, LimiterError> {
        Ok(desired <= MAX_TABLE_ELEMENTS && maximum.is_none_or(|max| desired <= max))
    }

    fn instances(&self) -> usize {
        1
    }

    fn tables(&self) -> usize {
        4
    }

    fn memories(&self) -> usize {
        1
    }
}
