//! # test-plugin: the plugins the runtime is tested with
//!
//! This package holds the `wasm32-wasip1` programs the runtime is tested with:
//!
//! | binary               | what it is for                                                     |
//! |----------------------|--------------------------------------------------------------------|
//! | `test-plugin`        | a well-behaved plugin exercising every feature of the protocol and of WASI the host offers (`ping`, `echo`, `add`, `sieve`, host calls, notifications, logging, clocks, randomness, args and env, errors), built with `plugin_main!(preinit …)` as a Rust plugin should be: its router is built once, in the initialiser (the CLI embeds the WAT example plugin instead, `plugins/wat/plugin.wat`) |
//! | `misbehaving-plugin` | deliberate misbehaviour (panics, traps, endless loops, huge allocations, garbage and floods on stdout, early exits) for the host's failure tests |
//! | `event-plugin`       | events, config and calls between plugins, for plugin sets |
//! | `framework-plugin`   | a plugin written to the wire dialect of `wasmi-plugin-framework` 0.1 (no kit), for the compatibility tests |
//! | `files-plugin`       | files through `std::fs`, for the tests of preopened directories |
//! | `preinit-plugin`     | a plugin built with `plugin_main!(preinit …)` whose setup is expensive, for pre-initialisation |
//! | `store-plugin`       | state in the host's key-value store through the kit's `ctx.store()`, for the tests of the `storage` capability |
//!
//! Nobody builds these by hand: the `test-plugin-artifacts` crate compiles
//! both for `wasm32-wasip1` with the workspace's `plugin` profile and embeds
//! the `.wasm` files. To look at one directly:
//!
//! ```text
//! cargo build -p test-plugin --bins --target wasm32-wasip1 --profile plugin
//! echo '{"jsonrpc":"2.0","id":1,"method":"sieve","params":[1000]}' \
//!     | wasmtime target/wasm32-wasip1/plugin/test-plugin.wasm
//! ```
//!
//! The library itself holds only what a native benchmark wants to compare
//! with the plugin, so both run the very same code:
//!
//! ```
//! assert_eq!(test_plugin::count_primes(1000), 168);
//! ```

// The dependencies are the binaries'; the library needs none of them.
use futures as _;
use getrandom as _;
use schemars as _;
use serde as _;
use serde_json as _;
use wasmi_pdk as _;

/// Counts the primes `p <= limit` with a plain sieve of Eratosthenes.
///
/// This is the work behind the plugin's `sieve` method, kept here so a
/// benchmark can run the same function natively.
///
/// Memory use is one byte per number up to `limit`.
///
/// ```
/// assert_eq!(test_plugin::count_primes(1), 0);
/// assert_eq!(test_plugin::count_primes(2), 1);
/// assert_eq!(test_plugin::count_primes(1_000_000), 78_498);
/// ```
///
/// # Panics
///
/// If `limit + 1` bytes cannot be allocated (or `limit` does not fit a `usize`).
pub fn count_primes(limit: u64) -> u64 {
    if limit < 2 {
        return 0;
    }
    let limit = usize::try_from(limit)
        .ok()
        .filter(|&l| l < usize::MAX)
        .expect("sieve limit does not fit in memory");
    let mut composite = vec![false; limit + 1];
    let mut count = 0;
    for n in 2..=limit {
        if composite[n] {
            continue;
        }
        count += 1;
        // Multiples below n*n were already crossed off by smaller primes.
        if let Some(start) = n.checked_mul(n) {
            for multiple in (start..=limit).step_by(n) {
                composite[multiple] = true;
            }
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::count_primes;

    #[test]
    fn small_limits() {
        let expected = [0, 0, 1, 2, 2, 3, 3, 4, 4, 4, 4, 5];
        for (limit, want) in expected.into_iter().enumerate() {
            assert_eq!(count_primes(limit as u64), want, "limit {limit}");
        }
    }

    #[test]
    fn known_counts() {
        assert_eq!(count_primes(100), 25);
        assert_eq!(count_primes(1000), 168);
        assert_eq!(count_primes(7919), 1000);
        assert_eq!(count_primes(1_000_000), 78_498);
    }
}
