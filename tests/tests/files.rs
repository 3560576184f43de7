//! Preopened directories as a plugin sees them through Rust's `std::fs`
//! (the `files-plugin`): read-only archives (tar, zip) and host
//! directories, a scratch directory per request, confinement, the open
//! files limit, manifests, pre-initialisation with files, and plugins
//! without files.

use std::io::{Cursor, Write};

use serde_json::{Value, json};
use test_plugin_artifacts::FILES_PLUGIN;
use wasmi_hdk::{CallOptions, Error, ErrorKind, Limits, Plugin, PluginBuilder, set::Manifest};

use crate::util::{Outcomes, within};

/// WASI errno values (`wasi_snapshot_preview1`).
const ENOENT: i64 = 44;
const EMFILE: i64 = 33;
const ENOSPC: i64 = 51;
const EPERM: i64 = 63;
const ENOTCAPABLE: i64 = 76;

/// The files of the sample tree: `/data/a.txt`, `/data/sub/b.txt`, a 1 MiB file.
fn sample() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("a.txt", b"hello from a".to_vec()),
        ("sub/b.txt", b"bee".to_vec()),
        (
            "big.bin",
            (0..1u32 << 20).map(|i| (i % 251) as u8).collect(),
        ),
    ]
}

fn tar_of(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    for (path, data) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, path, &data[..]).unwrap();
    }
    tar.into_inner().unwrap()
}

fn zip_of(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (path, data) in files {
        zip.start_file(*path, options).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn files_plugin(builder: PluginBuilder) -> Plugin {
    builder
        .with_name("files-plugin")
        .build(FILES_PLUGIN)
        .expect("the files plugin loads")
}

async fn call(plugin: &Plugin, method: &str, params: Value) -> Result<Value, Error> {
    within(plugin.call_raw(method, params)).await
}

/// The WASI errno of a failed file operation (the plugin's `data.errno`).
fn errno(result: Result<Value, Error>) -> i64 {
    match result {
        Err(Error::Rpc(e)) => e
            .data
            .as_ref()
            .and_then(|d| d["errno"].as_i64())
            .unwrap_or_else(|| panic!("{e:?}")),
        other => panic!("expected a failed file operation, got {other:?}"),
    }
}

/// The same reads answer the same from a tar, a zip and a host directory.
#[tokio::test]
async fn archives_and_host_dirs_read_alike() {
    let dir = tempfile::tempdir().unwrap();
    for (path, data) in sample() {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, data).unwrap();
    }
    let plugins = [
        (
            "tar",
            files_plugin(Plugin::builder().with_archive("/data", tar_of(&sample()))),
        ),
        (
            "zip",
            files_plugin(Plugin::builder().with_archive("/data", zip_of(&sample()))),
        ),
        (
            "dir",
            files_plugin(Plugin::builder().with_dir("/data", dir.path())),
        ),
    ];
    for (source, plugin) in &plugins {
        let read = |path: &str| call(plugin, "read", json!({"path": path}));
        assert_eq!(
            read("/data/a.txt").await.unwrap(),
            json!("hello from a"),
            "{source}"
        );
        assert_eq!(
            read("/data/sub/b.txt").await.unwrap(),
            json!("bee"),
            "{source}"
        );
        assert_eq!(
            read("/data/sub/../a.txt").await.unwrap(),
            json!("hello from a"),
            "{source}"
        );
        assert_eq!(
            call(plugin, "list", json!({"path": "/data"}))
                .await
                .unwrap(),
            json!(["a.txt", "big.bin", "sub"]),
            "{source}"
        );
        let sub = call(plugin, "stat", json!({"path": "/data/sub"}))
            .await
            .unwrap();
        assert_eq!(sub["kind"], json!("dir"), "{source}");
        assert_eq!(
            call(plugin, "stat", json!({"path": "/data/big.bin"}))
                .await
                .unwrap(),
            json!({"kind": "file", "len": 1 << 20}),
            "{source}"
        );
        assert_eq!(
            call(plugin, "read_len", json!({"path": "/data/big.bin"}))
                .await
                .unwrap(),
            json!(1 << 20),
            "{source}"
        );
        assert_eq!(
            call(
                plugin,
                "read_at",
                json!({"path": "/data/a.txt", "offset": 6, "len": 4})
            )
            .await
            .unwrap(),
            json!("from"),
            "{source}"
        );
        assert_eq!(errno(read("/data/missing.txt").await), ENOENT, "{source}");
    }
}

/// Nothing leaves its preopen, and nothing in a read-only tree changes.
#[tokio::test]
async fn paths_are_confined_and_trees_read_only() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "secret").unwrap();
    let inside = outside.path().join("inside");
    std::fs::create_dir(&inside).unwrap();
    std::fs::write(inside.join("ok.txt"), "ok").unwrap();
    let plugin = files_plugin(Plugin::builder().with_dir("/data", &inside));
    let read = |path: &str| call(&plugin, "read", json!({"path": path}));
    assert_eq!(read("/data/ok.txt").await.unwrap(), json!("ok"));
    for escape in [
        "/data/../secret.txt",
        "/data/../../etc/passwd",
        "/secret.txt",
        "/etc/passwd",
    ] {
        let errno = errno(read(escape).await);
        assert!(
            [EPERM, ENOTCAPABLE, ENOENT].contains(&errno),
            "{escape}: errno {errno}"
        );
    }
    for (method, params) in [
        ("write", json!({"path": "/data/ok.txt", "text": "changed"})),
        ("write", json!({"path": "/data/new.txt", "text": "new"})),
        ("remove", json!({"path": "/data/ok.txt"})),
        ("mkdir", json!({"path": "/data/newdir"})),
    ] {
        assert_eq!(
            errno(call(&plugin, method, params.clone()).await),
            EPERM,
            "{method} {params}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(inside.join("ok.txt")).unwrap(),
        "ok"
    );
    assert!(!inside.join("new.txt").exists() && !inside.join("newdir").exists());
}

