use core::fmt;

/// Why WebAssembly code trapped.
///
/// This crate's own mirror of the engine's trap codes, with stable names
/// ([`as_str`](Self::as_str)), so a new engine release does not change
/// what callers match on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TrapCode {
    /// `unreachable`: an `unreachable` instruction ran (Rust's `panic = "abort"` ends this way).
    Unreachable,
    /// `memory_out_of_bounds`: a load or store outside linear memory.
    MemoryOutOfBounds,
    /// `table_out_of_bounds`: a table access outside the table.
    TableOutOfBounds,
    /// `indirect_call_to_null`: `call_indirect` on an empty table slot.
    IndirectCallToNull,
    /// `integer_division_by_zero`.
    IntegerDivisionByZero,
    /// `integer_overflow`: e.g. `i32.div_s` of `i32::MIN` by `-1`.
    IntegerOverflow,
    /// `bad_conversion_to_integer`: a float-to-integer conversion out of range.
    BadConversionToInteger,
    /// `stack_overflow`: calls nested too deeply.
    StackOverflow,
    /// `bad_signature`: `call_indirect` to a function of another type.
    BadSignature,
    /// `out_of_fuel`: the engine ran out of fuel where it could not pause.
    OutOfFuel,
    /// `growth_operation_limited`: a memory or table growth was refused.
    GrowthOperationLimited,
    /// `out_of_system_memory`: the host could not allocate.
    OutOfSystemMemory,
    /// `other`: a trap code this version does not know by name.
    Other,
}

impl TrapCode {
    pub(crate) fn from_engine(code: wasmi::TrapCode) -> Self {
        use wasmi::TrapCode as Engine;
        match code {
            Engine::UnreachableCodeReached => Self::Unreachable,
            Engine::MemoryOutOfBounds => Self::MemoryOutOfBounds,
            Engine::TableOutOfBounds => Self::TableOutOfBounds,
            Engine::IndirectCallToNull => Self::IndirectCallToNull,
            Engine::IntegerDivisionByZero => Self::IntegerDivisionByZero,
            Engine::IntegerOverflow => Self::IntegerOverflow,
            Engine::BadConversionToInteger => Self::BadConversionToInteger,
            Engine::StackOverflow => Self::StackOverflow,
            Engine::BadSignature => Self::BadSignature,
            Engine::OutOfFuel => Self::OutOfFuel,
            Engine::GrowthOperationLimited => Self::GrowthOperationLimited,
            Engine::OutOfSystemMemory => Self::OutOfSystemMemory,
            #[allow(unreachable_patterns, reason = "future engine codes")]
            _ => Self::Other,
        }
    }

    /// The trap code's stable name, in `snake_case`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unreachable => "unreachable",
            Self::MemoryOutOfBounds => "memory_out_of_bounds",
            Self::TableOutOfBounds => "table_out_of_bounds",
            Self::IndirectCallToNull => "indirect_call_to_null",
            Self::IntegerDivisionByZero => "integer_division_by_zero",
            Self::IntegerOverflow => "integer_overflow",
            Self::BadConversionToInteger => "bad_conversion_to_integer",
            Self::StackOverflow => "stack_overflow",
            Self::BadSignature => "bad_signature",
            Self::OutOfFuel => "out_of_fuel",
            Self::GrowthOperationLimited => "growth_operation_limited",
            Self::OutOfSystemMemory => "out_of_system_memory",
            Self::Other => "other",
        }
    }
}

impl fmt::Display for TrapCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
