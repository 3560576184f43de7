//! Static facts about a wasm module: what it imports and exports, its
//! memory, whether it is a WASI command, which of its imports this runtime
//! provides, and whether a [`Plugin`](crate::Plugin) can be loaded from it.
//! Tools (e.g. `wasmi-host inspect` and `check`) show them.
//!
//! ```
//! use wasmi_hdk::inspect::{ImportSupport, ModuleInfo};
//!
//! let wasm = wat::parse_str(r#"(module
//!     (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
//!     (import "env" "host_fn" (func))
//!     (memory (export "memory") 1)
//!     (func (export "_start")))"#)?;
//! let info = ModuleInfo::parse(&wasm)?;
//! assert_eq!(info.imports[0].support, ImportSupport::Implemented);
//! assert!(!info.is_runnable());
//! // The first problem is what loading the module fails with.
//! assert_eq!(info.problems[0].to_string(), "unsupported import env::host_fn: only wasi_snapshot_preview1 functions are provided");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod initialization;
mod problem;
mod signature;

use core::fmt;

use wasmi::{CompilationMode, Config, Engine, ExternType, Module};

pub(crate) use self::problem::import_support;
use self::signature::signature;
pub use self::{
    initialization::Initialization,
    problem::{EntryPoint, ModuleProblem},
};
use crate::{EngineError, Error};

/// The size of one wasm page in bytes.
const PAGE_SIZE: u64 = 64 << 10;

/// What a wasm module is made of, as far as running it as a plugin goes.
///
/// ```
/// use wasmi_hdk::inspect::{EntryPoint, ModuleInfo};
///
/// let info = ModuleInfo::parse(test_plugin_artifacts::TEST_PLUGIN)?;
/// assert_eq!(info.entry_point, Some(EntryPoint::Command));
/// assert!(info.is_runnable());
/// assert!(info.memory().is_some());
/// # Ok::<(), wasmi_hdk::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleInfo {
    /// The module's size in bytes.
    pub size: usize,
    /// Every import, in the module's order.
    pub imports: Vec<ImportInfo>,
    /// Every export, sorted by name.
    pub exports: Vec<ExportInfo>,
    /// The linear memories the module imports or exports.
    pub memories: Vec<MemoryInfo>,
    /// How a request enters it: `_start` (a WASI command) or `plugin_main`
    /// (a reactor); `None` if it exports neither as `() -> ()`.
    pub entry_point: Option<EntryPoint>,
    /// Whether it has an initialiser the host runs once and snapshots, or
    /// was pre-initialised already.
    pub initialization: Initialization,
    /// Why a [`Plugin`](crate::Plugin) cannot be loaded from it, in the
    /// order loading checks them (empty if it can): the same rule loading
    /// applies, and the first problem is the error loading fails with.
    pub problems: Vec<ModuleProblem>,
}

/// One import of a module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportInfo {
    /// The import's module, e.g. `wasi_snapshot_preview1`.
    pub module: String,
    /// The import's name, e.g. `fd_write`.
    pub name: String,
    /// What kind of item is imported.
    pub kind: ExternKind,
    /// The item's type, e.g. `(i32, i32) -> i32` for a function.
    pub signature: String,
    /// Whether and how this runtime provides it.
    pub support: ImportSupport,
}

/// Whether this runtime provides an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportSupport {
    /// A WASI function this runtime implements.
    Implemented,
    /// A WASI function this runtime links but that only answers an errno
    /// (no filesystem, sockets or signals); the text says which errno.
    Errno(&'static str),
    /// Not provided: loading the module fails. The text says why.
    Unsupported(String),
}

/// One export of a module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportInfo {
    /// The export's name.
    pub name: String,
    /// What kind of item is exported.
    pub kind: ExternKind,
    /// The item's type, e.g. `() -> ()` for `_start`.
    pub signature: String,
}

/// The kind of an imported or exported item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExternKind {
    /// A function.
    Func,
    /// A table.
    Table,
    /// A linear memory.
    Memory,
    /// A global variable.
    Global,
}

/// One linear memory a module imports or exports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryInfo {
    /// The export name, or `module::name` for an imported memory.
    pub name: String,
    /// Whether the module imports it (a plugin must not).
    pub imported: bool,
    /// Initial size in 64 KiB pages.
    pub initial_pages: u64,
    /// Maximum size in 64 KiB pages, if the module declares one.
    pub max_pages: Option<u64>,
}

