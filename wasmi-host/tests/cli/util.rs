//! Running the binary with a deadline, and scratch files outside the tree.

use std::{
    io::{BufRead, BufReader, Write},
    path::Path,
    process::{Child, ChildStdin, Command, ExitStatus, Stdio},
    sync::mpsc,
    time::Duration,
};

use wait_timeout::ChildExt;

/// How long one run of the binary may take before the test fails as hung.
/// Only hangs: no test needs more than a few seconds, even on a busy machine.
pub(crate) const HANG: Duration = Duration::from_secs(120);

/// The binary under test.
pub(crate) fn binary() -> &'static Path {
    assert_cmd::cargo::cargo_bin!("wasmi-host")
}

/// What one run of the binary did.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    /// Asserts the exit code, showing the whole run if it differs.
    #[track_caller]
    pub(crate) fn expect_code(self, code: i32) -> Self {
        assert_eq!(self.code, code, "unexpected exit code: {self:#?}");
        self
    }

    /// Asserts stderr is exactly one `error: ...` line containing `needle`,
    /// and no Rust panic or backtrace.
    #[track_caller]
    pub(crate) fn expect_one_line_error(self, needle: &str) -> Self {
        let errors: Vec<&str> = self
            .stderr
            .lines()
            .filter(|l| l.starts_with("error"))
            .collect();
        assert_eq!(errors.len(), 1, "{self:#?}");
        assert!(errors[0].contains(needle), "{needle:?} not in {self:#?}");
        self.expect_no_panic()
    }

    /// Asserts that the binary did not panic (a plugin's panic is only
    /// logged, as `[plugin ERROR panic] ...`).
    #[track_caller]
    pub(crate) fn expect_no_panic(self) -> Self {
        assert!(!self.stderr.contains("thread '"), "{self:#?}");
        assert!(!self.stderr.contains("stack backtrace"), "{self:#?}");
        self
    }

    /// stdout parsed as one JSON value.
    #[track_caller]
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {self:#?}"))
    }
}

/// `args` naming the test plugin where they name no plugin: most tests
/// exercise `call`, `serve`, `inspect` and `check` on the test plugin
/// (host calls, logs, failures), not on the embedded example plugin.
/// [`wasmi_host_default`] runs the embedded one.
fn with_test_plugin<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut args = args.to_vec();
    let Some(at) = args.iter().position(|a| !a.starts_with('-')) else {
        return args;
    };
    let names_plugin = args
        .iter()
        .any(|a| *a == "--plugin" || *a == "--plugins" || a.ends_with(".wasm"));
    if !names_plugin {
        match args[at] {
            "call" | "serve" => {
                args.splice(at + 1..at + 1, ["--plugin", test_plugin()]);
            }
            "inspect" | "check" => args.insert(at + 1, test_plugin()),
            _ => {}
        }
    }
    args
}

/// Runs `wasmi-host ARGS` with empty stdin, on the test plugin unless
/// `ARGS` name a plugin.
pub(crate) fn wasmi_host(args: &[&str]) -> Run {
    wasmi_host_with_stdin(args, "")
}

/// Runs `wasmi-host ARGS` as given: without a plugin, on the embedded
/// example plugin.
pub(crate) fn wasmi_host_default(args: &[&str]) -> Run {
    run(args, "")
}

/// Runs `wasmi-host ARGS` (on the test plugin unless they name a plugin),
/// writes `stdin` to it and closes it; a run that takes longer than
/// [`HANG`] is killed and fails the test.
pub(crate) fn wasmi_host_with_stdin(args: &[&str], stdin: &str) -> Run {
    run(&with_test_plugin(args), stdin)
}

fn run(args: &[&str], stdin: &str) -> Run {
    let output = assert_cmd::Command::new(binary())
        .args(args)
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .write_stdin(stdin)
        .timeout(HANG)
        .output()
        .expect("the binary starts");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    // Killed at the timeout, or by another signal.
    let Some(code) = output.status.code() else {
        panic!(
            "wasmi-host {args:?} hung for {HANG:?} or died of a signal ({}):\n\
             stdout: {stdout}\nstderr: {stderr}",
            output.status
        );
    };
    Run {
        code,
        stdout,
        stderr,
    }
}

