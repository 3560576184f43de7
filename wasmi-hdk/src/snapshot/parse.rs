//! One pass over a module: where its sections are and the facts the
//! snapshot needs, without decoding function bodies.

use core::ops::Range;

use wasmparser::{
    ConstExpr, DataKind, ElementItems, Encoding, ExternalKind, FunctionBody, GlobalType,
    MemoryType, Operator, Parser, Payload, SectionLimited, TypeRef,
};

use super::{SnapshotError, encode::section_rank, initializer::MARKER_SECTION};

/// One section of the module, in order.
#[derive(Debug, Clone)]
pub(super) struct Section {
    /// The section id (0 for custom sections).
    pub(super) id: u8,
    /// The section's content (after the id and size).
    pub(super) range: Range<usize>,
}

/// An import the snapshot cares about.
#[derive(Debug, Clone)]
pub(super) struct ImportedItem<'a> {
    pub(super) module: &'a str,
    pub(super) name: &'a str,
    /// `"memory"` or `"global"`.
    pub(super) kind: &'static str,
}

/// A defined global.
#[derive(Debug, Clone)]
pub(super) struct GlobalInfo {
    pub(super) ty: GlobalType,
    /// The whole entry (type and initialiser) in the module.
    pub(super) entry: Range<usize>,
}

/// An export.
#[derive(Debug, Clone)]
pub(super) struct ExportInfo<'a> {
    pub(super) name: &'a str,
    pub(super) kind: ExternalKind,
    pub(super) index: u32,
    /// The whole entry in the module.
    pub(super) entry: Range<usize>,
}

/// A data segment.
#[derive(Debug, Clone)]
pub(super) struct DataInfo {
    pub(super) passive: bool,
    pub(super) len: usize,
    /// The whole entry in the module.
    pub(super) entry: Range<usize>,
}

/// The facts of a module the snapshot reads and rewrites.
#[derive(Debug)]
pub(super) struct ModuleFacts<'a> {
    pub(super) sections: Vec<Section>,
    /// Per type index: whether it is the function type `[] -> []`.
    pub(super) nullary_types: Vec<bool>,
    /// Per function index (imports first): its type index.
    pub(super) func_types: Vec<u32>,
    pub(super) imported_funcs: u32,
    /// Imported memories and globals (refused).
    pub(super) imported_state: Vec<ImportedItem<'a>>,
    pub(super) memories: Vec<MemoryType>,
    pub(super) globals: Vec<GlobalInfo>,
    pub(super) exports: Vec<ExportInfo<'a>>,
    pub(super) start: Option<u32>,
    /// Functions an element segment or a global initialiser refers to:
    /// what an indirect call may reach before any code ran.
    pub(super) referenced_funcs: Vec<u32>,
    pub(super) data: Vec<DataInfo>,
    pub(super) data_count: Option<u32>,
    /// Bodies of the defined functions.
    pub(super) bodies: Vec<FunctionBody<'a>>,
    /// The payload of the pre-initialised marker, if present.
    pub(super) marker: Option<&'a [u8]>,
}

impl<'a> ModuleFacts<'a> {
    /// Parses `wasm`.
    ///
    /// # Errors
    ///
    /// A malformed module, or a component.
    pub(super) fn parse(wasm: &'a [u8]) -> Result<Self, SnapshotError> {
        let mut facts = Self {
            sections: Vec::new(),
            nullary_types: Vec::new(),
            func_types: Vec::new(),
            imported_funcs: 0,
            imported_state: Vec::new(),
            memories: Vec::new(),
            globals: Vec::new(),
            exports: Vec::new(),
            start: None,
            referenced_funcs: Vec::new(),
            data: Vec::new(),
            data_count: None,
            bodies: Vec::new(),
            marker: None,
        };
        for payload in Parser::new(0).parse_all(wasm) {
            let payload = payload?;
            if let Some((id, range)) = payload.as_section() {
                if id != 0 && section_rank(id).is_none() {
                    return Err(SnapshotError::UnknownSection {
                        id,
                        offset: range.start,
                    });
                }
                facts.sections.push(Section { id, range });
            }
            facts.payload(payload)?;
        }
        Ok(facts)
    }

