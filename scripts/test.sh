#!/usr/bin/env bash
# Everything CI checks, from a fresh machine: installs what is missing, then
# formatting, lints (host and wasm32-wasip1), docs and every test.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "toolchain"
rustup component add rustfmt clippy
# One target per command: a failing target must not hide the others.
rustup target add wasm32-wasip1

step "format"
cargo fmt --all -- --check

step "lint (host)"
cargo clippy --workspace --all-targets -- -D warnings

step "lint (plugins, wasm32-wasip1)"
cargo clippy -p wasmi-pdk -p test-plugin --target wasm32-wasip1 -- -D warnings

step "docs"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps

step "tests"
cargo test --workspace
