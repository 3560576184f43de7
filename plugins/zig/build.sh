#!/usr/bin/env bash
# Builds the Zig plugin: plugins/zig/build.sh [OUT_DIR] -> OUT_DIR/zig.wasm
# Needs Zig 0.17 as `zig` on PATH, or ZIG="python3 -m ziglang" (PyPI's ziglang).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/../../target/plugins/lang}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
# Zig keeps a cache in the current directory unless told: keep it under target/.
export ZIG_LOCAL_CACHE_DIR="${ZIG_LOCAL_CACHE_DIR:-$here/../../target/plugins/cache/zig}"
# Zig reserves a 16 MiB stack by default, and instantiation zero-fills it: 256 KiB is plenty.
${ZIG:-zig} build-exe -target wasm32-wasi -O ReleaseSmall -fstrip --stack 262144 \
    "$here/plugin.zig" -femit-bin="$out/zig.wasm"