/// A scratch directory is writable, bounded by its quota, and empty at
/// the start of every request.
#[tokio::test]
async fn a_scratch_directory_is_per_request_and_bounded() {
    let plugin = files_plugin(Plugin::builder().with_scratch("/tmp", 4096));
    let append = || {
        call(
            &plugin,
            "append",
            json!({"path": "/tmp/log.txt", "text": "0123456789"}),
        )
    };
    // Each request starts from an empty directory: the file never grows.
    assert_eq!(append().await.unwrap(), json!(10));
    assert_eq!(append().await.unwrap(), json!(10));
    assert_eq!(
        errno(call(&plugin, "read", json!({"path": "/tmp/log.txt"})).await),
        ENOENT
    );
    let big = "x".repeat(8192);
    assert_eq!(
        errno(call(&plugin, "write", json!({"path": "/tmp/big", "text": big})).await),
        ENOSPC
    );
    // The plugin still works after running out of space.
    assert_eq!(append().await.unwrap(), json!(10));
}

/// `max_open_files` bounds the descriptors of an instance (`EMFILE`).
#[tokio::test]
async fn open_files_are_bounded() {
    let plugin = files_plugin(
        Plugin::builder()
            .with_archive("/data", tar_of(&sample()))
            .with_limits(Limits::default().with_max_open_files(8)),
    );
    let outcome = call(
        &plugin,
        "open_many",
        json!({"path": "/data/a.txt", "n": 100}),
    )
    .await
    .unwrap();
    // fd 3 is the preopen, so 7 files fit.
    assert_eq!(outcome["opened"], json!(7), "{outcome}");
    assert_eq!(outcome["error"]["errno"], json!(EMFILE), "{outcome}");
    // Per call, too.
    let options = CallOptions::new().with_limits(Limits::default().with_max_open_files(3));
    let outcome = within(plugin.call_with::<Value>(
        "open_many",
        json!({"path": "/data/a.txt", "n": 100}),
        options,
    ))
    .await
    .outcome();
    assert_eq!(outcome.result.unwrap()["opened"], json!(2));
}

/// Without preopened directories there is nothing to open.
#[tokio::test]
async fn a_plugin_without_files_sees_none() {
    let plugin = files_plugin(Plugin::builder());
    // wasi-libc finds no preopen to resolve the path against.
    let errno = errno(call(&plugin, "read", json!({"path": "/data/a.txt"})).await);
    assert_eq!(errno, ENOENT);
}

/// A broken archive is refused at load with a `files` error naming the
/// guest directory; nothing else is affected.
#[tokio::test]
async fn a_broken_archive_is_refused_at_load() {
    let error = Plugin::builder()
        .with_archive("/data", b"not an archive at all".to_vec())
        .build(FILES_PLUGIN)
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Files);
    assert!(error.kind().is_load_failure(), "{error}");
    assert!(error.to_string().contains("/data"), "{error}");
    let mut truncated = tar_of(&sample());
    truncated.truncate(700);
    let error = Plugin::builder()
        .with_archive("/data", truncated)
        .build(FILES_PLUGIN)
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Files, "{error}");
}

