//! The catalogue of wasi_snapshot_preview1 functions as data: signatures
//! and what this runtime does for each. Loading checks a plugin's imports
//! against it; tools (e.g. `wasmi-host inspect`) show it. The table itself
//! is in `table.rs`, where the same lines also link the implementations.

use core::fmt;

use wasmi::{FuncType, ValType};

/// The import module name of WASI preview 1.
pub const WASI_MODULE: &str = "wasi_snapshot_preview1";

/// How this runtime answers one WASI function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WasiSupport {
    /// Implemented for the virtual stdio, clocks, random, args and environment.
    Implemented,
    /// Present so plugins link and start, but answers an errno: there is no
    /// filesystem, no sockets and no signals. The text says which errno.
    Errno(&'static str),
}

/// A WebAssembly value type, as WASI signatures use them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ValueType {
    /// `i32`
    I32,
    /// `i64`
    I64,
    /// `f32`
    F32,
    /// `f64`
    F64,
    /// `v128`
    V128,
    /// `funcref`
    FuncRef,
    /// `externref`
    ExternRef,
}

impl ValueType {
    pub(crate) fn from_engine(ty: ValType) -> Self {
        match ty {
            ValType::I32 => Self::I32,
            ValType::I64 => Self::I64,
            ValType::F32 => Self::F32,
            ValType::F64 => Self::F64,
            ValType::V128 => Self::V128,
            ValType::FuncRef => Self::FuncRef,
            ValType::ExternRef => Self::ExternRef,
        }
    }

    /// The type as the text format writes it: `i32`, `i64`, `funcref`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            Self::I32 => "i32",
            Self::I64 => "i64",
            Self::F32 => "f32",
            Self::F64 => "f64",
            Self::V128 => "v128",
            Self::FuncRef => "funcref",
            Self::ExternRef => "externref",
        }
    }
}

impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One function of wasi_snapshot_preview1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WasiFunction {
    /// The import name, e.g. `fd_write`.
    pub name: &'static str,
    /// Parameter types.
    pub params: &'static [ValueType],
    /// Result types (`proc_exit` has none).
    pub results: &'static [ValueType],
    /// What this runtime does for it.
    pub support: WasiSupport,
}

impl WasiFunction {
    /// Whether an import of type `ty` matches this function's signature.
    pub(crate) fn matches(&self, ty: &FuncType) -> bool {
        let same = |ours: &[ValueType], theirs: &[ValType]| {
            ours.len() == theirs.len()
                && ours
                    .iter()
                    .zip(theirs)
                    .all(|(a, b)| *a == ValueType::from_engine(*b))
        };
        same(self.params, ty.params()) && same(self.results, ty.results())
    }
}

/// Looks up a wasi_snapshot_preview1 function by import name.
pub fn wasi_function(name: &str) -> Option<&'static WasiFunction> {
    super::WASI_FUNCTIONS.iter().find(|f| f.name == name)
}