    fn payload(&mut self, payload: Payload<'a>) -> Result<(), SnapshotError> {
        match payload {
            Payload::Version { encoding, .. } if encoding != Encoding::Module => {
                return Err(SnapshotError::NotAModule);
            }
            Payload::TypeSection(reader) => {
                for group in reader {
                    for ty in group?.types() {
                        let nullary = match &ty.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(func) => {
                                func.params().is_empty() && func.results().is_empty()
                            }
                            _ => false,
                        };
                        self.nullary_types.push(nullary);
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader {
                    let import = import?;
                    let kind = match import.ty {
                        TypeRef::Func(ty) => {
                            self.func_types.push(ty);
                            self.imported_funcs += 1;
                            continue;
                        }
                        TypeRef::Memory(_) => "memory",
                        TypeRef::Global(_) => "global",
                        TypeRef::Table(_) | TypeRef::Tag(_) => continue,
                    };
                    self.imported_state.push(ImportedItem {
                        module: import.module,
                        name: import.name,
                        kind,
                    });
                }
            }
            Payload::FunctionSection(reader) => {
                for ty in reader {
                    self.func_types.push(ty?);
                }
            }
            Payload::MemorySection(reader) => {
                for memory in reader {
                    self.memories.push(memory?);
                }
            }
            Payload::GlobalSection(reader) => {
                for (entry, global) in with_ranges(reader)? {
                    // Only a reference can hold a function (and other
                    // initialisers may use instructions this build of
                    // wasmparser does not decode, such as `v128.const`).
                    if matches!(global.ty.content_type, wasmparser::ValType::Ref(_)) {
                        referenced_in(&global.init_expr, &mut self.referenced_funcs)?;
                    }
                    self.globals.push(GlobalInfo {
                        ty: global.ty,
                        entry,
                    });
                }
            }
            Payload::ExportSection(reader) => {
                for (entry, export) in with_ranges(reader)? {
                    self.exports.push(ExportInfo {
                        name: export.name,
                        kind: export.kind,
                        index: export.index,
                        entry,
                    });
                }
            }
            Payload::StartSection { func, .. } => self.start = Some(func),
            Payload::ElementSection(reader) => {
                for element in reader {
                    match element?.items {
                        ElementItems::Functions(funcs) => {
                            for func in funcs {
                                self.referenced_funcs.push(func?);
                            }
                        }
                        ElementItems::Expressions(_, exprs) => {
                            for expr in exprs {
                                referenced_in(&expr?, &mut self.referenced_funcs)?;
                            }
                        }
                    }
                }
            }
            Payload::DataCountSection { count, .. } => self.data_count = Some(count),
            Payload::CodeSectionEntry(body) => self.bodies.push(body),
            Payload::DataSection(reader) => {
                for data in reader {
                    let data = data?;
                    self.data.push(DataInfo {
                        passive: matches!(data.kind, DataKind::Passive),
                        len: data.data.len(),
                        entry: data.range,
                    });
                }
            }
            Payload::CustomSection(reader) if reader.name() == MARKER_SECTION => {
                self.marker = Some(reader.data());
            }
            _ => {}
        }
        Ok(())
    }

    /// The type of function `index`, if it is `[] -> []`.
    pub(super) fn is_nullary_func(&self, index: u32) -> bool {
        self.func_types
            .get(index as usize)
            .and_then(|&ty| self.nullary_types.get(ty as usize))
            .copied()
            .unwrap_or(false)
    }

    /// How many functions the module has, imported and defined.
    pub(super) fn func_count(&self) -> u32 {
        self.func_types.len() as u32
    }

    /// The body of function `index`, or `None` for an imported function.
    pub(super) fn body(&self, index: u32) -> Option<&FunctionBody<'a>> {
        index
            .checked_sub(self.imported_funcs)
            .and_then(|defined| self.bodies.get(defined as usize))
    }

    /// The export called `name`.
    pub(super) fn export(&self, name: &str) -> Option<&ExportInfo<'a>> {
        self.exports.iter().find(|export| export.name == name)
    }

    /// The first section with `id`.
    pub(super) fn section(&self, id: u8) -> Option<&Section> {
        self.sections.iter().find(|section| section.id == id)
    }
}

/// Every entry of a vector section with the byte range it occupies.
fn with_ranges<'a, T>(
    reader: SectionLimited<'a, T>,
) -> Result<Vec<(Range<usize>, T)>, SnapshotError>
where
    T: wasmparser::FromReader<'a>,
{
    let end = reader.range().end;
    let mut entries = reader
        .into_iter_with_offsets()
        .map(|entry| entry.map(|(start, item)| (start..start, item)))
        .collect::<Result<Vec<_>, _>>()?;
    for index in 0..entries.len() {
        entries[index].0.end = entries.get(index + 1).map_or(end, |next| next.0.start);
    }
    Ok(entries)
}

/// Adds the functions `expr` refers to with `ref.func`.
fn referenced_in(expr: &ConstExpr<'_>, funcs: &mut Vec<u32>) -> Result<(), SnapshotError> {
    let mut reader = expr.get_operators_reader();
    while !reader.eof() {
        if let Operator::RefFunc { function_index } = reader.read()? {
            funcs.push(function_index);
        }
    }
    Ok(())
}