/// Waits for `child` to exit; past [`HANG`], kills it and fails the test.
pub(crate) fn wait_or_kill(child: &mut Child, what: &str) -> ExitStatus {
    match child.wait_timeout(HANG).expect("waiting for the binary") {
        Some(status) => status,
        None => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {HANG:?}");
        }
    }
}

/// `wasmi-host serve ARGS` talked to line by line: requests written one at
/// a time, answers read as they come. Killed when dropped.
#[derive(Debug)]
pub(crate) struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<String>,
}

impl Server {
    /// Starts `wasmi-host -q serve ARGS` (on the test plugin unless `ARGS`
    /// name a plugin).
    pub(crate) fn start(args: &[&str]) -> Self {
        let mut args = with_test_plugin(&[&["-q", "serve"], args].concat());
        let mut child = Command::new(binary())
            .args(args.drain(..))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        Self {
            child,
            stdin,
            lines,
        }
    }

    /// Writes `line` and a newline to the server's stdin.
    pub(crate) fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        writeln!(stdin, "{line}").expect("the server reads its stdin");
        stdin.flush().expect("the server reads its stdin");
    }

    /// The next line the server writes; fails the test after [`HANG`]
    /// without one, or if the server closed its stdout.
    pub(crate) fn next_line(&self) -> String {
        self.lines
            .recv_timeout(HANG)
            .unwrap_or_else(|e| panic!("no answer from the server: {e}"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Stop the child we started; it may have exited already.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The misbehaving plugin's path.
pub(crate) fn misbehaving() -> &'static str {
    test_plugin_artifacts::misbehaving_plugin_path()
        .to_str()
        .expect("a UTF-8 path")
}

/// The files plugin's path (`read`, `list`, `write`, … through `std::fs`).
pub(crate) fn files_plugin() -> &'static str {
    test_plugin_artifacts::files_plugin_path()
        .to_str()
        .expect("a UTF-8 path")
}

/// The test plugin's path.
pub(crate) fn test_plugin() -> &'static str {
    test_plugin_artifacts::test_plugin_path()
        .to_str()
        .expect("a UTF-8 path")
}

/// A scratch file in the system's temp dir (never the source tree),
/// removed when dropped.
#[derive(Debug)]
pub(crate) struct TempFile(tempfile::NamedTempFile);

impl TempFile {
    /// Writes `contents` to a fresh file whose name ends with `suffix`.
    pub(crate) fn new(suffix: &str, contents: &[u8]) -> Self {
        let mut file = tempfile::Builder::new()
            .prefix("wasmi-host-test-")
            .suffix(&format!("-{suffix}"))
            .tempfile()
            .expect("create a temp file");
        file.write_all(contents).expect("write a temp file");
        file.flush().expect("write a temp file");
        Self(file)
    }

    /// A module written from WAT.
    pub(crate) fn wat(suffix: &str, text: &str) -> Self {
        Self::new(suffix, &wat::parse_str(text).expect("valid WAT"))
    }

    /// The path as a `&str`.
    pub(crate) fn path(&self) -> &str {
        self.0.path().to_str().expect("a UTF-8 temp path")
    }
}

/// A scratch directory in the system's temp dir (never the source tree),
/// removed with its files when dropped: a `--plugins DIR`.
#[derive(Debug)]
pub(crate) struct TempDir(tempfile::TempDir);

impl TempDir {
    /// Creates a fresh, empty directory whose name ends with `suffix`.
    pub(crate) fn new(suffix: &str) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("wasmi-host-test-")
            .suffix(&format!("-{suffix}"))
            .tempdir()
            .expect("create a temp dir");
        Self(dir)
    }

    /// Writes file `name` in the directory.
    pub(crate) fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> &Self {
        std::fs::write(self.0.path().join(name), contents).expect("write a file in the temp dir");
        self
    }

    /// The path as a `&str`.
    pub(crate) fn path(&self) -> &str {
        self.0.path().to_str().expect("a UTF-8 temp path")
    }
}

