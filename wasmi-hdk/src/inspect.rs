//! Static facts about a wasm module: what it imports and exports, its
//! memory, whether it is a WASI command, and which of its imports this
//! runtime provides. Tools (e.g. `wasmi-host inspect` and `check`) show it.

use core::fmt;

use wasmi::{CompilationMode, Config, Engine, ExternType, FuncType, Module, ValType};

use crate::{
    Error,
    wasi::{WASI_MODULE, WasiSupport, wasi_function},
};

/// The size of one wasm page in bytes.
const PAGE_SIZE: u64 = 64 << 10;

/// What a wasm module is made of, as far as running it as a plugin goes.
///
/// ```
/// use wasmi_hdk::ModuleInfo;
///
/// let info = ModuleInfo::parse(test_plugin_artifacts::TEST_PLUGIN)?;
/// assert!(info.has_start);
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
    /// Whether it exports `_start` as `() -> ()` (a WASI command).
    pub has_start: bool,
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
            reason: e.to_string(),
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
        let has_start = matches!(
            module.get_export("_start"),
            Some(ExternType::Func(ty)) if ty.params().is_empty() && ty.results().is_empty()
        );
        Ok(Self {
            size: wasm.len(),
            imports,
            exports,
            memories,
            has_start,
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
    /// module: it has `_start` and `memory` and only supported imports.
    pub fn is_runnable(&self) -> bool {
        self.has_start && self.memory().is_some() && self.unsupported_imports().next().is_none()
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

/// Whether this runtime provides import `module::name` of type `ty`; the
/// same rules [`PluginBuilder::build`](crate::PluginBuilder::build) applies.
/// How this runtime provides an import: the one rule loading and inspection share.
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
    if ty.params() != function.params || ty.results() != function.results {
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

fn signature(ty: &ExternType) -> String {
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
        ExternType::Global(ty) => {
            format!("{:?} {}", ty.mutability(), val_type(ty.content())).to_lowercase()
        }
    }
}

fn func_type(ty: &FuncType) -> String {
    func_signature(ty.params(), ty.results())
}

fn func_signature(params: &[ValType], results: &[ValType]) -> String {
    let list = |types: &[ValType]| {
        types
            .iter()
            .map(|t| val_type(*t))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match results {
        [] => format!("({}) -> ()", list(params)),
        [one] => format!("({}) -> {}", list(params), val_type(*one)),
        _ => format!("({}) -> ({})", list(params), list(results)),
    }
}

fn val_type(ty: ValType) -> &'static str {
    match ty {
        ValType::I32 => "i32",
        ValType::I64 => "i64",
        ValType::F32 => "f32",
        ValType::F64 => "f64",
        ValType::V128 => "v128",
        ValType::FuncRef => "funcref",
        ValType::ExternRef => "externref",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // wasmi-hdk has no `wat`: the small modules below are hand-encoded.
    const I32: u8 = 0x7f;
    const I64: u8 = 0x7e;

    fn leb(mut n: usize) -> Vec<u8> {
        let mut out = Vec::new();
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                out.push(byte);
                return out;
            }
            out.push(byte | 0x80);
        }
    }

    fn name(s: &str) -> Vec<u8> {
        [leb(s.len()), s.as_bytes().to_vec()].concat()
    }

    fn section(id: u8, items: &[Vec<u8>]) -> Vec<u8> {
        let body = [leb(items.len()), items.concat()].concat();
        [vec![id], leb(body.len()), body].concat()
    }

    fn func_type(params: &[u8], results: &[u8]) -> Vec<u8> {
        [
            vec![0x60],
            leb(params.len()),
            params.to_vec(),
            leb(results.len()),
            results.to_vec(),
        ]
        .concat()
    }

    fn import(module: &str, field: &str, desc: &[u8]) -> Vec<u8> {
        [name(module), name(field), desc.to_vec()].concat()
    }

    fn export(field: &str, kind: u8, index: u8) -> Vec<u8> {
        [name(field), vec![kind, index]].concat()
    }

    /// A module from its sections, in order.
    fn module(sections: &[Vec<u8>]) -> Vec<u8> {
        [b"\0asm\x01\0\0\0".to_vec(), sections.concat()].concat()
    }

    /// The body of a function that does nothing.
    fn empty_body() -> Vec<u8> {
        vec![0x02, 0x00, 0x0b]
    }

    #[test]
    fn the_test_plugin_is_a_runnable_wasi_command() {
        let info = ModuleInfo::parse(test_plugin_artifacts::TEST_PLUGIN).unwrap();
        assert_eq!(info.size, test_plugin_artifacts::TEST_PLUGIN.len());
        assert!(info.has_start);
        assert!(info.is_runnable());
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
        let path_open = [I32, I32, I32, I32, I32, I64, I64, I32, I32];
        let wasm = module(&[
            section(
                1,
                &[
                    func_type(&[I32], &[I64]),
                    func_type(&path_open, &[I32]),
                    func_type(&[I32], &[I32]),
                    func_type(&[], &[]),
                ],
            ),
            section(
                2,
                &[
                    import("env", "host_fn", &[0x00, 0]),
                    import(WASI_MODULE, "path_open", &[0x00, 1]),
                    import(WASI_MODULE, "fd_write", &[0x00, 2]),
                    import(WASI_MODULE, "no_such_call", &[0x00, 3]),
                ],
            ),
            section(3, &[vec![3]]),
            section(5, &[vec![0x01, 2, 10]]),
            section(7, &[export("memory", 0x02, 0), export("_start", 0x00, 4)]),
            section(10, &[empty_body()]),
        ]);
        let info = ModuleInfo::parse(&wasm).unwrap();
        let support: Vec<_> = info.imports.iter().map(|i| &i.support).collect();
        assert!(matches!(support[0], ImportSupport::Unsupported(why) if why.contains("only")));
        assert!(matches!(support[1], ImportSupport::Errno(why) if why.contains("EBADF")));
        assert!(
            matches!(support[2], ImportSupport::Unsupported(why) if why.contains("(i32, i32, i32, i32) -> i32"))
        );
        assert!(matches!(support[3], ImportSupport::Unsupported(_)));
        assert_eq!(info.imports[0].signature, "(i32) -> i64");
        assert_eq!(info.unsupported_imports().count(), 3);
        assert_eq!(info.errno_imports().count(), 1);
        assert!(!info.is_runnable());
        let memory = info.memory().unwrap();
        assert_eq!((memory.initial_pages, memory.max_pages), (2, Some(10)));
        assert_eq!(memory.max_bytes(), Some(10 * 65536));
    }

    #[test]
    fn notices_a_missing_start_and_an_imported_memory() {
        let wasm = module(&[
            section(1, &[func_type(&[I32], &[])]),
            section(2, &[import("env", "memory", &[0x02, 0x00, 1])]),
            section(3, &[vec![0]]),
            section(6, &[vec![I32, 0x01, 0x41, 0x00, 0x0b]]),
            section(7, &[export("g", 0x03, 0), export("main", 0x00, 0)]),
            section(10, &[empty_body()]),
        ]);
        let info = ModuleInfo::parse(&wasm).unwrap();
        assert!(!info.has_start);
        assert!(info.memory().is_none());
        assert!(info.memories[0].imported);
        assert_eq!(info.memories[0].name, "env::memory");
        assert_eq!(info.imports[0].kind, ExternKind::Memory);
        assert_eq!(info.exports[0].signature, "var i32");
        assert!(!info.is_runnable());
    }

    #[test]
    fn rejects_bytes_that_are_not_wasm() {
        assert!(matches!(
            ModuleInfo::parse(b"hello"),
            Err(Error::InvalidModule { .. })
        ));
    }
}
