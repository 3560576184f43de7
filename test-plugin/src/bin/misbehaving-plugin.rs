//! `misbehaving-plugin`: a plugin that breaks the rules on request.
//!
//! Each method is one way a real plugin can go wrong, so the host's tests
//! can check it survives: traps, endless loops, memory hogs, early exits,
//! protocol violations on stdout and floods of output. The misbehaviour
//! lives here only; `test-plugin` stays well-behaved.
//!
//! | method                | misbehaviour                                                  |
//! |-----------------------|---------------------------------------------------------------|
//! | `panic`               | panics (a trap under `panic = "abort"`)                       |
//! | `loop`                | spins forever                                                 |
//! | `alloc`               | allocates and touches `mib` MiB, answers its length           |
//! | `exit`                | exits with `code`                                             |
//! | `garbage`             | prints a non-JSON line, then answers `"ok"`                   |
//! | `garbage_then_call`   | prints a non-JSON line, then calls `host.echo` with `[1]`     |
//! | `stack_overflow`      | recurses until the stack runs out                             |
//! | `exit_without_answer` | exits with 0 before answering                                 |
//! | `wrong_id`            | answers id 999999, then exits with 0                          |
//! | `answer_twice`        | answers id 1 by hand, then answers again normally             |
//! | `flood_stdout`        | writes `mib` MiB of `x` with no newline, then answers `"done"`|
//! | `flood_stderr`        | writes `mib` MiB of 1 KiB lines to stderr, answers `"done"`   |
//! | `huge_response`       | answers a string of `mib` MiB                                 |
//! | `host_call_then_exit` | sends a `host.echo` request by hand, then exits with 3        |
//! | `read_stdin_forever`  | reads stdin lines until EOF, answers how many                 |

use std::{
    fs::File,
    hint::black_box,
    io::{BufRead, BufReader, Write},
    mem::ManuallyDrop,
    os::fd::FromRawFd,
};

use serde_json::Value;
use wasmi_pdk::{Router, RpcError};

// Used by the other binary of this package only.
use futures as _;
use getrandom as _;
use schemars as _;
use serde as _;
use test_plugin as _;

/// One mebibyte.
const MIB: usize = 1 << 20;

fn main() {
    wasmi_pdk::serve(router());
}

fn router() -> Router {
    Router::new()
        .with_method("panic", |_ctx, (): ()| async {
            panic!("deliberate panic");
            #[expect(unreachable_code, reason = "the closure needs a result type")]
            Ok::<Value, RpcError>(Value::Null)
        })
        .with_method("loop", |_ctx, (): ()| async {
            let mut counter = 0u64;
            loop {
                // `black_box` makes every iteration observable, so the
                // optimizer cannot remove (or reason about) the loop.
                black_box(&mut counter);
                counter = counter.wrapping_add(1);
            }
            #[expect(unreachable_code, reason = "the closure needs a result type")]
            Ok::<Value, RpcError>(Value::Null)
        })
        .with_method("alloc", |_ctx, mib: u64| async move {
            let len = mebibytes(mib)?;
            let mut buffer = vec![0u8; len];
            // Touch every page, so the memory is really used.
            for i in (0..len).step_by(4096) {
                buffer[i] = 1;
            }
            Ok::<_, RpcError>(black_box(buffer).len())
        })
        .with_method("exit", |_ctx, code: i32| async move {
            std::process::exit(code);
            #[expect(unreachable_code, reason = "the closure needs a result type")]
            Ok::<Value, RpcError>(Value::Null)
        })
        .with_method("garbage", |_ctx, (): ()| async {
            println!("this is not json");
            Ok::<_, RpcError>("ok")
        })
        .with_method("garbage_then_call", |ctx, (): ()| async move {
            write_stdout(b"not json either\n");
            ctx.call::<Value>("host.echo", [1]).await
        })
        .with_method("stack_overflow", |_ctx, (): ()| async {
            Ok::<_, RpcError>(recurse(0))
        })
        .with_method("exit_without_answer", |_ctx, (): ()| async {
            std::process::exit(0);
            #[expect(unreachable_code, reason = "the closure needs a result type")]
            Ok::<Value, RpcError>(Value::Null)
        })
        .with_method("wrong_id", |_ctx, (): ()| async {
            write_stdout(b"{\"jsonrpc\":\"2.0\",\"id\":999999,\"result\":\"wrong\"}\n");
            std::process::exit(0);
            #[expect(unreachable_code, reason = "the closure needs a result type")]
            Ok::<Value, RpcError>(Value::Null)
        })
        .with_method("answer_twice", |_ctx, (): ()| async {
            // Handlers do not see the request's id; the host always sends
            // this request with id 1, so the hand-written answer matches it
            // and the normal answer below is the second one for id 1.
            write_stdout(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"first\"}\n");
            Ok::<_, RpcError>("second")
        })
        .with_method("flood_stdout", |_ctx, mib: u64| async move {
            let len = mebibytes(mib)?;
            let chunk = vec![b'x'; 64 * 1024];
            let mut stdout = std::io::stdout().lock();
            let mut left = len;
            while left > 0 {
                let n = left.min(chunk.len());
                stdout.write_all(&chunk[..n]).map_err(RpcError::internal)?;
                left -= n;
            }
            stdout.flush().map_err(RpcError::internal)?;
            Ok::<_, RpcError>("done")
        })
        .with_method("flood_stderr", |_ctx, mib: u64| async move {
            let len = mebibytes(mib)?;
            let mut line = vec![b'e'; 1024];
            line[1023] = b'\n';
            let mut stderr = std::io::stderr().lock();
            for _ in 0..len / line.len() {
                stderr.write_all(&line).map_err(RpcError::internal)?;
            }
            Ok::<_, RpcError>("done")
        })
        .with_method("huge_response", |_ctx, mib: u64| async move {
            Ok::<_, RpcError>("a".repeat(mebibytes(mib)?))
        })
        .with_method("host_call_then_exit", |_ctx, (): ()| async {
            // Written by hand: a `Context::call` would only be sent once the
            // handler waits for its answer, and this handler never does.
            write_stdout(
                b"{\"jsonrpc\":\"2.0\",\"id\":77,\"method\":\"host.echo\",\"params\":[1]}\n",
            );
            std::process::exit(3);
            #[expect(unreachable_code, reason = "the closure needs a result type")]
            Ok::<Value, RpcError>(Value::Null)
        })
        .with_method("read_stdin_forever", |_ctx, (): ()| async {
            Ok::<_, RpcError>(read_stdin_until_eof())
        })
}

