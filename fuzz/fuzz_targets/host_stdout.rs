//! What a plugin writes is untrusted: arbitrary bytes on stdout and stderr,
//! in arbitrary chunks, with reads of stdin in between, must never panic
//! the host; every call ends with `Ok` or a typed `Error`; and a stdout line
//! longer than the message limit always fails the call.
//!
//! Each input becomes a tiny plugin (built here as WAT) that replays the
//! writes from its data segment with `fd_write` and the reads with `fd_read`.

#![no_main]

use std::time::Duration;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use wasmi_hdk::{Error, HostRouter, Limits, Plugin, ProtocolViolation, RpcError};

#[derive(Debug, Arbitrary)]
enum Op {
    Stdout(Vec<u8>),
    Stderr(Vec<u8>),
    /// Reads up to this many bytes of stdin.
    Read(u16),
    /// Writes a valid answer to the host's request.
    Answer,
}

#[derive(Debug, Arbitrary)]
struct Input {
    max_message: u16,
    max_stderr: u16,
    ops: Vec<Op>,
}

const ANSWER: &[u8] = b"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"ok\"}\n";
/// Where the ops' bytes start in memory; below are iovecs, the answer and a read buffer.
const DATA_AT: u32 = 0x2000;
const READ_AT: u32 = 0x1000;
const ANSWER_AT: u32 = 0x100;

fn escape(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("\\{b:02x}")).collect()
}

/// The plugin replaying `ops`, or `None` if they are too large to bother.
fn plugin_wat(ops: &[Op]) -> Option<String> {
    let mut data = Vec::new();
    let mut body = String::new();
    let write = |fd: u32, at: u32, len: usize| {
        format!(
            "(i32.store (i32.const 0) (i32.const {at})) (i32.store (i32.const 4) (i32.const {len}))
             (drop (call $fd_write (i32.const {fd}) (i32.const 0) (i32.const 1) (i32.const 8)))\n"
        )
    };
    for op in ops {
        match op {
            Op::Stdout(bytes) | Op::Stderr(bytes) => {
                let fd = if matches!(op, Op::Stdout(_)) { 1 } else { 2 };
                body.push_str(&write(fd, DATA_AT + data.len() as u32, bytes.len()));
                data.extend_from_slice(bytes);
            }
            Op::Answer => body.push_str(&write(1, ANSWER_AT, ANSWER.len())),
            Op::Read(len) => body.push_str(&format!(
                "(i32.store (i32.const 16) (i32.const {READ_AT})) (i32.store (i32.const 20) (i32.const {}))
                 (drop (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 24)))\n",
                u32::from(*len).min(DATA_AT - READ_AT)
            )),
        }
    }
    if data.len() > 1 << 20 {
        return None;
    }
    let pages = (DATA_AT as usize + data.len()).div_ceil(1 << 16);
    Some(format!(
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") {pages})
  (data (i32.const {ANSWER_AT}) "{}")
  (data (i32.const {DATA_AT}) "{}")
  (func (export "_start")
    {body}))"#,
        escape(ANSWER),
        escape(&data),
    ))
}

/// Whether the stdout bytes written before the first read hold a line (or
/// an unfinished line) longer than `max`: the call must then fail.
fn overlong_line_before_first_read(ops: &[Op], max: usize) -> bool {
    let mut line = 0usize;
    for op in ops {
        let bytes: &[u8] = match op {
            Op::Stdout(bytes) => bytes,
            Op::Answer => ANSWER,
            Op::Stderr(_) => continue,
            Op::Read(_) => return false,
        };
        for &b in bytes {
            if b == b'\n' {
                line = 0;
            } else {
                line += 1;
                if line > max {
                    return true;
                }
            }
        }
    }
    false
}

fuzz_target!(|input: Input| {
    let Some(wat) = plugin_wat(&input.ops) else {
        return;
    };
    let wasm = wat::parse_str(&wat).expect("the generated plugin is valid WAT");
    // At least the request line (40 bytes) and the answer.
    let max_message = usize::from(input.max_message) + 64;
    let limits = Limits::default()
        .with_max_message(max_message)
        .with_max_stderr(usize::from(input.max_stderr))
        .with_fuel(100_000_000)
        .with_timeout(Duration::from_secs(5));
    let host = HostRouter::new().with_method("host.echo", |_c, params: Value| async move {
        Ok::<_, RpcError>(params)
    });
    let plugin = Plugin::builder()
        .with_limits(limits)
        .with_host(host)
        .with_log_handler(|_| {})
        .build(&wasm)
        .expect("the generated plugin loads");
    let outcome = futures::executor::block_on(plugin.call_with::<Value>(
        "fuzz",
        Value::Null,
        wasmi_hdk::CallOptions::new(),
    ));
    let (result, report) = match outcome {
        Ok(reported) => (Ok(reported.value), reported.report),
        Err(failure) => (Err(failure.error), failure.report),
    };
    match &result {
        Ok(_) | Err(Error::Rpc(_) | Error::Protocol { .. }) => {}
        Err(other) => panic!("unexpected error {other:?}"),
    }
    if let Err(Error::Protocol {
        violation: ProtocolViolation::MessageTooLarge { limit },
        ..
    }) = &result
    {
        assert_eq!(*limit, max_message);
    }
    if overlong_line_before_first_read(&input.ops, max_message) {
        assert!(
            matches!(result, Err(Error::Protocol { .. })),
            "a line over the limit was accepted: {result:?}"
        );
    }
    let written: usize = input
        .ops
        .iter()
        .map(|op| match op {
            Op::Stdout(b) => b.len(),
            Op::Answer => ANSWER.len(),
            _ => 0,
        })
        .sum();
    assert!(report.bytes_out <= written as u64);
});
