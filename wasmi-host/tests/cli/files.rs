//! Directories for plugins from the command line (`--dir`, `--archive`,
//! `--scratch`, `--max-open-files`) and from a manifest beside the plugin.

use super::util::{TempDir, TempFile, files_plugin, wasmi_host};

/// A tar archive of `files`.
fn tar_of(files: &[(&str, &str)]) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    for (path, data) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, path, data.as_bytes()).unwrap();
    }
    tar.into_inner().unwrap()
}

#[test]
fn dirs_archives_and_scratch_directories() {
    let data = TempDir::new("data");
    data.write("host.txt", "from a host dir");
    let archive = TempFile::new("assets.tar", &tar_of(&[("sub/a.txt", "from an archive")]));
    let (dir_flag, archive_flag) = (
        format!("/data={}", data.path()),
        format!("/assets={}", archive.path()),
    );
    let flags = [
        "--dir",
        &dir_flag,
        "--archive",
        &archive_flag,
        "--scratch",
        "/tmp=64K",
    ];
    let call = |method: &str, params: &str| {
        let mut args = vec!["call", "--plugin", files_plugin(), method, params];
        args.extend(flags);
        wasmi_host(&args)
    };
    assert_eq!(
        call("read", r#"{"path":"/data/host.txt"}"#)
            .expect_code(0)
            .stdout,
        "\"from a host dir\"\n"
    );
    assert_eq!(
        call("read", r#"{"path":"/assets/sub/a.txt"}"#)
            .expect_code(0)
            .stdout,
        "\"from an archive\"\n"
    );
    assert_eq!(
        call("append", r#"{"path":"/tmp/x","text":"abc"}"#)
            .expect_code(0)
            .stdout,
        "3\n"
    );
    // Read-only: the plugin answers its error (exit 1), the host dir is untouched.
    call("write", r#"{"path":"/data/host.txt","text":"x"}"#).expect_code(1);
    assert_eq!(
        std::fs::read_to_string(format!("{}/host.txt", data.path())).unwrap(),
        "from a host dir"
    );
}

#[test]
fn open_files_are_limited_by_a_flag() {
    let archive = TempFile::new("assets.tar", &tar_of(&[("a.txt", "a")]));
    let run = wasmi_host(&[
        "call",
        "--plugin",
        files_plugin(),
        "open_many",
        r#"{"path":"/a/a.txt","n":50}"#,
        "--archive",
        &format!("/a={}", archive.path()),
        "--max-open-files",
        "5",
    ])
    .expect_code(0);
    assert_eq!(run.json()["opened"], 4, "{run:#?}");
}

/// `NAME.toml` beside `NAME.wasm` is the plugin's manifest: its `[files]`
/// (relative to it), limits and env apply; flags still win.
#[test]
fn a_manifest_beside_the_plugin_applies() {
    let dir = TempDir::new("plugin");
    dir.write("greeter.wasm", std::fs::read(files_plugin()).unwrap());
    dir.write(
        "assets.tar",
        tar_of(&[("hello.txt", "hello from the manifest")]),
    );
    dir.write(
        "greeter.toml",
        "[files]\n\"/assets\" = { archive = \"assets.tar\" }\n[limits]\nmax_open_files = 3\n",
    );
    let plugin = format!("{}/greeter.wasm", dir.path());
    let run = wasmi_host(&[
        "call",
        "--plugin",
        &plugin,
        "read",
        r#"{"path":"/assets/hello.txt"}"#,
    ])
    .expect_code(0);
    assert_eq!(run.stdout, "\"hello from the manifest\"\n");
    let opened = |extra: &[&str]| {
        let mut args = vec![
            "call",
            "--plugin",
            &plugin,
            "open_many",
            r#"{"path":"/assets/hello.txt","n":50}"#,
        ];
        args.extend(extra);
        wasmi_host(&args).expect_code(0).json()["opened"].clone()
    };
    assert_eq!(opened(&[]), 2);
    assert_eq!(opened(&["--max-open-files", "6"]), 5);
    // A broken manifest stops the load, naming the file and field.
    dir.write(
        "greeter.toml",
        "[files]\n\"/x\" = { tarball = \"a.tar\" }\n",
    );
    wasmi_host(&["call", "--plugin", &plugin, "ping"])
        .expect_code(4)
        .expect_one_line_error("greeter.toml");
}

#[test]
fn bad_files_are_load_errors() {
    let not_archive = TempFile::new("x.tar", b"this is not an archive");
    wasmi_host(&[
        "call",
        "--plugin",
        files_plugin(),
        "ping",
        "--archive",
        &format!("/x={}", not_archive.path()),
    ])
    .expect_code(4)
    .expect_one_line_error("files at /x");
    wasmi_host(&[
        "call",
        "--plugin",
        files_plugin(),
        "ping",
        "--dir",
        "/x=/no/such/dir",
    ])
    .expect_code(4)
    .expect_one_line_error("/no/such/dir");
    wasmi_host(&[
        "call",
        "--plugin",
        files_plugin(),
        "ping",
        "--archive",
        "noequals",
    ])
    .expect_code(2);
    wasmi_host(&[
        "call",
        "--plugin",
        files_plugin(),
        "ping",
        "--scratch",
        "/tmp=lots",
    ])
    .expect_code(2);
    let dir = TempDir::new("plugins");
    wasmi_host(&["serve", "--plugins", dir.path(), "--dir", "/x=/tmp"]).expect_code(2);
}
