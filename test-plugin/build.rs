//! Link settings for the plugin binaries when built for WebAssembly.
//!
//! Nothing happens for native builds (the crate is also a workspace member
//! that `cargo test --workspace` builds for the host).

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        // Rust gives wasm programs a 1 MiB shadow stack by default, and that
        // stack sits at the start of linear memory, so every instance begins
        // with at least 1 MiB (16 pages) of memory before any data or heap,
        // and the host zero-fills all of it for every request.
        // These plugins recurse very little: 64 KiB is plenty (`echo` of JSON
        // nested as deep as serde_json reads it needs under 40 KiB)
        // and, with the ~24 KiB of data, makes 2 initial pages instead of
        // the 3 a 128 KiB stack takes: one page less to zero per request.
        // (`misbehaving-plugin`'s `stack_overflow` still overflows it, on purpose.)
        println!("cargo:rustc-link-arg-bins=-zstack-size=65536");
        // Benchmarks call the sieve of this very module directly through
        // wasmi (no fuel, JSON or WASI), to measure the runtime's overhead.
        println!("cargo:rustc-link-arg-bin=test-plugin=--export=count_primes");
    }
}