/// A manifest's `[files]` paths are relative to the manifest.
#[tokio::test]
async fn manifests_declare_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("assets.tar"), tar_of(&sample())).unwrap();
    std::fs::create_dir(dir.path().join("conf")).unwrap();
    std::fs::write(dir.path().join("conf/app.toml"), "x = 1").unwrap();
    let manifest_path = dir.path().join("files-plugin.toml");
    std::fs::write(
        &manifest_path,
        r#"
        [files]
        "/assets" = { archive = "assets.tar" }
        "/conf" = { dir = "conf" }
        "/tmp" = { scratch = "64K" }
        [limits]
        max_open_files = 16
        "#,
    )
    .unwrap();
    let manifest = Manifest::from_file(&manifest_path).unwrap();
    let plugin = files_plugin(Plugin::builder().with_manifest(&manifest));
    assert_eq!(plugin.limits().max_open_files(), 16);
    assert_eq!(
        call(&plugin, "read", json!({"path": "/assets/sub/b.txt"}))
            .await
            .unwrap(),
        json!("bee")
    );
    assert_eq!(
        call(&plugin, "read", json!({"path": "/conf/app.toml"}))
            .await
            .unwrap(),
        json!("x = 1")
    );
    assert_eq!(
        call(&plugin, "append", json!({"path": "/tmp/x", "text": "abc"}))
            .await
            .unwrap(),
        json!(3)
    );
    // A wrong entry names its field.
    let error =
        Manifest::from_toml("[files]\n\"/x\" = { archiv = \"a.tar\" }", "m.toml").unwrap_err();
    assert!(error.to_string().contains("files"), "{error}");
    let error =
        Manifest::from_toml("[files]\n\"/x\" = { scratch = \"lots\" }", "m.toml").unwrap_err();
    assert!(error.to_string().contains("files"), "{error}");
}

/// A module whose initialiser reads a preopened file: the snapshot holds
/// what it read, and every request starts from it. An initialiser that
/// leaves a file open is refused.
#[tokio::test]
async fn initialisers_read_files_but_close_them() {
    let module = |close: bool| {
        wat::parse_str(format!(
            r#"(module
            (import "wasi_snapshot_preview1" "path_open"
                (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
            (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
            (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
            (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
            (memory (export "memory") 1)
            (data (i32.const 0) "a.txt")
            (func (export "wizer.initialize")
                ;; open /data/a.txt (fd 3 is /data) into fd at 16
                (if (call $open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 5)
                        (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 16))
                    (then unreachable))
                ;; read up to 64 bytes to 100, count at 24
                (i32.store (i32.const 32) (i32.const 100)) (i32.store (i32.const 36) (i32.const 64))
                (drop (call $read (i32.load (i32.const 16)) (i32.const 32) (i32.const 1) (i32.const 24)))
                {close})
            (func (export "plugin_main")
                ;; write what was read to stdout
                (i32.store (i32.const 32) (i32.const 100)) (i32.store (i32.const 36) (i32.load (i32.const 24)))
                (drop (call $write (i32.const 1) (i32.const 32) (i32.const 1) (i32.const 40)))))"#,
            close = if close { "(drop (call $close (i32.load (i32.const 16))))" } else { "" },
        ))
        .unwrap()
    };
    let archive = tar_of(&sample());
    let plugin = Plugin::builder()
        .with_archive("/data", archive.clone())
        .build(&module(true))
        .unwrap();
    let mut stdout = SharedBuffer::default();
    let code = within(plugin.run_command(wasmi_hdk::CommandIo::new(
        &b""[..],
        stdout.clone(),
        std::io::sink(),
    )))
    .await
    .unwrap();
    assert_eq!((code, stdout.take()), (0, b"hello from a".to_vec()));

    let error = Plugin::builder()
        .with_archive("/data", archive)
        .build(&module(false))
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Initializer, "{error}");
    assert!(
        error.to_string().contains("left descriptor 4 open"),
        "{error}"
    );
}

/// Bytes written to it, shared with the test.
#[derive(Clone, Default)]
pub(crate) struct SharedBuffer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl SharedBuffer {
    pub(crate) fn take(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.0.lock().unwrap())
    }
}

impl Write for SharedBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