impl ModuleInfo {
    /// Parses and validates `wasm` and collects its facts. Nothing is
    /// instantiated and no code runs.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidModule`] if `wasm` is not valid WebAssembly.
    pub fn parse(wasm: &[u8]) -> Result<Self, Error> {
        let mut config = Config::default();
        config.compilation_mode(CompilationMode::LazyTranslation);
        let engine = Engine::new(&config);
        let module = Module::new(&engine, wasm).map_err(|e| Error::InvalidModule {
            source: EngineError::new(e),
        })?;
        let mut memories = Vec::new();
        let imports = module
            .imports()
            .map(|import| {
                if let ExternType::Memory(ty) = import.ty() {
                    memories.push(MemoryInfo {
                        name: format!("{}::{}", import.module(), import.name()),
                        imported: true,
                        initial_pages: ty.minimum(),
                        max_pages: ty.maximum(),
                    });
                }
                ImportInfo {
                    module: import.module().to_owned(),
                    name: import.name().to_owned(),
                    kind: ExternKind::of(import.ty()),
                    signature: signature(import.ty()),
                    support: import_support(import.module(), import.name(), import.ty()),
                }
            })
            .collect();
        let mut exports: Vec<ExportInfo> = module
            .exports()
            .map(|export| {
                if let ExternType::Memory(ty) = export.ty() {
                    memories.push(MemoryInfo {
                        name: export.name().to_owned(),
                        imported: false,
                        initial_pages: ty.minimum(),
                        max_pages: ty.maximum(),
                    });
                }
                ExportInfo {
                    name: export.name().to_owned(),
                    kind: ExternKind::of(export.ty()),
                    signature: signature(export.ty()),
                }
            })
            .collect();
        exports.sort_by(|a, b| a.name.cmp(&b.name));
        let entry_point = EntryPoint::of(&module);
        let initialization = Initialization::of(wasm);
        Ok(Self {
            size: wasm.len(),
            imports,
            exports,
            memories,
            entry_point,
            initialization,
            problems: ModuleProblem::of(&module),
        })
    }

    /// The exported memory named `memory`, the one the host reads and writes.
    pub fn memory(&self) -> Option<&MemoryInfo> {
        self.memories
            .iter()
            .find(|m| !m.imported && m.name == "memory")
    }

    /// The imports this runtime does not provide.
    pub fn unsupported_imports(&self) -> impl Iterator<Item = &ImportInfo> {
        self.imports
            .iter()
            .filter(|i| matches!(i.support, ImportSupport::Unsupported(_)))
    }

    /// The imports this runtime links but that only answer an errno.
    pub fn errno_imports(&self) -> impl Iterator<Item = &ImportInfo> {
        self.imports
            .iter()
            .filter(|i| matches!(i.support, ImportSupport::Errno(_)))
    }

    /// Whether [`Plugin::builder`](crate::Plugin::builder) can load the
    /// module: it has no [`problems`](Self::problems).
    pub fn is_runnable(&self) -> bool {
        self.problems.is_empty()
    }
}

impl MemoryInfo {
    /// Initial size in bytes.
    pub fn initial_bytes(&self) -> u64 {
        self.initial_pages.saturating_mul(PAGE_SIZE)
    }

    /// Maximum size in bytes, if declared.
    pub fn max_bytes(&self) -> Option<u64> {
        self.max_pages.map(|p| p.saturating_mul(PAGE_SIZE))
    }
}

impl ExternKind {
    fn of(ty: &ExternType) -> Self {
        match ty {
            ExternType::Func(_) => Self::Func,
            ExternType::Table(_) => Self::Table,
            ExternType::Memory(_) => Self::Memory,
            ExternType::Global(_) => Self::Global,
        }
    }

    /// The kind's name as in the text format: `func`, `table`, `memory`, `global`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Func => "func",
            Self::Table => "table",
            Self::Memory => "memory",
            Self::Global => "global",
        }
    }
}

