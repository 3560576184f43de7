#!/usr/bin/env bash
# Builds the npm package `wasmi-plugins` (the web host, wasmi-web) and packs it
# into a tarball:
#   1. the wasmi-web crate for wasm32-unknown-unknown in release (the
#      workspace profile: fat LTO), without the embedded test plugins;
#   2. wasm-bindgen `--target web` (the CLI of the crate's pinned version);
#   3. wasm-opt (binaryen) at WASM_OPT (default -Oz; `none` skips it);
#   4. the package's own files from web-demo/npm/ (entries, types, README);
#   5. `npm pack`.
# Prints the .wasm's raw and gzipped sizes before and after wasm-opt, and the
# tarball's path on the last line of stdout.
#
#   web-demo/npm/pack.sh                 # -> $CARGO_TARGET_DIR/npm/wasmi-plugins-<version>.tgz
#   WASM_OPT=-O3 web-demo/npm/pack.sh    # or -Oz, -Os, none
#   NPM_OUT=/tmp/out web-demo/npm/pack.sh
#
# Installs what is missing (the wasm32 target; wasm-bindgen-cli of the exact
# version in Cargo.lock; npm's binaryen of package-lock.json). Idempotent.
set -euo pipefail
export npm_config_cache="${npm_config_cache:-$HOME/.cache/npm}"
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."

target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
case "$target_dir" in /*) ;; *) target_dir="$PWD/$target_dir" ;; esac
out="${NPM_OUT:-$target_dir/npm}"
stage="$out/package"
wasm_opt_level="${WASM_OPT:--Oz}"

step() { printf '\n==> %s\n' "$*" >&2; }
sizes() { printf '%s bytes raw, %s bytes gzipped (-9)' "$(wc -c < "$1" | tr -d ' ')" "$(gzip -9 -c "$1" | wc -c | tr -d ' ')"; }

step "tools"
rustup target add wasm32-unknown-unknown >&2
cargo metadata --format-version 1 >/dev/null # make sure Cargo.lock is complete
want="$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
have="$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)"
if [ "$have" != "$want" ]; then
    # Not --locked: the CLI's lockfile names a crate version the registry mirror lacks.
    cargo install wasm-bindgen-cli --version "$want" >&2
fi
# wasm-opt: npm's binaryen at the version in package-lock.json (wasm-opt
# compiled to wasm, run by Node), unless WASM_OPT_BIN names another build.
# Debian 12's binaryen 108 is too old: its output fails to start
# ("WebAssembly.Table.set(): ... function-typed object", the externref table).
wasm_opt="${WASM_OPT_BIN:-$here/node_modules/.bin/wasm-opt}"
if [ "$wasm_opt_level" != none ] && [ -z "${WASM_OPT_BIN:-}" ]; then
    lock_version="$(node -p "require('$here/package-lock.json').packages['node_modules/binaryen'].version")"
    installed_version="$(node -p "try { require('$here/node_modules/binaryen/package.json').version } catch { '' }")"
    if [ "$lock_version" != "$installed_version" ]; then
        (cd "$here" && npm ci --no-audit --no-fund >&2)
    fi
fi
echo "wasm-bindgen $want; $(if [ "$wasm_opt_level" != none ]; then "$wasm_opt" --version; else echo 'no wasm-opt'; fi)" >&2

# The package's version is the crate's.
crate_version="$(cargo metadata --format-version 1 --no-deps \
    | node -e 'const m = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(m.packages.find((p) => p.name === "wasmi-web").version)')"
package_version="$(node -p "require('$here/package.json').version")"
if [ "$crate_version" != "$package_version" ]; then
    echo "web-demo/npm/package.json has version $package_version, the wasmi-web crate $crate_version" >&2
    exit 1
fi

step "build (release, wasm32-unknown-unknown, no test plugins)"
cargo build --release --target wasm32-unknown-unknown -p wasmi-web --lib --no-default-features >&2

step "wasm-bindgen --target web"
rm -rf "$stage"
mkdir -p "$stage"
wasm-bindgen --target web --out-name wasmi_plugins --out-dir "$stage" \
    "$target_dir/wasm32-unknown-unknown/release/wasmi_web.wasm" >&2
wasm="$stage/wasmi_plugins_bg.wasm"
if grep -q testPlugin "$stage/wasmi_plugins.d.ts"; then
    echo "the build embeds the test plugins (feature test-plugins): not for the package" >&2
    exit 1
fi
echo "wasm-bindgen output: $(sizes "$wasm")" >&2

if [ "$wasm_opt_level" != none ]; then
    step "wasm-opt $wasm_opt_level"
    started=$SECONDS
    # The features are read from the module's target_features section.
    "$wasm_opt" "$wasm_opt_level" "$wasm" -o "$wasm.opt"
    mv "$wasm.opt" "$wasm"
    echo "after wasm-opt $wasm_opt_level ($((SECONDS - started)) s): $(sizes "$wasm")" >&2
fi

step "package files"
cp "$here"/package.json "$here"/README.md "$here"/index.js "$here"/node.js "$here"/shared.js "$here"/index.d.ts "$stage/"
# binaryen is this directory's tool, not a dependency of the package.
(cd "$stage" && npm pkg delete devDependencies)
# Every type the generated definitions declare is re-exported by index.d.ts
# (less wasm-bindgen's own init types, which the entries replace).
missing=""
for name in $(sed -n 's/^export \(declare \)\{0,1\}\(class\|interface\|type\) \([A-Za-z_]*\).*/\3/p' "$stage/wasmi_plugins.d.ts"); do
    case "$name" in InitInput | InitOutput | SyncInitInput) continue ;; esac
    grep -qw "$name" "$stage/index.d.ts" || missing="$missing $name"
done
if [ -n "$missing" ]; then
    echo "web-demo/npm/index.d.ts does not re-export:$missing" >&2
    exit 1
fi

step "npm pack"
tarball="$out/$(cd "$stage" && npm pack --json --pack-destination "$out" \
    | node -e 'console.log(JSON.parse(require("fs").readFileSync(0, "utf8"))[0].filename)')"
echo "$(basename "$tarball"): $(wc -c < "$tarball" | tr -d ' ') bytes; .wasm $(sizes "$wasm")" >&2
echo "$tarball"
