//! `preinit-plugin`: a plugin whose router does an expensive setup (a table
//! of the primes below 2^19), built with `plugin_main!(preinit router())`,
//! so that a pre-initialising host runs the setup once, at load.
//!
//! | method      | params | result                                                          |
//! |-------------|--------|-----------------------------------------------------------------|
//! | `ping`      | none   | `"pong"`                                                        |
//! | `setup`     | none   | `{"setups", "in_initializer", "primes"}`: how many times the setup ran in this instance, whether it ran in the initialiser, the table's length |
//! | `nth_prime` | `n`    | the `n`th prime (from 0), from the table; `null` past its end    |
//! | `bump`      | none   | a counter of this instance, after adding 1 to it                |
//! | `random`    | none   | `{"setup", "request"}`: 8 random bytes drawn by the setup, and 8 drawn now, as hex |
//!
//! The setup logs `INFO preinit_plugin: setup` each time it runs.

use std::{cell::Cell, rc::Rc};

use serde_json::{Value, json};
use wasmi_pdk::{Router, RpcError, log::info};
// The package's other dependencies serve its other binaries.
use {futures as _, schemars as _, serde as _, test_plugin as _};

/// The table holds the primes below this.
const TABLE_LIMIT: usize = 1 << 19;

thread_local! {
    /// How many times the setup ran in this instance.
    static SETUPS: Cell<u32> = const { Cell::new(0) };
    /// The `bump` counter.
    static BUMPS: Cell<u32> = const { Cell::new(0) };
}

wasmi_pdk::plugin_main!(preinit router());

/// The setup and the methods.
fn router() -> Router {
    SETUPS.set(SETUPS.get() + 1);
    let in_initializer = wasmi_pdk::is_initializing();
    info!("setup");
    let primes = Rc::new(primes_below(TABLE_LIMIT));
    let setup_random = random_hex();
    let table = primes.clone();
    Router::new()
        .with_method("ping", |_ctx, (): ()| async { Ok::<_, RpcError>("pong") })
        .with_method("setup", move |_ctx, (): ()| {
            let primes = primes.len();
            async move {
                Ok::<_, RpcError>(json!({
                    "setups": SETUPS.get(),
                    "in_initializer": in_initializer,
                    "primes": primes,
                }))
            }
        })
        .with_method("nth_prime", move |_ctx, n: usize| {
            let prime = table.get(n).copied();
            async move { Ok::<_, RpcError>(prime) }
        })
        .with_method("bump", |_ctx, (): ()| async {
            BUMPS.set(BUMPS.get() + 1);
            Ok::<_, RpcError>(BUMPS.get())
        })
        .with_method("random", move |_ctx, (): ()| {
            let setup = setup_random.clone();
            async move { Ok::<_, RpcError>(json!({ "setup": setup, "request": random_hex() })) }
        })
}

/// The primes below `limit`, by a sieve of Eratosthenes.
fn primes_below(limit: usize) -> Vec<u32> {
    let mut composite = vec![false; limit];
    let mut primes = Vec::new();
    for n in 2..limit {
        if composite[n] {
            continue;
        }
        primes.push(n as u32);
        // `n * n` would overflow a 32-bit usize past 2^16.
        if n < limit / n {
            for multiple in (n * n..limit).step_by(n) {
                composite[multiple] = true;
            }
        }
    }
    primes
}

/// 8 bytes from the host's randomness, as hex (`null` if it fails).
fn random_hex() -> Value {
    let mut bytes = [0u8; 8];
    match getrandom::fill(&mut bytes) {
        Ok(()) => Value::String(bytes.iter().map(|b| format!("{b:02x}")).collect()),
        Err(_) => Value::Null,
    }
}
