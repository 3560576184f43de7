#!/usr/bin/env bash
# Builds every fuzz target and runs each briefly (CI's smoke test of the
# fuzzers; see README.md for real fuzzing runs).
#
#   fuzz/smoke.sh                  # each target for 20 s
#   FUZZ_SECONDS=180 fuzz/smoke.sh # each target for 3 min
#
# Needs nightly Rust (cargo-fuzz uses sanitizers): installs it and
# cargo-fuzz only if missing, and fails loudly if nightly is unavailable.
set -euo pipefail
cd "$(dirname "$0")"

seconds="${FUZZ_SECONDS:-20}"
targets=(protocol_parse params_decode pdk_serve host_stdout wasi_pointers vfs_archive vfs_resolve)

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    echo "==> installing nightly Rust (missing)"
    if ! rustup toolchain install nightly --profile minimal; then
        echo "error: nightly Rust is unavailable; cargo fuzz cannot run without it" >&2
        exit 1
    fi
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "==> installing cargo-fuzz (missing)"
    cargo install cargo-fuzz --locked
fi

echo "==> building ${#targets[@]} fuzz targets"
cargo +nightly fuzz build

for target in "${targets[@]}"; do
    echo "==> fuzzing $target for ${seconds}s"
    mkdir -p "corpus/$target" "seeds/$target"
    cargo +nightly fuzz run "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$seconds" -print_final_stats=1
done
echo "==> all ${#targets[@]} fuzz targets ran ${seconds}s each without a finding"
