//! `files-plugin`: a plugin that uses the filesystem through Rust's
//! `std::fs`, as ordinary programs do, for the tests of preopened
//! directories (read-only trees, scratch directories) natively and in the
//! browser. It is apart from `test-plugin` so that the per-call cost of a
//! plugin that uses no files is measured on a module without file code.
//!
//! | method      | params                             | result                                  |
//! |-------------|------------------------------------|-----------------------------------------|
//! | `read`      | `{"path"}`                         | the file's text                         |
//! | `read_len`  | `{"path"}`                         | its length, read in 64 KiB chunks       |
//! | `read_at`   | `{"path", "offset", "len"}`        | `len` bytes from `offset` (seek), as text |
//! | `list`      | `{"path"}`                         | the directory's entry names, sorted     |
//! | `stat`      | `{"path"}`                         | `{"kind": "file"/"dir"/"symlink", "len"}` |
//! | `write`     | `{"path", "text"}`                 | `null`, after creating/replacing the file |
//! | `append`    | `{"path", "text"}`                 | the file's length after appending       |
//! | `remove`    | `{"path"}`                         | `null`, after removing the file or empty directory |
//! | `mkdir`     | `{"path"}`                         | `null`                                  |
//! | `open_many` | `{"path", "n"}`                    | how many opens of `path` succeeded (all kept open) before the first failure, and that failure |
//!
//! A failed operation answers `-32000` with `data: {"kind", "errno"}`: the
//! `std::io::ErrorKind` and the raw WASI errno.

use std::{
    fs,
    io::{Read, Seek, SeekFrom, Write},
};

use serde::Deserialize;
use serde_json::{Value, json};
use wasmi_pdk::{Router, RpcError};
// The package's other dependencies serve its other binaries.
use {futures as _, getrandom as _, schemars as _, test_plugin as _};

#[derive(Deserialize)]
struct PathParams {
    path: String,
}

#[derive(Deserialize)]
struct ReadAtParams {
    path: String,
    offset: u64,
    len: usize,
}

#[derive(Deserialize)]
struct WriteParams {
    path: String,
    text: String,
}

#[derive(Deserialize)]
struct OpenManyParams {
    path: String,
    n: usize,
}

fn main() {
    wasmi_pdk::serve(
        Router::new()
            .with_method("read", |_ctx, p: PathParams| async move {
                fs::read_to_string(&p.path).map_err(io_error)
            })
            .with_method("read_len", |_ctx, p: PathParams| async move {
                read_len(&p.path).map_err(io_error)
            })
            .with_method("read_at", |_ctx, p: ReadAtParams| async move {
                read_at(&p).map_err(io_error)
            })
            .with_method("list", |_ctx, p: PathParams| async move {
                list(&p.path).map_err(io_error)
            })
            .with_method("stat", |_ctx, p: PathParams| async move {
                let meta = fs::symlink_metadata(&p.path).map_err(io_error)?;
                let kind = if meta.is_dir() {
                    "dir"
                } else if meta.is_symlink() {
                    "symlink"
                } else {
                    "file"
                };
                Ok::<_, RpcError>(json!({"kind": kind, "len": meta.len()}))
            })
            .with_method("write", |_ctx, p: WriteParams| async move {
                fs::write(&p.path, p.text).map_err(io_error)
            })
            .with_method("append", |_ctx, p: WriteParams| async move {
                append(&p).map_err(io_error)
            })
            .with_method("remove", |_ctx, p: PathParams| async move {
                match fs::symlink_metadata(&p.path).map_err(io_error)?.is_dir() {
                    true => fs::remove_dir(&p.path).map_err(io_error),
                    false => fs::remove_file(&p.path).map_err(io_error),
                }
            })
            .with_method("mkdir", |_ctx, p: PathParams| async move {
                fs::create_dir(&p.path).map_err(io_error)
            })
            .with_method("open_many", |_ctx, p: OpenManyParams| async move {
                Ok::<_, RpcError>(open_many(&p))
            }),
    );
}

fn read_len(path: &str) -> std::io::Result<u64> {
    let mut file = fs::File::open(path)?;
    let mut chunk = vec![0; 64 << 10];
    let mut total = 0;
    loop {
        match file.read(&mut chunk)? {
            0 => return Ok(total),
            n => total += n as u64,
        }
    }
}

fn read_at(p: &ReadAtParams) -> std::io::Result<String> {
    let mut file = fs::File::open(&p.path)?;
    file.seek(SeekFrom::Start(p.offset))?;
    let mut bytes = vec![0; p.len];
    let n = file.read(&mut bytes)?;
    bytes.truncate(n);
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn list(path: &str) -> std::io::Result<Vec<String>> {
    let mut names = fs::read_dir(path)?
        .map(|entry| entry.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<std::io::Result<Vec<_>>>()?;
    names.sort();
    Ok(names)
}

fn append(p: &WriteParams) -> std::io::Result<u64> {
    let mut file = fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&p.path)?;
    file.write_all(p.text.as_bytes())?;
    Ok(file.metadata()?.len())
}

fn open_many(p: &OpenManyParams) -> Value {
    let mut open = Vec::new();
    for _ in 0..p.n {
        match fs::File::open(&p.path) {
            Ok(file) => open.push(file),
            Err(error) => return json!({"opened": open.len(), "error": error_data(&error)}),
        }
    }
    json!({"opened": open.len(), "error": null})
}

fn io_error(error: std::io::Error) -> RpcError {
    RpcError::new(-32000, error.to_string()).with_data(error_data(&error))
}

fn error_data(error: &std::io::Error) -> Value {
    json!({"kind": format!("{:?}", error.kind()), "errno": error.raw_os_error()})
}
