//! Tests of the snapshot: small WAT modules run on wasmi directly (no WASI).

mod bench;
mod refusals;
mod roundtrip;
mod runs;

use wasmi::{Engine, Extern, Instance, Linker, Module, Store, Val};

use super::{CapturedState, EmitOptions, Instrumented, capture, emit, instrument};

/// Assembles a test module.
fn wasm(wat: &str) -> Vec<u8> {
    wat::parse_str(wat).expect("the test's WAT is valid")
}

/// Panics unless `wasm` validates with wasmparser's default features.
fn validate(wasm: &[u8]) {
    wasmparser::Validator::new()
        .validate_all(wasm)
        .expect("the module is valid");
}

/// A fresh store and an instance of `wasm` (its start function has run).
fn instantiate(engine: &Engine, wasm: &[u8]) -> (Store<()>, Instance) {
    let module = Module::new(engine, wasm).expect("wasmi compiles the module");
    let mut store = Store::new(engine, ());
    let instance = Linker::<()>::new(engine)
        .instantiate_and_start(&mut store, &module)
        .expect("the module instantiates");
    (store, instance)
}

/// The result of the whole pipeline.
struct Snapshot {
    engine: Engine,
    instrumented: Instrumented,
    /// The instrumented instance after its initialiser returned.
    initialised: (Store<()>, Instance),
    state: CapturedState,
    /// The pre-initialised module.
    wasm: Vec<u8>,
}

/// Instruments `original`, runs its initialiser, captures and emits,
/// checking that both modules validate.
fn snapshot(original: &[u8], options: &EmitOptions) -> Snapshot {
    let engine = Engine::default();
    let instrumented = instrument(original).expect("the module can be snapshotted");
    validate(instrumented.wasm());
    let (mut store, instance) = instantiate(&engine, instrumented.wasm());
    for name in instrumented.initializer().exports() {
        instance
            .get_typed_func::<(), ()>(&store, name)
            .expect("the initialiser is exported")
            .call(&mut store, ())
            .expect("the initialiser returns");
    }
    let state = capture(&mut store, &instance, &instrumented).expect("capture succeeds");
    let wasm = emit(original, &instrumented, &state, options).expect("emit succeeds");
    validate(&wasm);
    Snapshot {
        engine,
        instrumented,
        initialised: (store, instance),
        state,
        wasm,
    }
}

/// Calls export `name` with `args`, returning its single result or the
/// error.
fn call(
    store: &mut Store<()>,
    instance: &Instance,
    name: &str,
    args: &[Val],
) -> Result<Option<Val>, wasmi::Error> {
    let func = instance
        .get_func(&*store, name)
        .unwrap_or_else(|| panic!("export {name}"));
    let mut results = vec![Val::I32(0); func.ty(&*store).results().len()];
    func.call(&mut *store, args, &mut results)?;
    Ok(results.into_iter().next())
}

/// Calls export `name` expecting an `i32`.
fn call_i32(store: &mut Store<()>, instance: &Instance, name: &str, args: &[Val]) -> i32 {
    match call(store, instance, name, args).expect("the call returns") {
        Some(Val::I32(value)) => value,
        other => panic!("{name} returned {other:?}"),
    }
}

/// Every exported global's value (floats as bits) and the exported
/// memory's size and bytes, sorted by export name: what an embedder can
/// observe of an instance.
fn observable(store: &Store<()>, instance: &Instance) -> Vec<(String, String)> {
    let mut seen: Vec<(String, String)> = instance
        .exports(store)
        .filter(|export| !export.name().starts_with("__wasmi_snapshot_"))
        .filter_map(|export| {
            let name = export.name().to_owned();
            match export.into_extern() {
                Extern::Global(global) => Some((name, describe(global.get(store)))),
                Extern::Memory(memory) => {
                    let data = memory.data(store);
                    let digest = data.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, &byte| {
                        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
                    });
                    Some((
                        name,
                        format!("{} pages, fnv {digest:#x}", memory.size(store)),
                    ))
                }
                _ => None,
            }
        })
        .collect();
    seen.sort();
    seen
}

/// A value as a string that compares exactly (floats as bits).
fn describe(value: Val) -> String {
    match value {
        Val::I32(value) => format!("i32 {value}"),
        Val::I64(value) => format!("i64 {value}"),
        Val::F32(value) => format!("f32 {:#x}", value.to_bits()),
        Val::F64(value) => format!("f64 {:#x}", value.to_bits()),
        other => format!("{other:?}"),
    }
}

/// The exported global `name`, [`describe`]d.
fn global(store: &Store<()>, instance: &Instance, name: &str) -> String {
    let global = instance
        .get_global(store, name)
        .unwrap_or_else(|| panic!("global {name}"));
    describe(global.get(store))
}
