#!/usr/bin/env bash
# Builds the WAT plugin: plugins/wat/build.sh [OUT_DIR] -> OUT_DIR/wat.wasm
# Needs wabt's wat2wasm (Debian: apt-get install wabt).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/../../target/plugins/lang}"
mkdir -p "$out"
wat2wasm "$here/plugin.wat" -o "$out/wat.wasm"
