#!/usr/bin/env bash
# Builds a JavaScript or TypeScript plugin:
#   plugins/javascript/build.sh [OUT_DIR [NAME [SCRIPT]]] -> OUT_DIR/NAME.wasm
# NAME defaults to javascript, SCRIPT to $PLUGIN_JS or plugin.js (a relative
# path is taken from the current directory).
#
# The module is QuickJS (rquickjs) compiled to wasm32-wasip1 with the
# runner's kit and the script embedded. A TypeScript SCRIPT (.ts, .mts) is
# first type-checked with tsc against types/wasmi-plugin.d.ts (skip with
# PLUGIN_TSC=0) and bundled with the modules it imports into one script by
# esbuild; both come from npm, pinned by package-lock.json, installed under
# target/plugins/cache/js-tools (npm's cache: $PLUGIN_TOOLS/npm, default
# ~/.cache/wasmi-plugins/npm). A JavaScript SCRIPT is embedded as it is.
#
# Needs rustup's wasm32-wasip1 target and Debian's clang, llvm-ar and
# wasi-libc, which rquickjs-sys finds through a wasi-sdk-shaped directory
# of symlinks (WASI_SDK); without it, it would try to download wasi-sdk.
# TypeScript also needs node and npm.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$root/target/plugins/lang}"
name="${2:-javascript}"
script="${3:-${PLUGIN_JS:-$here/plugin.js}}"
[ -f "$script" ] || { echo "build.sh: no such script: $script" >&2; exit 1; }
script="$(cd "$(dirname "$script")" && pwd)/$(basename "$script")"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
cache="$root/target/plugins/cache"
tools="${PLUGIN_TOOLS:-$HOME/.cache/wasmi-plugins}"

case "$script" in
*.ts | *.mts)
    # esbuild and tsc, installed once per package-lock.json.
    js_tools="$cache/js-tools"
    if ! cmp -s "$here/package-lock.json" "$js_tools/package-lock.json" \
        || [ ! -x "$js_tools/node_modules/.bin/esbuild" ]; then
        command -v npm >/dev/null || { echo "build.sh: TypeScript needs node and npm" >&2; exit 1; }
        mkdir -p "$js_tools"
        cp "$here/package.json" "$here/package-lock.json" "$js_tools/"
        # esbuild's install script only speeds up its start: not needed.
        (cd "$js_tools" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error \
            --cache "$tools/npm" >/dev/null)
    fi
    if [ "${PLUGIN_TSC:-1}" != 0 ]; then
        "$js_tools/node_modules/.bin/tsc" --noEmit --strict --target es2023 --lib es2023 \
            --module esnext --moduleResolution bundler --types "" \
            "$script" "$here/types/wasmi-plugin.d.ts"
    fi
    # One script, as the runner evaluates it; rewritten only when it
    # changed, so that cargo does not rebuild the module for nothing.
    mkdir -p "$cache/bundles"
    bundle="$cache/bundles/$name.js"
    "$js_tools/node_modules/.bin/esbuild" "$script" --bundle --format=iife --target=es2023 \
        --log-level=warning --outfile="$bundle.new"
    if cmp -s "$bundle.new" "$bundle"; then rm "$bundle.new"; else mv "$bundle.new" "$bundle"; fi
    script="$bundle"
    ;;
esac

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
PLUGIN_JS="$script" CARGO_TARGET_DIR="$cache/$name" cargo build --release --quiet \
    --manifest-path "$here/Cargo.toml" --target wasm32-wasip1
cp "$cache/$name/wasm32-wasip1/release/js-plugin.wasm" "$out/$name.wasm"
