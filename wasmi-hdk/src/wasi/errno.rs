//! The `errno` values of wasi_snapshot_preview1 this layer answers with.

/// A WASI errno, returned as the `i32` result of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Errno(pub(crate) i32);

impl Errno {
    pub(crate) const SUCCESS: Self = Self(0);
    pub(crate) const BADF: Self = Self(8);
    pub(crate) const FAULT: Self = Self(21);
    pub(crate) const INVAL: Self = Self(28);
    pub(crate) const NOSYS: Self = Self(52);
    pub(crate) const NOTSUP: Self = Self(58);
    pub(crate) const SPIPE: Self = Self(70);
}

/// What a fallible WASI body returns; `?` turns a bad pointer into `EFAULT`.
pub(crate) type WasiResult = Result<(), Errno>;

/// The import's `i32` result for a body's outcome.
pub(crate) fn errno_of(result: WasiResult) -> i32 {
    match result {
        Ok(()) => Errno::SUCCESS.0,
        Err(e) => e.0,
    }
}
