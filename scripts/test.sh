#!/usr/bin/env bash
# Everything CI checks, from a fresh machine: installs what is missing, then
# formatting, lints (host and wasm32-wasip1), docs, every test, and the
# browser, mobile, other-language and fuzzing suites.
#
# Parts can be skipped for a quick local run, e.g. `SKIP="web mobile" ./scripts/test.sh`
# (parts: book languages web npm packages mobile fuzz soak arm; within web, the engines
# chromium firefox webkit: `SKIP="firefox webkit"` runs the browser suites in
# Chromium only). README's platform table says what each part costs.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }
skipped() { [[ " ${SKIP:-} " == *" $1 "* ]]; }

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

# The browser engines the web part runs in.
engines=""
for engine in chromium firefox webkit; do
    skipped "$engine" || engines="$engines $engine"
done
export WEB_ENGINES="${engines# }"
if [ -z "$WEB_ENGINES" ]; then SKIP="${SKIP:-} web"; fi

# npm: the npm package of the web host, packed and installed as a tarball
# (Node.js, a Vite app and a page without a bundler; Chromium). packages:
# the crates as crates.io gets them, each built on its own.
for part in book:scripts/book.sh languages:plugins/test.sh web:web-demo/test.sh npm:web-demo/npm/test.sh \
            packages:scripts/package-check.sh mobile:mobile-demo/test.sh \
            fuzz:fuzz/smoke.sh soak:tests/soak.sh arm:scripts/cross.sh; do
    name=${part%%:*} script=${part#*:}
    if skipped "$name"; then
        step "$name: skipped (SKIP)"
    elif [[ -f $script ]]; then
        step "$name ($script)"
        started=$SECONDS
        bash "$script"
        echo "$name: $((SECONDS - started)) s"
    fi
done
