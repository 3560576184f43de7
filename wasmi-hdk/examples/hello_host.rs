//! The README's minimal host: loads a plugin (a `.wasm` path, or the
//! embedded test plugin), offers it a host method and calls it.
//!
//! `cargo run --release -p wasmi-hdk --example hello_host -- [PLUGIN.wasm] [METHOD] [PARAMS_JSON]`

#![expect(
    unused_crate_dependencies,
    reason = "an example links all of the crate's dependencies"
)]

use std::time::Duration;

use serde_json::{Value, json};
use wasmi_hdk::{HostRouter, Limits, Plugin, RpcError};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let wasm = match args.next() {
        Some(path) => std::fs::read(path)?,
        None => test_plugin_artifacts::TEST_PLUGIN.to_vec(),
    };
    let method = args.next().unwrap_or_else(|| "sieve".to_owned());
    let params: Value = match args.next() {
        Some(text) => serde_json::from_str(&text)?,
        None => json!([1_000_000]),
    };

    // Host methods the plugin may call while it handles a request.
    let host = HostRouter::new()
        .with_method("host.echo", |_caller, params: Value| async move {
            Ok::<_, RpcError>(params)
        })
        .with_method("host.greeting", |caller, (): ()| async move {
            Ok::<_, RpcError>(format!("Hello from the host to {}", caller.plugin()))
        });

    // Compile once; every call gets a fresh instance under these limits.
    let plugin = Plugin::builder()
        .with_name("hello")
        .with_host(host)
        .with_limits(Limits::default().with_timeout(Duration::from_secs(10)))
        // Plugin stderr, one record per line (the default sends them to `tracing`).
        .with_log_handler(|line| eprintln!("[{} {}] {}", line.plugin, line.level, line.message))
        .build(&wasm)?;

    let result = futures::executor::block_on(plugin.call_raw(&method, params))?;
    println!("{result}");
    Ok(())
}
