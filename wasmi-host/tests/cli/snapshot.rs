//! `wasmi-host snapshot`: pre-initialising ahead of time, reproducibly,
//! into a module another WASI runtime runs the same way.

use std::process::{Command, Stdio};

use super::util::{TempFile, wait_or_kill, wasmi_host};

/// A command whose initialiser (`wizer.initialize`) writes `init` at 3000
/// and draws 16 random bytes; each request adds 1 and answers the byte.
/// Without its initialiser it answers 1; snapshotted, 43.
const COUNTER: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 1024) "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":00}\n")
  (func (export "wizer.initialize")
    (i32.store8 (i32.const 3000) (i32.const 42))
    (drop (call $random_get (i32.const 3100) (i32.const 16))))
  (func (export "_start")
    (i32.store (i32.const 16) (i32.const 4096))
    (i32.store (i32.const 20) (i32.const 4096))
    (drop (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 24)))
    (i32.store8 (i32.const 3000) (i32.add (i32.load8_u (i32.const 3000)) (i32.const 1)))
    (i32.store8 (i32.const 1057) (i32.add (i32.const 48) (i32.div_u (i32.load8_u (i32.const 3000)) (i32.const 10))))
    (i32.store8 (i32.const 1058) (i32.add (i32.const 48) (i32.rem_u (i32.load8_u (i32.const 3000)) (i32.const 10))))
    (i32.store (i32.const 0) (i32.const 1024))
    (i32.store (i32.const 4) (i32.const 37))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#;

#[test]
fn writes_a_module_that_starts_where_the_initialiser_left_off() {
    let input = TempFile::wat("counter.wasm", COUNTER);
    let before = wasmi_host(&["call", "--plugin", input.path(), "count"]).expect_code(0);
    assert_eq!(
        before.stdout, "43\n",
        "loaded plugins are pre-initialised too"
    );

    let out = TempFile::new("counter.pre.wasm", b"");
    let run = wasmi_host(&["snapshot", input.path(), "-o", out.path()]).expect_code(0);
    assert!(run.stderr.contains("ran wizer.initialize"), "{run:#?}");
    let snapshot = std::fs::read(out.path()).unwrap();
    assert_ne!(snapshot, std::fs::read(input.path()).unwrap());
    // Every request of the written module starts from the snapshot.
    for _ in 0..2 {
        let run = wasmi_host(&["call", "--plugin", out.path(), "count"]).expect_code(0);
        assert_eq!(run.stdout, "43\n");
    }
    let inspect = wasmi_host(&["inspect", out.path()]).expect_code(0);
    assert!(
        inspect
            .stdout
            .contains("pre-initialised (by wizer.initialize)"),
        "{inspect:#?}"
    );

    // Reproducible: the same input gives the same bytes, although the
    // initialiser draws randomness.
    let again = TempFile::new("counter.again.wasm", b"");
    wasmi_host(&["snapshot", input.path(), "-o", again.path()]).expect_code(0);
    assert_eq!(std::fs::read(again.path()).unwrap(), snapshot);
    let host = TempFile::new("counter.host.wasm", b"");
    wasmi_host(&[
        "snapshot",
        input.path(),
        "-o",
        host.path(),
        "--nondeterministic",
    ])
    .expect_code(0);
    assert_ne!(std::fs::read(host.path()).unwrap(), snapshot);
}

/// The snapshot is an ordinary module: Node's WASI runs it to the same
/// answer (the check CI runs; skipped with a note where Node is missing
/// outside CI).
#[test]
fn another_wasi_runtime_gives_the_same_answer() {
    let input = TempFile::wat("counter.wasm", COUNTER);
    let out = TempFile::new("counter.pre.wasm", b"");
    wasmi_host(&["snapshot", input.path(), "-o", out.path()]).expect_code(0);
    let script = format!(
        "const {{ WASI }} = require('node:wasi'); const fs = require('node:fs');\n\
         const wasi = new WASI({{ version: 'preview1', returnOnExit: true, stdin: 0, stdout: 1, stderr: 2 }});\n\
         const module = new WebAssembly.Module(fs.readFileSync({path:?}));\n\
         const instance = new WebAssembly.Instance(module, wasi.getImportObject());\n\
         process.exitCode = wasi.start(instance);",
        path = out.path()
    );
    let node = Command::new("node")
        .args(["--no-warnings", "-e", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut node = match node {
        Ok(child) => child,
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("note: node is not installed ({e}); the cross-runtime check did not run");
            return;
        }
        Err(e) => panic!("CI needs node for this check: {e}"),
    };
    {
        use std::io::Write;
        let mut stdin = node.stdin.take().unwrap();
        stdin
            .write_all(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"count\"}\n")
            .unwrap();
    }
    let status = wait_or_kill(&mut node, "node running the snapshot");
    let mut stdout = String::new();
    std::io::Read::read_to_string(node.stdout.as_mut().unwrap(), &mut stdout).unwrap();
    assert!(status.success(), "node failed: {status}");
    assert_eq!(stdout, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":43}\n");
}
