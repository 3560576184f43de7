//! Calls one method of a plugin many times in a row, for instruction
//! counts of a single call: `valgrind --tool=callgrind` on two runs with
//! different counts gives the cost of one call as their difference over
//! the difference in counts (start-up, loading and the first call's lazy
//! compilation cancel out). See BENCHMARKS.md.
//!
//! `cargo run --release -p wasmi-hdk --example call_loop -- [PLUGIN.wasm|-] METHOD PARAMS_JSON COUNT`
//!
//! `-` (or no path) runs the embedded test plugin. The plugin gets the
//! host method `host.echo`, as in the `calls` benchmark.

#![expect(
    unused_crate_dependencies,
    reason = "an example links all of the crate's dependencies"
)]

use serde_json::Value;
use wasmi_hdk::{CallOptions, HostRouter, Plugin, RpcError};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let wasm = match args.next().as_deref() {
        Some("-") | None => test_plugin_artifacts::TEST_PLUGIN.to_vec(),
        Some(path) => std::fs::read(path)?,
    };
    let method = args.next().unwrap_or_else(|| "ping".to_owned());
    let params: Value = serde_json::from_str(&args.next().unwrap_or_else(|| "null".to_owned()))?;
    let count: u64 = args.next().map_or(Ok(1), |n| n.parse())?;

    let host = HostRouter::new().with_method("host.echo", |_caller, params: Value| async move {
        Ok::<_, RpcError>(params)
    });
    let plugin = Plugin::builder()
        .with_name("bench")
        .with_host(host)
        .build(&wasm)?;
    // One call first: it compiles the functions the method runs (lazily,
    // once per plugin), which the counted calls then share.
    let first = futures::executor::block_on(plugin.call_with::<Value>(
        &method,
        params.clone(),
        CallOptions::new(),
    ))?;
    let (first, report) = (first.value, first.report);
    eprintln!(
        "first call: fuel {}, peak memory {} bytes",
        report.fuel_consumed, report.peak_memory
    );
    let mut times = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let started = std::time::Instant::now();
        let result = futures::executor::block_on(plugin.call_raw(&method, params.clone()))?;
        times.push(started.elapsed());
        assert_eq!(result, first, "every call answers the same");
    }
    println!("{first}");
    // Wall-clock, for a rough look only: under callgrind it means nothing.
    times.sort();
    if let Some(median) = times.get(times.len() / 2) {
        eprintln!("{count} calls, median {median:?}, fastest {:?}", times[0]);
    }
    Ok(())
}
