#!/usr/bin/env bash
# The mobile bindings, end to end, on a Linux machine (CI runs this as root
# on a fresh Debian machine, installing what is missing):
#
#   1. build the Linux shared library (mobile-demo-ffi) and uniffi-bindgen;
#   2. generate the Python, Kotlin and Swift bindings into
#      <target>/mobile-demo/bindings (never into the source tree);
#   3. run the Python suite and the Kotlin program (desktop JVM) against them;
#   4. check the Swift side as far as possible without Swift: the C header
#      compiles, links, and matches the library's checksums;
#   5. build the static libraries for iOS (device, simulator) and Android
#      (arm64, 32-bit armv7, x86_64) and print their sizes.
#
#   mobile-demo/test.sh                   # everything (CI)
#   MOBILE_TARGETS=0 mobile-demo/test.sh  # skip step 5 (quick local runs)
#   MOBILE_SHIPPED=1 mobile-demo/test.sh  # step 5 with the release profile as
#                                         # apps get it (fat LTO): its sizes
#
# Step 5 checks that each library builds and exports the UniFFI functions
# the bindings call; by default it builds without LTO and with 16 codegen
# units (the release profile's optimisation otherwise): the five fat-LTO
# builds took most of CI's time for this part, and nothing runs them here.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
MOBILE_TARGETS="${MOBILE_TARGETS:-1}"
if [ "${MOBILE_SHIPPED:-0}" = 0 ]; then
    export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
fi

step() { printf '\n==> mobile-demo: %s\n' "$*"; }

