//! The file layer answers with the WASI layer's errno values.

pub(crate) use crate::wasi::Errno;

/// What a file operation returns.
pub(crate) type FsResult<T> = Result<T, Errno>;
