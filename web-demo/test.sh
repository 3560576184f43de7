#!/usr/bin/env bash
# The browser test suites of the web demo, from a fresh Debian machine (run as
# root), in each browser engine of WEB_ENGINES (default: chromium firefox
# webkit). Installs what is missing (Debian's chromium + chromedriver,
# firefox-esr, webkit2gtk-driver + xvfb; the wasm32 target; wasm-bindgen-cli of
# the exact version in Cargo.lock; playwright-core and puppeteer-core), then
#   1. lints the browser code (wasm32),
#   2. runs the hdk + JS API tests (wasm-bindgen-test, web-demo/tests/browser.rs; Chromium also runs tests/store.rs and tests/js_store.rs)
#      in each engine: Chromium through wasm-bindgen-test-runner's chromedriver
#      mode; Firefox and WebKit on the runner's served test page
#      (`NO_HEADLESS=1`), driven by web-demo/e2e/wbg-tests.mjs,
#   3. builds the demo page and runs its end-to-end tests in each engine:
#      web-demo/e2e/demo.mjs (saving a screenshot per engine under the target
#      dir) and web-demo/e2e/store-reload.mjs (a plugin's count in IndexedDB
#      read back after a page reload).
# Every engine runs even if one fails; exits non-zero if any failed.
# Idempotent: installed pieces are skipped.
#
#   web-demo/test.sh                          # all three engines
#   WEB_ENGINES="chromium" web-demo/test.sh   # one or more of: chromium firefox webkit
set -euo pipefail
cd "$(dirname "$0")/.."
WEB_ENGINES="${WEB_ENGINES:-chromium firefox webkit}"
has_engine() { [[ " $WEB_ENGINES " == *" $1 "* ]]; }
failures=()

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
if has_engine firefox; then
    command -v firefox-esr >/dev/null || missing+=(firefox-esr)
fi
if has_engine webkit; then
    command -v WebKitWebDriver >/dev/null || missing+=(webkit2gtk-driver)
    command -v Xvfb >/dev/null || missing+=(xvfb)
fi
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
if has_engine firefox; then firefox-esr --version; fi
if has_engine webkit; then dpkg-query -W -f='webkit2gtk-driver ${Version}\n' webkit2gtk-driver; fi

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

# playwright-core and puppeteer-core from npm (neither downloads a browser);
# node_modules is not committed.
for package in playwright-core puppeteer-core; do
    lock_version="$(node -p "require('./web-demo/package-lock.json').packages['node_modules/$package'].version")"
    installed_version="$(node -p "try { require('./web-demo/node_modules/$package/package.json').version } catch { '' }")"
    if [ "$lock_version" != "$installed_version" ]; then
        (cd web-demo && npm ci --no-audit --no-fund)
    fi
    echo "$package $lock_version"
done

step "lint (wasm32-unknown-unknown)"
cargo clippy -p wasmi-hdk --target wasm32-unknown-unknown --lib -- -D warnings
cargo clippy -p wasmi-web --target wasm32-unknown-unknown --lib --tests -- -D warnings

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
wait_for_port() {
    for _ in $(seq 900); do
        if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$1/', timeout=1)" 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    echo "nothing answers on port $1" >&2
    return 1
}
# Runs "$@" as one engine's part, timed; a failure is recorded, not fatal.
part() {
    local name="$1" started=$SECONDS
    shift
    step "$name"
    if "$@"; then
        echo "$name: passed in $((SECONDS - started)) s"
    else
        echo "$name: FAILED after $((SECONDS - started)) s"
        failures+=("$name")
    fi
}
servers=()
trap 'for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done' EXIT

export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-300}"
step "build the browser tests"
test_wasm="$(cargo test -p wasmi-web --target wasm32-unknown-unknown --no-run --message-format=json \
    | python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "browser" and m.get("executable"):
        print(m["executable"])')"
echo "$test_wasm"

chromium_tests() {
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
        cargo test -p wasmi-web --target wasm32-unknown-unknown
}
# For the engines it cannot drive, the runner serves the suite's page (which
# runs every test on load) until killed: one server for all of them.
test_page=""
served_tests() {
    if [ -z "$test_page" ]; then
        local port
        port="$(free_port)"
        NO_HEADLESS=1 WASM_BINDGEN_TEST_ADDRESS="127.0.0.1:$port" \
            wasm-bindgen-test-runner "$test_wasm" >/dev/null 2>&1 &
        servers+=($!)
        wait_for_port "$port" || return 1
        test_page="http://127.0.0.1:$port/"
    fi
    node web-demo/e2e/wbg-tests.mjs "$1" "$test_page"
}
if has_engine chromium; then part "browser tests: chromium (wasm-bindgen-test-runner + chromedriver)" chromium_tests; fi
if has_engine firefox; then part "browser tests: firefox (served test page, puppeteer-core over WebDriver BiDi)" served_tests firefox; fi
if has_engine webkit; then part "browser tests: webkit (served test page, WebKitWebDriver on Xvfb)" served_tests webkit; fi

step "demo page"
./web-demo/build.sh

port="$(free_port)"
python3 -m http.server "$port" --bind 127.0.0.1 --directory web-demo/www >/dev/null 2>&1 &
servers+=($!)
wait_for_port "$port"
for engine in $WEB_ENGINES; do
    part "end-to-end test of the demo page: $engine" \
        node web-demo/e2e/demo.mjs "$engine" "http://127.0.0.1:$port/" "$target_dir/web-demo/demo-$engine.png"
    part "state through a page reload (IndexedDB store): $engine" \
        node web-demo/e2e/store-reload.mjs "$engine" "http://127.0.0.1:$port/"
done

if [ "${#failures[@]}" -gt 0 ]; then
    printf '\nweb-demo: failed: %s\n' "${failures[@]}" >&2
    exit 1
fi
