//! Bounds-checked access to guest linear memory: a bad pointer from the
//! plugin becomes `EFAULT`, never a host panic.

use super::errno::Errno;

/// Guest memory as a byte slice, with the little-endian accessors WASI needs.
pub(crate) struct GuestMemory<'a>(pub(crate) &'a mut [u8]);

impl GuestMemory<'_> {
    /// The size of the memory in bytes (at most 4 GiB).
    pub(crate) fn len(&self) -> u32 {
        u32::try_from(self.0.len()).unwrap_or(u32::MAX)
    }

    fn range(&self, ptr: u32, len: u32) -> Result<core::ops::Range<usize>, Errno> {
        let start = ptr as usize;
        let end = start.checked_add(len as usize).ok_or(Errno::FAULT)?;
        if end > self.0.len() {
            return Err(Errno::FAULT);
        }
        Ok(start..end)
    }

    pub(crate) fn slice(&self, ptr: u32, len: u32) -> Result<&[u8], Errno> {
        let range = self.range(ptr, len)?;
        Ok(&self.0[range])
    }

    pub(crate) fn slice_mut(&mut self, ptr: u32, len: u32) -> Result<&mut [u8], Errno> {
        let range = self.range(ptr, len)?;
        Ok(&mut self.0[range])
    }

    pub(crate) fn read_u32(&self, ptr: u32) -> Result<u32, Errno> {
        let bytes = self.slice(ptr, 4)?;
        Ok(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    pub(crate) fn read_u64(&self, ptr: u32) -> Result<u64, Errno> {
        let mut bytes = [0; 8];
        bytes.copy_from_slice(self.slice(ptr, 8)?);
        Ok(u64::from_le_bytes(bytes))
    }

    pub(crate) fn read_u16(&self, ptr: u32) -> Result<u16, Errno> {
        let bytes = self.slice(ptr, 2)?;
        Ok(u16::from_le_bytes([bytes[0], bytes[1]]))
    }

    pub(crate) fn read_u8(&self, ptr: u32) -> Result<u8, Errno> {
        Ok(self.slice(ptr, 1)?[0])
    }

    pub(crate) fn write_bytes(&mut self, ptr: u32, bytes: &[u8]) -> Result<(), Errno> {
        let len = u32::try_from(bytes.len()).map_err(|_| Errno::FAULT)?;
        self.slice_mut(ptr, len)?.copy_from_slice(bytes);
        Ok(())
    }

    pub(crate) fn write_u32(&mut self, ptr: u32, value: u32) -> Result<(), Errno> {
        self.write_bytes(ptr, &value.to_le_bytes())
    }

    pub(crate) fn write_u64(&mut self, ptr: u32, value: u64) -> Result<(), Errno> {
        self.write_bytes(ptr, &value.to_le_bytes())
    }

    pub(crate) fn write_u16(&mut self, ptr: u32, value: u16) -> Result<(), Errno> {
        self.write_bytes(ptr, &value.to_le_bytes())
    }

    /// The `(ptr, len)` pairs of an iovec array (8 bytes each).
    pub(crate) fn iovecs(&self, iovs: u32, count: u32) -> Result<Vec<(u32, u32)>, Errno> {
        let bytes = count.checked_mul(8).ok_or(Errno::FAULT)?;
        self.slice(iovs, bytes)?;
        (0..count)
            .map(|i| {
                let at = iovs + i * 8;
                Ok((self.read_u32(at)?, self.read_u32(at + 4)?))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_bounds_is_a_fault_not_a_panic() {
        let mut bytes = vec![0u8; 16];
        let mut mem = GuestMemory(&mut bytes);
        assert_eq!(mem.read_u32(13), Err(Errno::FAULT));
        assert_eq!(mem.read_u64(u32::MAX), Err(Errno::FAULT));
        assert_eq!(mem.write_u32(12, 7), Ok(()));
        assert_eq!(mem.read_u32(12), Ok(7));
        assert_eq!(mem.slice(16, 0).map(<[u8]>::len), Ok(0));
        assert_eq!(mem.slice(17, 0), Err(Errno::FAULT));
        assert_eq!(mem.iovecs(0, u32::MAX), Err(Errno::FAULT));
        assert_eq!(mem.iovecs(8, 1), Ok(vec![(0, 7)]));
    }
}
