//! What files cost: reading 1 MiB from a preopened archive against reading
//! the same bytes from stdin (both through `Plugin::run_command`, a fresh
//! instance each, reads of 64 KiB), and a ping of the test plugin with and
//! without a preopened archive (a plugin that opens no file should not
//! pay for the file layer).
//!
//! `cargo bench -p wasmi-hdk --bench files`

#![expect(
    unused_crate_dependencies,
    reason = "a bench links all of the crate's dependencies"
)]

use criterion::{Criterion, criterion_group, criterion_main};
use futures::executor::block_on;
use serde_json::Value;
use test_plugin_artifacts::TEST_PLUGIN;
use wasmi_hdk::{CommandIo, Plugin};

/// Bytes read in each run.
const SIZE: usize = 1 << 20;

/// Reads `fd` (0, or the file opened at `/data/f` when `open` is set) to
/// its end in 64 KiB reads into the same buffer, then checks the count.
fn reader(open: bool) -> Vec<u8> {
    let open = if open {
        r#"(if (call $path_open (i32.const 3) (i32.const 0) (i32.const 32) (i32.const 1)
              (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 64))
            (then unreachable))"#
    } else {
        "(i32.store (i32.const 64) (i32.const 0))"
    };
    wat::parse_str(format!(
        r#"(module
        (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "path_open"
            (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
        (memory (export "memory") 3)
        (data (i32.const 32) "f")
        (func (export "_start") (local $total i32)
            {open}
            (i32.store (i32.const 0) (i32.const 65536)) (i32.store (i32.const 4) (i32.const 65536))
            (loop $more
                (if (call $read (i32.load (i32.const 64)) (i32.const 0) (i32.const 1) (i32.const 8))
                    (then unreachable))
                (local.set $total (i32.add (local.get $total) (i32.load (i32.const 8))))
                (br_if $more (i32.load (i32.const 8))))
            (if (i32.ne (local.get $total) (i32.const {SIZE})) (then unreachable))))"#
    ))
    .unwrap()
}

fn tar_with_file(data: &[u8]) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    header.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut header, "f", data).unwrap();
    tar.into_inner().unwrap()
}

fn read_1mib(c: &mut Criterion) {
    let bytes: Vec<u8> = (0..SIZE).map(|i| (i % 251) as u8).collect();
    let from_stdin = Plugin::new(&reader(false)).unwrap();
    let from_file = Plugin::builder()
        .with_archive("/data", tar_with_file(&bytes))
        .build(&reader(true))
        .unwrap();
    let run = |plugin: &Plugin, stdin: Vec<u8>| {
        let io = CommandIo::new(
            futures::io::Cursor::new(stdin),
            std::io::sink(),
            std::io::sink(),
        );
        assert_eq!(block_on(plugin.run_command(io)).unwrap(), 0);
    };
    let mut group = c.benchmark_group("read_1mib");
    group.bench_function("stdin", |b| b.iter(|| run(&from_stdin, bytes.clone())));
    group.bench_function("file", |b| b.iter(|| run(&from_file, Vec::new())));
    // What the stdin run pays for its copy of the input (outside the read).
    group.bench_function("stdin_input_copy_only", |b| b.iter(|| bytes.clone()));
    group.finish();
}

fn ping_with_and_without_files(c: &mut Criterion) {
    let plain = Plugin::new(TEST_PLUGIN).unwrap();
    let with_files = Plugin::builder()
        .with_archive("/data", tar_with_file(b"unused"))
        .with_scratch("/tmp", 1 << 20)
        .build(TEST_PLUGIN)
        .unwrap();
    let mut group = c.benchmark_group("ping_files");
    group.bench_function("no_preopens", |b| {
        b.iter(|| block_on(plain.call_raw("ping", Value::Null)).unwrap())
    });
    group.bench_function("archive_and_scratch", |b| {
        b.iter(|| block_on(with_files.call_raw("ping", Value::Null)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, read_1mib, ping_with_and_without_files);
criterion_main!(benches);
