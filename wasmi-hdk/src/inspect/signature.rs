//! Types as the text format writes them: `(i32, i32) -> i32`, `2 pages, max 10`.

use wasmi::{ExternType, FuncType, ValType};

use crate::wasi::ValueType;

/// An import's or export's type, e.g. `(i32, i32) -> i32` for a function.
pub(super) fn signature(ty: &ExternType) -> String {
    match ty {
        ExternType::Func(ty) => func_type(ty),
        ExternType::Memory(ty) => match ty.maximum() {
            Some(max) => format!("{} pages, max {max}", ty.minimum()),
            None => format!("{} pages", ty.minimum()),
        },
        ExternType::Table(ty) => match ty.maximum() {
            Some(max) => format!("{:?}ref {}..{max}", ty.element(), ty.minimum()).to_lowercase(),
            None => format!("{:?}ref {}..", ty.element(), ty.minimum()).to_lowercase(),
        },
        ExternType::Global(ty) => format!(
            "{:?} {}",
            ty.mutability(),
            ValueType::from_engine(ty.content()).as_str()
        )
        .to_lowercase(),
    }
}

fn func_type(ty: &FuncType) -> String {
    let convert = |types: &[ValType]| -> Vec<ValueType> {
        types.iter().map(|t| ValueType::from_engine(*t)).collect()
    };
    func_signature(&convert(ty.params()), &convert(ty.results()))
}

/// `(params) -> result` as the text format writes a function type.
pub(super) fn func_signature(params: &[ValueType], results: &[ValueType]) -> String {
    let list = |types: &[ValueType]| {
        types
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match results {
        [] => format!("({}) -> ()", list(params)),
        [one] => format!("({}) -> {}", list(params), one.as_str()),
        _ => format!("({}) -> ({})", list(params), list(results)),
    }
}
