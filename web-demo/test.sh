#!/usr/bin/env bash
# The browser test suites of the web demo, from a fresh Debian machine (run as
# root): installs what is missing (Chromium + chromedriver, the wasm32 target,
# wasm-bindgen-cli of the exact version in Cargo.lock, playwright-core), then
#   1. lints the browser code (wasm32),
#   2. runs the hdk + JS API tests in headless Chromium (wasm-bindgen-test),
#   3. builds the demo page and runs its end-to-end test with Playwright,
#      saving a screenshot under the target dir.
# Exits non-zero on any failure. Idempotent: installed pieces are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
case "$target_dir" in /*) ;; *) target_dir="$PWD/$target_dir" ;; esac

step "toolchain"
# One target per command: a failing target must not hide the others.
rustup target add wasm32-unknown-unknown
rustup target add wasm32-wasip1 # the test plugins

step "browser and tools"
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
command -v python3 >/dev/null || missing+=(python3)
if [ "${#missing[@]}" -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    # A concurrent apt run can break the first try (the image's docker-clean
    # hook deletes downloaded .debs under it): try once more.
    apt-get install -y "${missing[@]}" || apt-get install -y "${missing[@]}"
fi
chromium --version 2>/dev/null | head -1

# The CLI must be exactly the wasm-bindgen version in Cargo.lock (the crate is pinned with `=`).
cargo metadata --format-version 1 >/dev/null # make sure Cargo.lock is complete
want="$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
have="$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)"
if [ -z "$want" ]; then
    echo "wasm-bindgen not found in Cargo.lock" >&2
    exit 1
fi
if [ "$have" != "$want" ] || ! command -v wasm-bindgen-test-runner >/dev/null; then
    # Not --locked: the CLI's lockfile names a crate version the registry mirror lacks.
    cargo install wasm-bindgen-cli --version "$want"
fi
echo "wasm-bindgen $want"

# playwright-core from npm (it never downloads a browser); node_modules is not committed.
lock_version="$(node -p 'require("./web-demo/package-lock.json").packages["node_modules/playwright-core"].version')"
installed_version="$(node -p 'try { require("./web-demo/node_modules/playwright-core/package.json").version } catch { "" }')"
if [ "$lock_version" != "$installed_version" ]; then
    (cd web-demo && npm ci --no-audit --no-fund)
fi
echo "playwright-core $lock_version"

step "lint (wasm32-unknown-unknown)"
cargo clippy -p wasmi-hdk --target wasm32-unknown-unknown --lib -- -D warnings
cargo clippy -p wasmi-web --target wasm32-unknown-unknown --lib --tests -- -D warnings

step "browser tests (wasm-bindgen-test in headless Chromium)"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-300}" \
    cargo test -p wasmi-web --target wasm32-unknown-unknown

step "demo page"
./web-demo/build.sh

step "end-to-end test of the demo page (Playwright + Chromium)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
server_log="$(mktemp)"
python3 -m http.server "$port" --bind 127.0.0.1 --directory web-demo/www >"$server_log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -f "$server_log"' EXIT
for _ in $(seq 100); do
    if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/', timeout=1)" 2>/dev/null; then
        break
    fi
    sleep 0.1
done
node web-demo/e2e/demo.mjs "http://127.0.0.1:$port/" "$target_dir/web-demo/demo.png"
