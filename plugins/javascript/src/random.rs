//! `Math.random()`, seeded per request.
//!
//! QuickJS seeds its own `Math.random()` once, from the clock, when the
//! context is created. In a pre-initialised module that happens in the
//! initialiser, so every request would start from the same seed and draw
//! the same "random" numbers. This module replaces `Math.random` with a
//! generator (xorshift128+, as V8's) that is seeded lazily, on its first
//! use after [`forget_seed`], from WASI `random_get`: the runner forgets
//! the seed at the start of every request, so each request draws its own.

use std::cell::Cell;

use rquickjs::{Ctx, Function, Object};

thread_local! {
    /// The generator's state; `None` until it is first used in a request.
    static STATE: Cell<Option<[u64; 2]>> = const { Cell::new(None) };
}

/// Replaces `Math.random` in `ctx`.
pub fn install(ctx: &Ctx<'_>) -> rquickjs::Result<()> {
    let math: Object = ctx.globals().get("Math")?;
    math.set("random", Function::new(ctx.clone(), random)?)?;
    Ok(())
}

/// Drops the seed, so that the next `Math.random()` draws a new one from
/// the host: what the runner does when a request starts.
pub fn forget_seed() {
    STATE.set(None);
}

/// A double in [0, 1) with 53 random bits.
fn random() -> f64 {
    let [mut s1, s0] = STATE.get().unwrap_or_else(seed);
    let result = s0.wrapping_add(s1);
    s1 ^= s1 << 23;
    s1 ^= s1 >> 17;
    s1 ^= s0 ^ (s0 >> 26);
    STATE.set(Some([s0, s1]));
    (result >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A fresh state from the host's randomness (never all zeros).
fn seed() -> [u64; 2] {
    let mut bytes = [0u8; 16];
    host_random(&mut bytes);
    let (a, b) = bytes.split_at(8);
    let a = u64::from_le_bytes(a.try_into().unwrap_or_default());
    let b = u64::from_le_bytes(b.try_into().unwrap_or_default());
    if a | b == 0 { [1, 2] } else { [a, b] }
}

/// Fills `buf` from WASI `random_get`. (Rust's std reads randomness only
/// through `HashMap`'s per-thread keys, which it caches, so a value drawn
/// in the initialiser would be frozen into the snapshot.)
#[cfg(target_os = "wasi")]
fn host_random(buf: &mut [u8]) {
    #[link(wasm_import_module = "wasi_snapshot_preview1")]
    unsafe extern "C" {
        fn random_get(buf: *mut u8, len: usize) -> i32;
    }
    // Safety: `buf` is valid for writes of `buf.len()` bytes, and
    // `random_get` writes at most that many; its errno is ignored (the
    // bytes are then zeros, which `seed` replaces).
    let _ = unsafe { random_get(buf.as_mut_ptr(), buf.len()) };
}

/// Elsewhere (a native `cargo check`): the clock, which is enough there.
#[cfg(not(target_os = "wasi"))]
fn host_random(buf: &mut [u8]) {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos());
    for (i, byte) in buf.iter_mut().enumerate() {
        *byte = (nanos >> ((i % 16) * 8)) as u8;
    }
}
