#!/usr/bin/env bash
# Builds the JavaScript plugin: plugins/javascript/build.sh [OUT_DIR [NAME]] -> OUT_DIR/NAME.wasm
# (NAME defaults to javascript)
# QuickJS (rquickjs) compiled to wasm32-wasip1 with the plugin's script embedded:
# plugin.js, or PLUGIN_JS=/path/to/your.js. Needs rustup's wasm32-wasip1 target
# and Debian's clang, llvm-ar and wasi-libc, which rquickjs-sys finds through a
# wasi-sdk-shaped directory of symlinks (WASI_SDK); without it, it would try to
# download wasi-sdk.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$root/target/plugins/lang}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
name="${2:-javascript}"
cache="$root/target/plugins/cache"

if [ -z "${WASI_SDK:-}" ]; then
    WASI_SDK="$cache/wasi-sdk-shim"
    mkdir -p "$WASI_SDK/bin"
    ln -sfn "$(command -v clang)" "$WASI_SDK/bin/clang"
    ln -sfn "$(command -v llvm-ar || command -v llvm-ar-14)" "$WASI_SDK/bin/ar"
    for dir in include lib; do
        mkdir -p "$WASI_SDK/share/wasi-sysroot/$dir"
        for triple in wasm32-wasi wasm32-wasip1; do
            ln -sfn "/usr/$dir/wasm32-wasi" "$WASI_SDK/share/wasi-sysroot/$dir/$triple"
        done
    done
fi
export WASI_SDK

# A target dir per NAME: switching scripts in one would rebuild each time.
CARGO_TARGET_DIR="$cache/$name" cargo build --release --quiet \
    --manifest-path "$here/Cargo.toml" --target wasm32-wasip1
cp "$cache/$name/wasm32-wasip1/release/js-plugin.wasm" "$out/$name.wasm"
