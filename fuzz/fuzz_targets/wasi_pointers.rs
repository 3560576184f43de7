//! The WASI layer's pointer handling: any sequence of WASI calls with any
//! arguments, against any memory contents, answers errnos (or suspends,
//! sleeps, exits) and never traps the plugin or panics the host. Each call
//! ends with `Ok` or a typed `Error` within its fuel and time limits.
//!
//! Each input becomes a plugin (built here as WAT) with one page of memory
//! filled from the input, a straight line of WASI calls, and then a fixed
//! answer written afresh (the calls may have overwritten any byte).

#![no_main]

use std::time::Duration;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use wasmi_hdk::{
    Error, Limits, Plugin,
    wasi::{ValueType, WASI_FUNCTIONS},
};

#[derive(Debug, Arbitrary)]
struct Call {
    function: u8,
    args: [u64; 9],
}

#[derive(Debug, Arbitrary)]
struct Input {
    memory: Vec<u8>,
    calls: Vec<Call>,
}

const ANSWER: &[u8] = b"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"ok\"}\n";

/// An `i32` argument from 64 fuzz bits: mostly pointers and lengths that
/// land in or near the one page of memory, sometimes small numbers (fds,
/// counts, clock ids), sometimes anything.
fn i32_arg(bits: u64) -> i32 {
    let low = bits as u32;
    (match bits >> 62 {
        0 => low & 0xFFFF,
        1 => 0x1_0000u32.wrapping_sub(low & 0xFF),
        2 => low & 0xF,
        _ => low,
    }) as i32
}

fn escape(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("\\{b:02x}")).collect()
}

fn plugin_wat(input: &Input) -> String {
    let imports: String = WASI_FUNCTIONS
        .iter()
        .map(|f| {
            let types = |ts: &[ValueType]| {
                ts.iter()
                    .map(|t| format!("{t} "))
                    .collect::<String>()
            };
            format!(
                "(import \"wasi_snapshot_preview1\" \"{0}\" (func ${0} (param {1}) (result {2})))\n",
                f.name,
                types(f.params),
                types(f.results)
            )
        })
        .collect();
    let mut body = String::new();
    for call in input.calls.iter().take(64) {
        let f = &WASI_FUNCTIONS[usize::from(call.function) % WASI_FUNCTIONS.len()];
        let args: String = f
            .params
            .iter()
            .zip(call.args)
            .map(|(t, bits)| match t {
                ValueType::I32 => format!("(i32.const {}) ", i32_arg(bits)),
                _ => format!("(i64.const {}) ", bits as i64),
            })
            .collect();
        let call = format!("(call ${} {args})", f.name);
        if f.results.is_empty() {
            body.push_str(&format!("{call}\n"));
        } else {
            body.push_str(&format!("(drop {call})\n"));
        }
    }
    // The answer, stored byte by byte at 0xFF00, its iovec at 0xFFF0.
    for (i, b) in ANSWER.iter().enumerate() {
        body.push_str(&format!(
            "(i32.store8 (i32.const {}) (i32.const {b}))\n",
            0xFF00 + i
        ));
    }
    body.push_str(&format!(
        "(i32.store (i32.const 0xFFF0) (i32.const 0xFF00))
         (i32.store (i32.const 0xFFF4) (i32.const {}))
         (drop (call $fd_write (i32.const 1) (i32.const 0xFFF0) (i32.const 1) (i32.const 0xFFF8)))",
        ANSWER.len()
    ));
    let memory = &input.memory[..input.memory.len().min(1 << 16)];
    format!(
        r#"(module
  {imports}
  (memory (export "memory") 1)
  (data (i32.const 0) "{}")
  (func (export "_start")
    {body}))"#,
        escape(memory)
    )
}

fuzz_target!(|input: Input| {
    let wasm = wat::parse_str(plugin_wat(&input)).expect("the generated plugin is valid WAT");
    let limits = Limits::default()
        .with_fuel(50_000_000)
        .with_timeout(Duration::from_millis(50))
        .with_max_message(1 << 16)
        .with_max_memory(1 << 20);
    let plugin = Plugin::builder()
        .with_limits(limits)
        .with_log_handler(|_| {})
        .build(&wasm)
        .expect("the generated plugin loads");
    let result = futures::executor::block_on(plugin.call_raw("fuzz", Value::Null));
    match result {
        // What the calls may legitimately lead to: an answer, garbage on
        // stdout, an exit, a long sleep, heavy work.
        Ok(_)
        | Err(
            Error::Rpc(_)
            | Error::Protocol { .. }
            | Error::Exit { .. }
            | Error::Timeout { .. }
            | Error::OutOfFuel { .. },
        ) => {}
        // A WASI call must never trap the plugin or fail the instance.
        Err(other) => panic!("unexpected error {other:?}"),
    }
});
