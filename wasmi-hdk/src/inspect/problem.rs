//! The one rule deciding whether a module can run here: loading a
//! [`Plugin`](crate::Plugin), [`ModuleInfo`](super::ModuleInfo) and the
//! tools built on it (`wasmi-host inspect`, `check`) all apply it.

use core::fmt;

use wasmi::{ExternType, Module};
use wasmi_plugin_protocol::exports;

use super::{ImportSupport, signature::func_signature};
use crate::wasi::{WASI_MODULE, WasiSupport, wasi_function};

/// Why a valid module cannot be loaded as a plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ModuleProblem {
    /// Neither `_start` (a WASI command) nor `plugin_main` (a reactor)
    /// exported as `() -> ()`.
    MissingEntryPoint,
    /// No exported linear memory named `memory`.
    MissingMemory,
    /// An import this runtime does not provide.
    UnsupportedImport {
        /// Import module name.
        module: String,
        /// Import field name.
        name: String,
        /// Why it cannot be provided.
        reason: String,
    },
}

impl fmt::Display for ModuleProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The same words as the error loading fails with.
        fmt::Display::fmt(&crate::Error::from(self.clone()), f)
    }
}

impl ModuleProblem {
    /// Every problem of `module`, in the order loading reports them: the
    /// entry point, the memory, then each unsupported import.
    pub(crate) fn of(module: &Module) -> Vec<Self> {
        let mut problems = Vec::new();
        if EntryPoint::of(module).is_none() {
            problems.push(Self::MissingEntryPoint);
        }
        if !matches!(
            module.get_export(exports::MEMORY),
            Some(ExternType::Memory(_))
        ) {
            problems.push(Self::MissingMemory);
        }
        for import in module.imports() {
            if let ImportSupport::Unsupported(reason) =
                import_support(import.module(), import.name(), import.ty())
            {
                problems.push(Self::UnsupportedImport {
                    module: import.module().to_owned(),
                    name: import.name().to_owned(),
                    reason,
                });
            }
        }
        problems
    }
}

/// How a request enters a plugin (PROTOCOL.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryPoint {
    /// A WASI command: `_start`, once per request.
    Command,
    /// A WASI reactor: `plugin_main`, once per request (after
    /// `_initialize`, which the host runs once and snapshots, or, when
    /// pre-initialisation is off, in every instance).
    Reactor,
}

impl EntryPoint {
    /// The entry point `module` exports (`_start` wins over `plugin_main`).
    pub(crate) fn of(module: &Module) -> Option<Self> {
        let unit = |name| {
            matches!(
                module.get_export(name),
                Some(ExternType::Func(ty)) if ty.params().is_empty() && ty.results().is_empty()
            )
        };
        if unit(exports::START) {
            Some(Self::Command)
        } else if unit(exports::REACTOR_MAIN) {
            Some(Self::Reactor)
        } else {
            None
        }
    }

    /// The export called once per request.
    pub fn export(self) -> &'static str {
        match self {
            Self::Command => exports::START,
            Self::Reactor => exports::REACTOR_MAIN,
        }
    }
}

/// How this runtime provides import `module::name` of type `ty`.
pub(crate) fn import_support(module: &str, name: &str, ty: &ExternType) -> ImportSupport {
    if module != WASI_MODULE {
        return ImportSupport::Unsupported(format!("only {WASI_MODULE} functions are provided"));
    }
    let Some(function) = wasi_function(name) else {
        return ImportSupport::Unsupported("not a wasi_snapshot_preview1 function".to_owned());
    };
    let ExternType::Func(ty) = ty else {
        return ImportSupport::Unsupported(
            "imported as something other than a function".to_owned(),
        );
    };
    if !function.matches(ty) {
        return ImportSupport::Unsupported(format!(
            "wrong signature: expected {}",
            func_signature(function.params, function.results)
        ));
    }
    match function.support {
        WasiSupport::Implemented => ImportSupport::Implemented,
        WasiSupport::Errno(errno) => ImportSupport::Errno(errno),
    }
}