/// `mib` MiB in bytes, or `-32602` if that does not fit a `usize`.
fn mebibytes(mib: u64) -> Result<usize, RpcError> {
    usize::try_from(mib)
        .ok()
        .and_then(|m| m.checked_mul(MIB))
        .ok_or_else(|| RpcError::invalid_params(format!("{mib} MiB is too large")))
}

/// Writes `bytes` to stdout at once, bypassing the protocol.
fn write_stdout(bytes: &[u8]) {
    let mut stdout = std::io::stdout().lock();
    // If stdout is gone there is nobody to misbehave towards.
    let _ = stdout.write_all(bytes);
    let _ = stdout.flush();
}

/// Recurses until the stack overflows.
///
/// Every frame keeps a 1 KiB array alive across the call, and `black_box`
/// hides both the array and the depth from the optimizer, so the recursion
/// can be neither removed nor turned into a loop.
fn recurse(depth: u64) -> u64 {
    let mut frame = [0u8; 1024];
    frame[0] = depth as u8;
    black_box(&mut frame);
    // Never true, but the compiler cannot know that.
    if black_box(depth) == u64::MAX {
        return 0;
    }
    let below = recurse(depth + 1);
    black_box(&frame);
    below.wrapping_add(u64::from(frame[0]))
}

/// Counts the lines on stdin until EOF.
///
/// `std::io::stdin().read_line` cannot be used here: `wasmi_pdk::serve`
/// holds stdin's lock while a handler runs, and that lock is not reentrant
/// (natively it would deadlock, on `wasm32-wasip1` it panics). So this reads
/// file descriptor 0 directly. Lines the server had already buffered are not
/// counted; the host sends nothing after the request anyway.
fn read_stdin_until_eof() -> u64 {
    // Safety: descriptor 0 is stdin, open for the whole life of the process.
    // `ManuallyDrop` keeps this `File` from closing it, so the descriptor is
    // only borrowed and `std::io::stdin()` keeps working.
    let stdin = ManuallyDrop::new(unsafe { File::from_raw_fd(0) });
    let mut reader = BufReader::new(&*stdin);
    let mut line = Vec::new();
    let mut count = 0;
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return count,
            Ok(_) => count += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::router;

    /// The one line the plugin answers `method` with, served natively.
    fn call(method: &str, params: Value) -> Value {
        let request = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let mut output = Vec::new();
        wasmi_pdk::serve_io(
            &router(),
            &mut format!("{request}\n").as_bytes(),
            &mut output,
        );
        serde_json::from_slice(&output).unwrap()
    }

    #[test]
    fn harmless_methods_answer() {
        assert_eq!(call("alloc", json!([2]))["result"], 2 << 20);
        let huge = call("huge_response", json!([1]));
        assert_eq!(huge["result"].as_str().unwrap().len(), 1 << 20);
        assert_eq!(call("alloc", json!([u64::MAX]))["error"]["code"], -32602);
    }
}
