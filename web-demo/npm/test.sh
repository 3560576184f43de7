#!/usr/bin/env bash
# The npm package `wasmi-plugins`, tested as its users get it: packs it
# (web-demo/npm/pack.sh), then installs the TARBALL (never a path link) into
#   1. a fresh Node.js project: tests/node.test.mjs (node:test) imports it,
#      loads plugins from disk, calls them, host methods, error kinds, files;
#   2. a copy of fixtures/vite-app: `tsc --noEmit && vite build` (the types
#      are checked, the package is bundled);
#   3. a copy of fixtures/plain: a page without a bundler (an import map);
# and drives both built pages, served statically, in Chromium
# (tests/pages.test.mjs; NPM_ENGINES="chromium firefox webkit" for more).
# Every part runs even if one fails; exits non-zero if any failed.
#
# Installs what is missing (Debian's chromium, node and npm; the wasm32
# targets; wasm-bindgen-cli; web-demo's playwright-core; binaryen, vite and
# typescript from their lockfiles). npm downloads are cached in
# ~/.cache/npm (npm_config_cache). Work files: $CARGO_TARGET_DIR/npm/.
#
#   web-demo/npm/test.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."
export npm_config_cache="${npm_config_cache:-$HOME/.cache/npm}"
NPM_ENGINES="${NPM_ENGINES:-chromium}"
failures=()

step() { printf '\n==> %s\n' "$*"; }
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
case "$target_dir" in /*) ;; *) target_dir="$PWD/$target_dir" ;; esac
work="$target_dir/npm/work"

step "tools"
rustup target add wasm32-wasip1 # the test plugins
missing=()
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
command -v chromium >/dev/null || missing+=(chromium)
command -v tar >/dev/null || missing+=(tar)
if [ "${#missing[@]}" -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y "${missing[@]}" || apt-get install -y "${missing[@]}"
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 20 ]; then
    echo "Node.js $(node --version) is older than the package's engines (>= 20)" >&2
    exit 1
fi
echo "node $(node --version), npm $(npm --version)"
# The browser driver (web-demo/e2e/engines.mjs) uses web-demo's playwright-core.
lock_version="$(node -p "require('./web-demo/package-lock.json').packages['node_modules/playwright-core'].version")"
installed_version="$(node -p "try { require('./web-demo/node_modules/playwright-core/package.json').version } catch { '' }")"
if [ "$lock_version" != "$installed_version" ]; then
    (cd web-demo && npm ci --no-audit --no-fund)
fi

# Runs "$@" as one part, timed; a failure is recorded, not fatal.
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

step "pack"
started=$SECONDS
tarball="$(web-demo/npm/pack.sh | tail -n 1)"
echo "pack: $tarball in $((SECONDS - started)) s"

step "test plugins (wasm32-wasip1, plugin profile)"
cargo build -p test-plugin --bins --target wasm32-wasip1 --profile plugin
plugins="$target_dir/wasm32-wasip1/plugin"

rm -rf "$work"
mkdir -p "$work"

node_tests() {
    WASMI_PLUGINS_TARBALL="$tarball" TEST_PLUGINS_DIR="$plugins" \
        node --test web-demo/npm/tests/node.test.mjs
}

# A copy of a fixture (without anything installed or built in place).
fixture() {
    cp -R "web-demo/npm/fixtures/$1" "$work/$1"
    rm -rf "$work/$1/node_modules" "$work/$1/dist"
}

vite_app() {
    fixture vite-app
    (
        cd "$work/vite-app"
        npm ci --no-audit --no-fund
        npm install --no-audit --no-fund "$tarball"
        mkdir -p public
        cp "$plugins/test-plugin.wasm" public/
        npm run build
    ) || return 1
    # The host's .wasm became one of the app's assets.
    compgen -G "$work/vite-app/dist/assets/wasmi_plugins_bg-*.wasm" >/dev/null
}

plain_page() {
    fixture plain
    (
        cd "$work/plain"
        npm install --no-audit --no-fund "$tarball"
        cp "$plugins/test-plugin.wasm" .
    )
}

pages() {
    NPM_PAGES="vite-app=$work/vite-app/dist plain=$work/plain" NPM_ENGINES="$NPM_ENGINES" \
        node --test web-demo/npm/tests/pages.test.mjs
}

part "Node.js: the tarball in a fresh project (node:test)" node_tests
part "Vite app: install the tarball, tsc, vite build" vite_app
part "page without a bundler: install the tarball" plain_page
part "the built pages in $NPM_ENGINES" pages

if [ "${#failures[@]}" -gt 0 ]; then
    printf '\nnpm package: failed: %s\n' "${failures[@]}" >&2
    exit 1
fi
