//! The plugin side of the framing: `wasmi_pdk::serve_io` reading arbitrary
//! bytes as its stdin (requests, the host's answers to its calls, garbage)
//! never panics or hangs, and everything it writes is one valid message per line.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use wasmi_pdk::{Router, RpcError, protocol::Message};

fn router() -> Router {
    Router::new()
        .with_method("echo", |_ctx, params: Value| async move {
            Ok::<_, RpcError>(params)
        })
        .with_method("add", |_ctx, (a, b): (i64, i64)| async move {
            a.checked_add(b).ok_or_else(|| RpcError::plugin("overflow"))
        })
        .with_method("call", |ctx, params: Value| async move {
            ctx.call::<Value>("host.echo", params).await
        })
        .with_method("join", |ctx, (): ()| async move {
            let (a, b) = futures::join!(
                ctx.call::<Value>("host.a", ()),
                ctx.call::<u64>("host.b", 1)
            );
            Ok::<_, RpcError>(vec![a?, Value::from(b?)])
        })
        .with_method("notify", |ctx, params: Value| async move {
            ctx.notify("host.note", params)?;
            Ok::<_, RpcError>(Value::Null)
        })
}

fuzz_target!(|input: &[u8]| {
    // The kit keeps per-process state (ids, a closed stdin): a fresh
    // thread gives each input a fresh plugin process.
    let output = std::thread::scope(|s| {
        s.spawn(|| {
            let mut output = Vec::new();
            wasmi_pdk::serve_io(&router(), &mut &input[..], &mut output);
            output
        })
        .join()
        .unwrap()
    });
    assert!(output.is_empty() || output.ends_with(b"\n"));
    for line in output.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        if let Err(e) = Message::from_slice(line) {
            panic!("the plugin wrote {:?}: {e}", String::from_utf8_lossy(line));
        }
    }
});
