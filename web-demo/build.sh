#!/usr/bin/env bash
# Builds the demo page's package: the wasmi-web crate for wasm32-unknown-unknown
# (release: the workspace profile, LTO), then wasm-bindgen's ES module glue into
# web-demo/www/pkg (a build output, not committed).
#
# Needs the target and a wasm-bindgen CLI of the crate's exact version;
# web-demo/test.sh installs both. Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
case "$target_dir" in /*) ;; *) target_dir="$PWD/$target_dir" ;; esac

cargo build --release --target wasm32-unknown-unknown -p wasmi-web --lib
wasm-bindgen --target web --out-dir web-demo/www/pkg \
    "$target_dir/wasm32-unknown-unknown/release/wasmi_web.wasm"

wasm="web-demo/www/pkg/wasmi_web_bg.wasm"
printf 'built %s: %s bytes, %s bytes gzipped\n' "$wasm" \
    "$(wc -c < "$wasm" | tr -d ' ')" "$(gzip -9 -c "$wasm" | wc -c | tr -d ' ')"