impl fmt::Display for ExternKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wasi::WASI_MODULE;

    fn info(wat: &str) -> ModuleInfo {
        ModuleInfo::parse(&wat::parse_str(wat).unwrap()).unwrap()
    }

    #[test]
    fn the_test_plugin_is_a_runnable_wasi_command() {
        let info = ModuleInfo::parse(test_plugin_artifacts::TEST_PLUGIN).unwrap();
        assert_eq!(info.size, test_plugin_artifacts::TEST_PLUGIN.len());
        assert_eq!(info.entry_point, Some(EntryPoint::Command));
        // `plugin_main!(preinit …)`: its router is built in the initialiser.
        assert_eq!(
            info.initialization,
            Initialization::Initializer {
                exports: vec!["wizer.initialize".to_owned()]
            }
        );
        assert!(info.is_runnable(), "{:?}", info.problems);
        assert!(info.imports.iter().all(|i| i.module == WASI_MODULE));
        let fd_write = info.imports.iter().find(|i| i.name == "fd_write").unwrap();
        assert_eq!(fd_write.kind, ExternKind::Func);
        assert_eq!(fd_write.signature, "(i32, i32, i32, i32) -> i32");
        assert_eq!(fd_write.support, ImportSupport::Implemented);
        let memory = info.memory().unwrap();
        assert!(memory.initial_pages > 0);
        assert_eq!(memory.initial_bytes(), memory.initial_pages * 65536);
        let start = info.exports.iter().find(|e| e.name == "_start").unwrap();
        assert_eq!(
            (start.kind, start.signature.as_str()),
            (ExternKind::Func, "() -> ()")
        );
    }

    #[test]
    fn flags_unknown_imports_and_errno_stubs() {
        let info = info(
            r#"(module
                (import "env" "host_fn" (func (param i32) (result i64)))
                (import "wasi_snapshot_preview1" "sock_accept"
                    (func (param i32 i32 i32) (result i32)))
                (import "wasi_snapshot_preview1" "fd_write" (func (param i32) (result i32)))
                (import "wasi_snapshot_preview1" "no_such_call" (func))
                (memory (export "memory") 2 10)
                (func (export "_start")))"#,
        );
        let support: Vec<_> = info.imports.iter().map(|i| &i.support).collect();
        assert!(matches!(support[0], ImportSupport::Unsupported(why) if why.contains("only")));
        assert!(matches!(support[1], ImportSupport::Errno(why) if why.contains("no sockets")));
        assert!(
            matches!(support[2], ImportSupport::Unsupported(why) if why.contains("(i32, i32, i32, i32) -> i32"))
        );
        assert!(matches!(support[3], ImportSupport::Unsupported(_)));
        assert_eq!(info.imports[0].signature, "(i32) -> i64");
        assert_eq!(info.unsupported_imports().count(), 3);
        assert_eq!(info.errno_imports().count(), 1);
        assert!(!info.is_runnable());
        // The problems are the unsupported imports, in order, named as loading names them.
        assert_eq!(info.problems.len(), 3);
        assert!(
            matches!(&info.problems[0], ModuleProblem::UnsupportedImport { module, .. } if module == "env")
        );
        let memory = info.memory().unwrap();
        assert_eq!((memory.initial_pages, memory.max_pages), (2, Some(10)));
        assert_eq!(memory.max_bytes(), Some(10 * 65536));
    }

    #[test]
    fn notices_a_missing_start_and_an_imported_memory() {
        let info = info(
            r#"(module
                (import "env" "memory" (memory 1))
                (global (export "g") i32 (i32.const 0))
                (func (export "main") (param i32)))"#,
        );
        assert_eq!(info.entry_point, None);
        assert!(info.memory().is_none());
        assert!(info.memories[0].imported);
        assert_eq!(info.memories[0].name, "env::memory");
        assert_eq!(info.imports[0].kind, ExternKind::Memory);
        assert_eq!(info.exports[0].signature, "const i32");
        assert_eq!(
            info.problems[..2],
            [
                ModuleProblem::MissingEntryPoint,
                ModuleProblem::MissingMemory
            ]
        );
        assert!(!info.is_runnable());
    }

    #[test]
    fn loading_fails_with_the_first_problem() {
        let wasm =
            wat::parse_str(r#"(module (memory (export "memory") 1) (func (export "main")))"#)
                .unwrap();
        let info = ModuleInfo::parse(&wasm).unwrap();
        let error = crate::Plugin::new(&wasm).unwrap_err();
        assert_eq!(error.to_string(), info.problems[0].to_string());
        assert!(matches!(error, Error::MissingEntryPoint));
    }

    #[test]
    fn rejects_bytes_that_are_not_wasm() {
        assert!(matches!(
            ModuleInfo::parse(b"hello"),
            Err(Error::InvalidModule { .. })
        ));
    }
}
