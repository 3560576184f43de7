//! `wasmi-host run`: any WASI program with the CLI's own stdio, its exit
//! code passed through, stdin waited for without spinning, files.

use std::{
    io::Write,
    process::{Command, Stdio},
};

use super::util::{TempDir, TempFile, binary, files_plugin, wait_or_kill, wasmi_host_with_stdin};

/// Copies stdin to stdout, then exits with code 7.
const CAT_EXIT_7: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 1024))
    (loop $copy
      (drop (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
      (if (i32.load (i32.const 8)) (then
        (i32.store (i32.const 4) (i32.load (i32.const 8)))
        (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 12)))
        (i32.store (i32.const 4) (i32.const 1024))
        (br $copy))))
    (call $exit (i32.const 7))))"#;

#[test]
fn stdin_and_stdout_pass_through_and_the_exit_code_is_the_programs() {
    let program = TempFile::wat("cat.wasm", CAT_EXIT_7);
    let run = wasmi_host_with_stdin(&["run", program.path()], "one\ntwo\n").expect_code(7);
    assert_eq!(run.stdout, "one\ntwo\n");
    assert_eq!(run.stderr, "", "nothing but the program's own stderr");
}

#[test]
fn a_program_that_returns_exits_0_and_stdout_is_not_json_rpc() {
    let program = TempFile::wat(
        "hello.wasm",
        r#"(module
          (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 64) "not json\n")
          (func (export "_start")
            (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 9))
            (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
            (drop (call $write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))))"#,
    );
    let run = wasmi_host_with_stdin(&["run", program.path()], "").expect_code(0);
    assert_eq!(
        (run.stdout.as_str(), run.stderr.as_str()),
        ("not json\n", "not json\n")
    );
}

/// A plugin is a WASI program too: given a request line on stdin it
/// answers on stdout, and reads the directories given.
#[test]
fn files_and_arguments_reach_the_program() {
    let data = TempDir::new("data");
    data.write("a.txt", "from the host");
    let request = r#"{"jsonrpc":"2.0","id":1,"method":"read","params":{"path":"/data/a.txt"}}"#;
    let run = wasmi_host_with_stdin(
        &[
            "run",
            files_plugin(),
            "--dir",
            &format!("/data={}", data.path()),
            "--",
            "-x",
        ],
        &format!("{request}\n"),
    )
    .expect_code(0)
    .expect_no_panic();
    assert_eq!(
        run.stdout,
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"from the host\"}\n"
    );
    // Without the directory the same request answers the plugin's error.
    let run =
        wasmi_host_with_stdin(&["run", files_plugin()], &format!("{request}\n")).expect_code(0);
    assert!(run.stdout.contains("\"error\""), "{run:#?}");
}

#[test]
fn failures_use_the_clis_codes() {
    let trap = TempFile::wat(
        "trap.wasm",
        r#"(module (memory (export "memory") 1) (func (export "_start") unreachable))"#,
    );
    wasmi_host_with_stdin(&["run", trap.path()], "")
        .expect_code(3)
        .expect_one_line_error("trapped");
    wasmi_host_with_stdin(&["run", "/no/such/program.wasm"], "")
        .expect_code(4)
        .expect_one_line_error("cannot read plugin");
    let spin = TempFile::wat(
        "spin.wasm",
        r#"(module (memory (export "memory") 1) (func (export "_start") (loop $l (br $l))))"#,
    );
    wasmi_host_with_stdin(&["run", spin.path(), "--fuel", "1000000"], "")
        .expect_code(3)
        .expect_one_line_error("fuel");
}

/// A program waiting for input that never comes is suspended (its
/// `--timeout` still ends it); input arriving later is read.
#[test]
fn a_waiting_program_is_suspended_until_input_or_its_timeout() {
    let program = TempFile::wat("cat.wasm", CAT_EXIT_7);
    let mut child = Command::new(binary())
        .args(["run", program.path(), "--timeout", "300ms"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    // stdin stays open and empty (waiting on a child closes its stdin: keep it here).
    let stdin = child.stdin.take();
    let status = wait_or_kill(&mut child, "run with a timeout");
    assert_eq!(status.code(), Some(3));
    drop(stdin);

    let mut child = Command::new(binary())
        .args(["run", program.path()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut stdin = child.stdin.take().expect("piped stdin");
    std::thread::sleep(std::time::Duration::from_millis(200));
    stdin.write_all(b"late\n").expect("the program reads");
    drop(stdin);
    let output = child.wait_with_output().expect("the binary runs");
    assert_eq!(
        (output.status.code(), output.stdout),
        (Some(7), b"late\n".to_vec())
    );
}
