//! Compiles the embedded default plugin, `default-plugin.wat` (a plugin
//! written by hand in WebAssembly text, shipped inside this package), into
//! `OUT_DIR`. No wasm toolchain or target is needed: the `wat` crate does
//! it, so `cargo install wasmi-host` works on any machine.

use std::{env, fs, path::PathBuf};

fn main() {
    let source = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"))
        .join("default-plugin.wat");
    println!("cargo:rerun-if-changed={}", source.display());
    let wasm = match wat::parse_file(&source) {
        Ok(wasm) => wasm,
        Err(e) => panic!("cannot compile {}: {e}", source.display()),
    };
    let out =
        PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo")).join("default-plugin.wasm");
    if let Err(e) = fs::write(&out, wasm) {
        panic!("cannot write {}: {e}", out.display());
    }
}
