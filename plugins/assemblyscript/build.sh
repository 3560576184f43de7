#!/usr/bin/env bash
# Builds the AssemblyScript plugin: plugins/assemblyscript/build.sh [OUT_DIR] -> OUT_DIR/assemblyscript.wasm
# Needs Node and npm; installs the compiler and the WASI shim from package-lock.json.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/../../target/plugins/lang}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
cd "$here"
[ -x node_modules/.bin/asc ] || npm ci --no-audit --no-fund
node_modules/.bin/asc assembly/index.ts --config asconfig.json -o "$out/assemblyscript.wasm"
