//! The `errno` values of wasi_snapshot_preview1 the file layer answers with
//! (numbers from `legacy/preview1/witx/typenames.witx` of WebAssembly/WASI).
//!
//! Same shape as the WASI layer's own `Errno` (an `i32` newtype, the
//! import's result), so the wiring converts with `Errno(e.0)` or the two
//! types merge.

/// A WASI errno, returned as the `i32` result of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Errno(pub(crate) i32);

impl Errno {
    /// Bad file descriptor.
    pub(crate) const BADF: Self = Self(8);
    /// Device or resource busy.
    pub(crate) const BUSY: Self = Self(10);
    /// File exists.
    pub(crate) const EXIST: Self = Self(20);
    /// File too large (an offset past what a file can hold).
    pub(crate) const FBIG: Self = Self(22);
    /// Illegal byte sequence (a path that is not UTF-8).
    pub(crate) const ILSEQ: Self = Self(25);
    /// Invalid argument.
    pub(crate) const INVAL: Self = Self(28);
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
    /// Not a directory.
    pub(crate) const NOTDIR: Self = Self(54);
    /// Directory not empty.
    pub(crate) const NOTEMPTY: Self = Self(55);
    /// Not supported.
    pub(crate) const NOTSUP: Self = Self(58);
    /// Operation not permitted: writes to a read-only tree, and paths that
    /// lead outside their base directory.
    pub(crate) const PERM: Self = Self(63);
}

/// What a file operation returns.
pub(crate) type FsResult<T> = Result<T, Errno>;
