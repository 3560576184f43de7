//! Embeds the plugin's JavaScript: `plugin.js`, or the file named by `PLUGIN_JS`.
use std::{env, path::PathBuf};

fn main() {
    println!("cargo:rerun-if-env-changed=PLUGIN_JS");
    let script = match env::var_os("PLUGIN_JS") {
        Some(path) => PathBuf::from(path),
        None => PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap()).join("plugin.js"),
    };
    let script = script
        .canonicalize()
        .unwrap_or_else(|e| panic!("{}: {e}", script.display()));
    println!("cargo:rerun-if-changed={}", script.display());
    println!("cargo:rustc-env=PLUGIN_JS_PATH={}", script.display());
    // The name stack traces give the script.
    let name = script.file_name().unwrap_or_default().to_string_lossy();
    println!("cargo:rustc-env=PLUGIN_JS_NAME={name}");
    // A small stack, as for the Rust plugins (QuickJS's C code shares it).
    if env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-arg-bins=-zstack-size=262144");
    }
}