/// A module with `memory` and a `_start` that returns without answering.
pub(crate) const SILENT_MODULE: &str = r#"(module
    (memory (export "memory") 1)
    (func (export "_start")))"#;

/// Like [`SILENT_MODULE`], importing a host function this runtime lacks.
pub(crate) const UNKNOWN_IMPORT_MODULE: &str = r#"(module
    (import "env" "host_fn" (func (param i32) (result i32)))
    (memory (export "memory") 1 4)
    (func (export "_start")))"#;

/// A plugin without a kit that answers every request, `rpc.discover`
/// included, with `-32601`: it reads the request line, finds `"id":` and
/// echoes the id's token (a number, or a string without `,` or `}`).
pub(crate) const METHOD_NOT_FOUND_MODULE: &str = r#"(module
    (import "wasi_snapshot_preview1" "fd_read"
        (func $fd_read (param i32 i32 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "fd_write"
        (func $fd_write (param i32 i32 i32 i32) (result i32)))
    (memory (export "memory") 2)
    ;; 0: the read iovec, 8: bytes read, 16: three write iovecs, 40: bytes
    ;; written, 256..: the answer's text, 1024..: the request line.
    (data (i32.const 256) "{\"jsonrpc\":\"2.0\",\"id\":")
    (data (i32.const 320) ",\"error\":{\"code\":-32601,\"message\":\"method not found\"}}\n")
    (data (i32.const 400) "null")
    (func (export "_start")
        (local $len i32) (local $i i32) (local $start i32) (local $end i32)
        ;; Read until end of input or a newline.
        (block $read_all
            (loop $read
                (i32.store (i32.const 0) (i32.add (i32.const 1024) (local.get $len)))
                (i32.store (i32.const 4) (i32.sub (i32.const 60000) (local.get $len)))
                (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
                (br_if $read_all (i32.eqz (i32.load (i32.const 8))))
                (local.set $len (i32.add (local.get $len) (i32.load (i32.const 8))))
                (br_if $read_all
                    (i32.eq (i32.load8_u (i32.add (i32.const 1023) (local.get $len))) (i32.const 10)))
                (br $read)))
        ;; Find `"id":` and the end of its value; without one, answer id null.
        (local.set $start (i32.const 400))
        (local.set $end (i32.const 404))
        (local.set $i (i32.const 1024))
        (block $found
            (loop $scan
                (br_if $found (i32.ge_u (i32.add (local.get $i) (i32.const 5))
                                        (i32.add (i32.const 1024) (local.get $len))))
                (if (i32.and (i32.eq (i32.load (local.get $i)) (i32.const 0x22646922))
                             (i32.eq (i32.load8_u offset=4 (local.get $i)) (i32.const 0x3a)))
                    (then
                        (local.set $start (i32.add (local.get $i) (i32.const 5)))
                        (local.set $end (local.get $start))
                        (block $token_end
                            (loop $token
                                (br_if $token_end (i32.eq (i32.load8_u (local.get $end)) (i32.const 0x2c)))
                                (br_if $token_end (i32.eq (i32.load8_u (local.get $end)) (i32.const 0x7d)))
                                (local.set $end (i32.add (local.get $end) (i32.const 1)))
                                (br $token)))
                        (br $found)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $scan)))
        ;; Write the answer: prefix, id, suffix.
        (i32.store (i32.const 16) (i32.const 256))
        (i32.store (i32.const 20) (i32.const 22))
        (i32.store (i32.const 24) (local.get $start))
        (i32.store (i32.const 28) (i32.sub (local.get $end) (local.get $start)))
        (i32.store (i32.const 32) (i32.const 320))
        (i32.store (i32.const 36) (i32.const 55))
        (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 3) (i32.const 40)))))"#;