# --- tools --------------------------------------------------------------
step "tools"
APT_UPDATED=0
apt_install() {
    if [ "$APT_UPDATED" = 0 ]; then apt-get update -qq; APT_UPDATED=1; fi
    # Retried once: a concurrent apt run can remove a downloaded .deb.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null \
        || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
command -v clang >/dev/null || apt_install clang
command -v java >/dev/null || apt_install default-jdk-headless
command -v npm >/dev/null || apt_install npm
[ -f /usr/share/java/jna.jar ] || apt_install libjna-java
java -version 2>&1 | head -1
# One target per command: a missing one must not hide the others.
rustup target add wasm32-wasip1 # the embedded test plugins
if [ "$MOBILE_TARGETS" != 0 ]; then
    rustup target add aarch64-apple-ios
    rustup target add aarch64-linux-android
    rustup target add armv7-linux-androideabi
    rustup target add x86_64-linux-android
    # rustup has no prebuilt std for the iOS simulators here: build it from source.
    rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
    rustup +nightly component add rust-src
fi
# The Kotlin compiler, pinned by mobile-demo/package-lock.json.
KOTLIN_HOME="$ROOT/mobile-demo/node_modules/kotlin-compiler"
[ -x "$KOTLIN_HOME/bin/kotlinc" ] || (cd mobile-demo && npm ci --no-audit --no-fund)

TARGET_DIR="$(cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
OUT="$TARGET_DIR/mobile-demo"
BINDINGS="$OUT/bindings"

# --- host build and bindings -------------------------------------------
step "build the Linux library and uniffi-bindgen"
# Only the cdylib: the debug staticlib of the host is large and unused here.
cargo rustc -p mobile-demo-ffi --lib --crate-type cdylib
cargo build -p mobile-demo-bindgen
LIB="$TARGET_DIR/debug/libwasmi_mobile.so"

step "generate the bindings"
rm -rf "$BINDINGS"
for language in python kotlin swift; do
    "$TARGET_DIR/debug/uniffi-bindgen" generate --no-format --library "$LIB" \
        --language "$language" --out-dir "$BINDINGS/$language"
done
cp "$LIB" "$BINDINGS/python/"
find "$BINDINGS" -type f | sort

# --- tests --------------------------------------------------------------
step "Python bindings"
PYTHONPATH="$BINDINGS/python" python3 mobile-demo/tests/python/test_bindings.py

step "Kotlin bindings (desktop JVM)"
JNA=/usr/share/java/jna.jar
COROUTINES="$KOTLIN_HOME/lib/kotlinx-coroutines-core-jvm.jar"
"$KOTLIN_HOME/bin/kotlinc" -nowarn -cp "$JNA:$COROUTINES" \
    "$BINDINGS/kotlin/uniffi/wasmi_mobile/wasmi_mobile.kt" mobile-demo/tests/kotlin/Main.kt \
    -d "$OUT/kotlin-test.jar"
timeout 300 java -Djna.library.path="$(dirname "$LIB")" \
    -cp "$OUT/kotlin-test.jar:$JNA:$COROUTINES:$KOTLIN_HOME/lib/kotlin-stdlib.jar" MainKt

step "Swift bindings (generated; no Swift compiler here)"
python3 mobile-demo/tests/swift/check_swift_ffi.py "$BINDINGS/swift" "$(dirname "$LIB")" "$OUT/swift-check"

# --- mobile static libraries -------------------------------------------
if [ "$MOBILE_TARGETS" = 0 ]; then
    step "mobile targets skipped (MOBILE_TARGETS=0)"
    exit 0
fi

# Own target directories, so these builds never wait on the host build's lock.
# CARGO_TARGET_DIR is unset for them so that test-plugin-artifacts' nested
# plugin build follows --target-dir too (an absolute CARGO_TARGET_DIR would win).
CROSS="$OUT/cross"
CROSS_NIGHTLY="$OUT/cross-nightly"
STATICLIBS=()

step "static libraries: iOS device and Android"
for target in aarch64-apple-ios aarch64-linux-android armv7-linux-androideabi x86_64-linux-android; do
    env -u CARGO_TARGET_DIR cargo rustc --release -p mobile-demo-ffi --lib --crate-type staticlib \
        --target "$target" --target-dir "$CROSS"
    STATICLIBS+=("$CROSS/$target/release/libwasmi_mobile.a")
done

step "static library: iOS simulator (nightly, std built from source)"
# Nightly cargo and rustc, but RUSTUP_TOOLCHAIN stays the default toolchain:
# test-plugin-artifacts' nested `cargo build` of the wasm32-wasip1 plugins
# then uses stable rustc, because nightly has no wasm32-wasip1 std here.
NIGHTLY_CARGO="$(rustup which --toolchain nightly cargo)"
NIGHTLY_RUSTC="$(rustup which --toolchain nightly rustc)"
DEFAULT_TOOLCHAIN="$(rustup show active-toolchain | cut -d' ' -f1)"
env -u CARGO_TARGET_DIR RUSTUP_TOOLCHAIN="$DEFAULT_TOOLCHAIN" RUSTC="$NIGHTLY_RUSTC" "$NIGHTLY_CARGO" rustc \
    -Zbuild-std=std,panic_abort --release -p mobile-demo-ffi --lib --crate-type staticlib \
    --target aarch64-apple-ios-sim --target-dir "$CROSS_NIGHTLY"
STATICLIBS+=("$CROSS_NIGHTLY/aarch64-apple-ios-sim/release/libwasmi_mobile.a")

step "static library sizes ($([ "${MOBILE_SHIPPED:-0}" = 0 ] && echo "no LTO; MOBILE_SHIPPED=1 for the shipped build" || echo "as shipped: fat LTO"))"
# llvm-nm reads Mach-O and ELF archives alike (it comes with clang).
NM="$(command -v llvm-nm || ls /usr/lib/llvm-*/bin/llvm-nm | sort -V | tail -1)"
STRIP="$(command -v llvm-strip || ls /usr/lib/llvm-*/bin/llvm-strip | sort -V | tail -1)"
for lib in "${STATICLIBS[@]}"; do
    target="$(basename "$(dirname "$(dirname "$lib")")")"
    bytes="$(stat -c %s "$lib")"
    # Every library must carry the UniFFI entry points the bindings call.
    symbols="$("$NM" -g --defined-only "$lib" 2>/dev/null | grep -c ' T _\{0,1\}uniffi_mobile_demo_fn_' || true)"
    if [ "$symbols" -lt 20 ]; then
        echo "$lib: only $symbols UniFFI functions exported" >&2
        exit 1
    fi
    # The app's bindings, generated from the phone library itself, are the tested ones.
    case "$target" in *apple*) language=swift ;; *) language=kotlin ;; esac
    rm -rf "$OUT/from-staticlib/$target"
    "$TARGET_DIR/debug/uniffi-bindgen" generate --no-format --library "$lib" \
        --language "$language" --out-dir "$OUT/from-staticlib/$target" >/dev/null
    diff -r "$OUT/from-staticlib/$target" "$BINDINGS/$language"
    # Without DWARF: the prebuilt std's debug info is most of the difference between targets.
    "$STRIP" --strip-debug -o "$OUT/stripped.a" "$lib"
    stripped="$(stat -c %s "$OUT/stripped.a")"
    rm -f "$OUT/stripped.a"
    printf '%-22s %5.1f MiB (%d bytes), %5.1f MiB without debug info; %d UniFFI functions; %s bindings identical\n' \
        "$target" "$(awk -v b="$bytes" 'BEGIN { print b / 1048576 }')" "$bytes" \
        "$(awk -v b="$stripped" 'BEGIN { print b / 1048576 }')" "$symbols" "$language"
done
