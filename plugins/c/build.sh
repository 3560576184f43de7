#!/usr/bin/env bash
# Builds the C plugin: plugins/c/build.sh [OUT_DIR] -> OUT_DIR/c.wasm
# Needs Debian's clang, lld, wasi-libc and libclang-rt-dev-wasm32 (no --sysroot:
# clang finds wasi-libc in /usr/include/wasm32-wasi and /usr/lib/wasm32-wasi).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$(mkdir -p "${1:-$here/../../target/plugins/lang}" && cd "${1:-$here/../../target/plugins/lang}" && pwd)"
clang --target=wasm32-wasi -Os -s -std=gnu11 -Wall -Wextra -Werror \
    -Wl,-z,stack-size=65536 \
    -o "$out/c.wasm" "$here/plugin.c" "$here/json.c"
