//! Running the binary with a deadline, and scratch files outside the tree.

use std::{
    io::Write,
    path::PathBuf,
    process::{Command, Stdio},
    sync::atomic::{AtomicU32, Ordering},
    sync::mpsc,
    time::Duration,
};

/// How long one run of the binary may take before the test fails as hung.
const HANG: Duration = Duration::from_secs(60);

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

/// Runs `wasmi-host ARGS` with empty stdin.
pub(crate) fn wasmi_host(args: &[&str]) -> Run {
    wasmi_host_with_stdin(args, "")
}

/// Runs `wasmi-host ARGS`, writes `stdin` to it and closes it.
pub(crate) fn wasmi_host_with_stdin(args: &[&str], stdin: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wasmi-host"))
        .args(args)
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let pid = child.id();
    let mut input = child.stdin.take().expect("piped stdin");
    let stdin = stdin.to_owned();
    std::thread::spawn(move || {
        // The binary may exit without reading everything.
        let _ = input.write_all(stdin.as_bytes());
    });
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let output = match rx.recv_timeout(HANG) {
        Ok(output) => output.expect("waiting for the binary"),
        Err(_) => {
            // Stop the hung child we started, by its id.
            // Safety: `kill` takes any pid and signal; it touches no memory.
            unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
            panic!("wasmi-host {args:?} hung for {HANG:?}");
        }
    };
    Run {
        code: output
            .status
            .code()
            .expect("exited, not killed by a signal"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The misbehaving plugin's path.
pub(crate) fn misbehaving() -> &'static str {
    test_plugin_artifacts::misbehaving_plugin_path()
        .to_str()
        .expect("a UTF-8 path")
}

/// The test plugin's path.
pub(crate) fn test_plugin() -> &'static str {
    test_plugin_artifacts::test_plugin_path()
        .to_str()
        .expect("a UTF-8 path")
}

/// A fresh path in the system's temp dir (never the source tree) whose
/// name ends with `suffix`.
fn temp_path(suffix: &str) -> PathBuf {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!(
        "wasmi-host-test-{}-{n}-{suffix}",
        std::process::id()
    ))
}

/// A scratch file in the system's temp dir (never the source tree),
/// removed when dropped.
#[derive(Debug)]
pub(crate) struct TempFile(PathBuf);

impl TempFile {
    /// Writes `contents` to a fresh file whose name ends with `suffix`.
    pub(crate) fn new(suffix: &str, contents: &[u8]) -> Self {
        let path = temp_path(suffix);
        std::fs::write(&path, contents).expect("write a temp file");
        Self(path)
    }

    /// A module written from WAT.
    pub(crate) fn wat(suffix: &str, text: &str) -> Self {
        Self::new(suffix, &wat::parse_str(text).expect("valid WAT"))
    }

    /// The path as a `&str`.
    pub(crate) fn path(&self) -> &str {
        self.0.to_str().expect("a UTF-8 temp path")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A scratch directory in the system's temp dir (never the source tree),
/// removed with its files when dropped: a `--plugins DIR`.
#[derive(Debug)]
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    /// Creates a fresh, empty directory whose name ends with `suffix`.
    pub(crate) fn new(suffix: &str) -> Self {
        let path = temp_path(suffix);
        std::fs::create_dir_all(&path).expect("create a temp dir");
        Self(path)
    }

    /// Writes file `name` in the directory.
    pub(crate) fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> &Self {
        std::fs::write(self.0.join(name), contents).expect("write a file in the temp dir");
        self
    }

    /// The path as a `&str`.
    pub(crate) fn path(&self) -> &str {
        self.0.to_str().expect("a UTF-8 temp path")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
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
