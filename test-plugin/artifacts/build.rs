//! Compiles the `test-plugin` package's binaries for `wasm32-wasip1` and
//! copies the `.wasm` files into `OUT_DIR`, where `src/lib.rs` embeds them.
//!
//! The build runs a nested `cargo build -p test-plugin --bins --target
//! wasm32-wasip1 --profile plugin` on this workspace. Its target directory is
//! `<outer target dir>/plugins`: outside the directories the outer cargo has
//! locked (so the two never wait for each other), yet shared by every outer
//! profile and tool (build, test, clippy), so the plugins are compiled once.
//! Nothing is written into the source tree.

use std::{
    env,
    ffi::OsString,
    fs,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

/// The target the plugins run on.
const WASM_TARGET: &str = "wasm32-wasip1";
/// The workspace's profile for plugins (see the root `Cargo.toml`).
const PLUGIN_PROFILE: &str = "plugin";
/// The package whose binaries are built.
const PLUGIN_PACKAGE: &str = "test-plugin";
/// Its binaries; each becomes `<name>.wasm` in `OUT_DIR`.
const PLUGIN_BINS: [&str; 6] = [
    "test-plugin",
    "misbehaving-plugin",
    "event-plugin",
    "framework-plugin",
    "files-plugin",
    "preinit-plugin",
];

/// Variables cargo sets for a build script (or a user for the outer build)
/// that would misdirect a nested cargo: flags and wrappers meant for the
/// host target, the outer target, target dir, profile and compiler.
const SCRUBBED_VARS: &[&str] = &[
    "RUSTFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "RUSTC_WORKSPACE_WRAPPER",
    "RUSTC_WRAPPER",
    "CARGO_BUILD_TARGET",
    "CARGO_TARGET_DIR",
    "CARGO_PRIMARY_PACKAGE",
    "OUT_DIR",
    "TARGET",
    "HOST",
    "PROFILE",
    "OPT_LEVEL",
    "DEBUG",
    "NUM_JOBS",
    "RUSTC",
    "RUSTDOC",
    "RUSTC_LINKER",
];

/// Prefixes of the per-package variables cargo sets for a build script.
const SCRUBBED_PREFIXES: &[&str] = &[
    "CARGO_CFG_",
    "CARGO_FEATURE_",
    "CARGO_PKG_",
    "CARGO_MANIFEST_",
];

fn main() {
    let manifest_dir = PathBuf::from(env_var("CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(env_var("OUT_DIR"));
    // This crate lives at `<workspace>/test-plugin/artifacts`.
    let plugin_dir = manifest_dir
        .parent()
        .expect("test-plugin-artifacts lives inside test-plugin/");
    let workspace = plugin_dir
        .parent()
        .expect("test-plugin/ lives inside the workspace root");

    for path in [
        manifest_dir.join("build.rs"),
        plugin_dir.join("src"),
        plugin_dir.join("Cargo.toml"),
        plugin_dir.join("build.rs"),
        workspace.join("wasmi-pdk/src"),
        workspace.join("wasmi-plugin-protocol/src"),
        workspace.join("wasmi-plugin-protocol/Cargo.toml"),
        workspace.join("wasmi-pdk/Cargo.toml"),
        workspace.join("Cargo.toml"),
        workspace.join("Cargo.lock"),
    ] {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    println!("cargo:rerun-if-env-changed=CARGO_TARGET_DIR");

    let target_dir = outer_target_dir(&out_dir).join("plugins");
    build_plugins(workspace, &target_dir);

    let built = target_dir.join(WASM_TARGET).join(PLUGIN_PROFILE);
    for bin in PLUGIN_BINS {
        let from = built.join(format!("{bin}.wasm"));
        let to = out_dir.join(format!("{bin}.wasm"));
        if let Err(e) = fs::copy(&from, &to) {
            panic!("cannot copy {} to {}: {e}", from.display(), to.display());
        }
    }
}

/// Runs the nested `cargo build` of the plugins into `target_dir`.
///
/// Panics with the nested cargo's stderr if the build fails.
fn build_plugins(workspace: &Path, target_dir: &Path) {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let mut cmd = Command::new(&cargo);
    cmd.arg("build")
        .arg("--manifest-path")
        .arg(workspace.join("Cargo.toml"))
        .args(["--package", PLUGIN_PACKAGE, "--bins"])
        .args(["--target", WASM_TARGET, "--profile", PLUGIN_PROFILE])
        .arg("--target-dir")
        .arg(target_dir)
        .current_dir(workspace)
        .stdin(Stdio::null());
    // PATH, HOME, CARGO_HOME, RUSTUP_* and the jobserver (CARGO_MAKEFLAGS,
    // MAKEFLAGS) stay, so the nested build uses the same toolchain and shares
    // the outer build's job slots.
    for (key, _) in env::vars_os() {
        let Some(name) = key.to_str() else { continue };
        if SCRUBBED_VARS.contains(&name) || SCRUBBED_PREFIXES.iter().any(|p| name.starts_with(p)) {
            cmd.env_remove(&key);
        }
    }

    let output = match cmd.output() {
        Ok(output) => output,
        Err(e) => panic!(
            "cannot run {} to build the test plugins: {e}",
            Path::new(&cargo).display()
        ),
    };
    if !output.status.success() {
        panic!(
            "building the test plugins for {WASM_TARGET} failed ({status}).\n\
             If the target is missing, install it with: rustup target add {WASM_TARGET}\n\
             command: {command}\n\
             --- stderr of the nested cargo ---\n{stderr}",
            status = output.status,
            command = describe(&cmd),
            stderr = String::from_utf8_lossy(&output.stderr),
        );
    }
}

/// `cmd` as a shell-like line, without the environment changes that
/// `Command`'s `Debug` would list.
fn describe(cmd: &Command) -> String {
    let mut line = Path::new(cmd.get_program()).display().to_string();
    for arg in cmd.get_args() {
        line.push(' ');
        line.push_str(&arg.to_string_lossy());
    }
    line
}

/// The outer build's target directory.
///
/// An absolute `CARGO_TARGET_DIR` wins (a relative one is relative to where
/// cargo was started, which a build script cannot know). Otherwise it is
/// derived from `OUT_DIR`, which is
/// `<target>[/<triple>]/<profile>/build/<package>-<hash>/out`. If `OUT_DIR`
/// does not have that shape, `OUT_DIR` itself is used: the plugins are then
/// not shared between profiles, but the build still works.
fn outer_target_dir(out_dir: &Path) -> PathBuf {
    if let Some(dir) = env::var_os("CARGO_TARGET_DIR").map(PathBuf::from)
        && dir.is_absolute()
    {
        return dir;
    }
    let derived = (|| {
        let build = out_dir.parent()?.parent()?;
        if build.file_name()? != "build" {
            return None;
        }
        let profile_parent = build.parent()?.parent()?;
        // With `--target <triple>` the profile sits under a directory named
        // after the triple.
        let triple = env::var_os("TARGET")?;
        if profile_parent.file_name()? == triple.as_os_str() {
            profile_parent.parent().map(Path::to_path_buf)
        } else {
            Some(profile_parent.to_path_buf())
        }
    })();
    derived.unwrap_or_else(|| out_dir.to_path_buf())
}

/// A variable cargo always sets for build scripts.
fn env_var(name: &str) -> OsString {
    env::var_os(name).unwrap_or_else(|| panic!("cargo did not set {name}"))
}
