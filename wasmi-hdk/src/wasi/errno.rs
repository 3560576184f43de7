//! The `errno` values of wasi_snapshot_preview1 this runtime answers with
//! (numbers from `legacy/preview1/witx/typenames.witx` of WebAssembly/WASI):
//! one type for the WASI layer and the file layer below it.

/// A WASI errno, returned as the `i32` result of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Errno(pub(crate) i32);

impl Errno {
    /// No error.
    pub(crate) const SUCCESS: Self = Self(0);
    /// Bad file descriptor.
    pub(crate) const BADF: Self = Self(8);
    /// Device or resource busy.
    pub(crate) const BUSY: Self = Self(10);
    /// File exists.
    pub(crate) const EXIST: Self = Self(20);
    /// Bad address: a pointer outside the plugin's memory.
    pub(crate) const FAULT: Self = Self(21);
    /// File too large (an offset past what a file can hold).
    pub(crate) const FBIG: Self = Self(22);
    /// Illegal byte sequence (a path that is not UTF-8).
    pub(crate) const ILSEQ: Self = Self(25);
    /// Invalid argument.
    pub(crate) const INVAL: Self = Self(28);
    /// I/O error.
    pub(crate) const IO: Self = Self(29);
    /// Is a directory.
    pub(crate) const ISDIR: Self = Self(31);
    /// Too many levels of symbolic links.
    pub(crate) const LOOP: Self = Self(32);
    /// Too many open file descriptors.
    pub(crate) const MFILE: Self = Self(33);
    /// Filename too long.
    pub(crate) const NAMETOOLONG: Self = Self(37);
    /// No such file or directory.
    pub(crate) const NOENT: Self = Self(44);
    /// No space left on device (the scratch directory's quota).
    pub(crate) const NOSPC: Self = Self(51);
    /// Function not implemented.
    pub(crate) const NOSYS: Self = Self(52);
    /// Not a directory.
    pub(crate) const NOTDIR: Self = Self(54);
    /// Directory not empty.
    pub(crate) const NOTEMPTY: Self = Self(55);
    /// Not supported.
    pub(crate) const NOTSUP: Self = Self(58);
    /// Operation not permitted: writes to a read-only tree, and paths that
    /// lead outside their base directory.
    pub(crate) const PERM: Self = Self(63);
    /// Invalid seek: positional I/O on a pipe.
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
