#!/usr/bin/env bash
# The host kit on Arm, emulated: cross-builds for 64-bit Arm
# (aarch64-unknown-linux-gnu) and 32-bit Arm (armv7-unknown-linux-gnueabihf)
# with Debian's cross compilers and runs, under user-mode QEMU:
#
#   1. the integration tests (the `tests/` crate, package `integration-tests`:
#      all of them, or those matching CROSS_FILTER);
#   2. `wasmi-host call sieve 1000000`, which must print 78498.
#
# Installs what a fresh Debian machine lacks (apt: qemu-user and the cross
# gcc/libc packages; rustup: the two targets). Run as root, like CI.
#
#   scripts/cross.sh                        # both targets, every test
#   CROSS_TARGETS=aarch64 scripts/cross.sh  # one of: aarch64 armv7
#   CROSS_FILTER=dispatch scripts/cross.sh  # only tests whose path has `dispatch`
#   CROSS_BENCH=1 scripts/cross.sh          # also the benchmark of web-demo/native-bench,
#                                           # emulated, next to the same build run natively
#
# The linker and runner are set here through cargo's per-target variables,
# so plain `cargo` calls elsewhere are not affected. Everything is built with
# the workspace's `cross` profile (release without fat LTO): emulation is about
# 15x slower than native, and a debug host under QEMU meets the tests' 30 s
# call timeouts.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> cross: %s\n' "$*"; }
CROSS_TARGETS="${CROSS_TARGETS:-aarch64 armv7}"
CROSS_FILTER="${CROSS_FILTER:-}"
CROSS_BENCH="${CROSS_BENCH:-0}"
target_dir="$(cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# target triple, Debian gcc prefix, QEMU binary, Debian packages
describe() {
    case "$1" in
        aarch64) echo "aarch64-unknown-linux-gnu aarch64-linux-gnu qemu-aarch64 gcc-aarch64-linux-gnu libc6-dev-arm64-cross" ;;
        armv7) echo "armv7-unknown-linux-gnueabihf arm-linux-gnueabihf qemu-arm gcc-arm-linux-gnueabihf libc6-dev-armhf-cross" ;;
        *)
            echo "unknown cross target '$1' (use aarch64 or armv7)" >&2
            exit 2
            ;;
    esac
}

step "tools"
missing=()
for arch in $CROSS_TARGETS; do
    read -r triple prefix qemu packages <<<"$(describe "$arch")"
    command -v "$prefix-gcc" >/dev/null || missing+=($packages)
    command -v "$qemu" >/dev/null || missing+=(qemu-user)
done
if [ "${#missing[@]}" -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # A concurrent apt run can remove a downloaded .deb under us: try once more.
    apt-get install -y -qq "${missing[@]}" >/dev/null || apt-get install -y -qq "${missing[@]}" >/dev/null
fi
rustup target add wasm32-wasip1 # the embedded test plugins
for arch in $CROSS_TARGETS; do
    read -r triple prefix qemu packages <<<"$(describe "$arch")"
    rustup target add "$triple"
done
qemu-aarch64 --version 2>/dev/null | head -1 || qemu-arm --version | head -1

for arch in $CROSS_TARGETS; do
    read -r triple prefix qemu packages <<<"$(describe "$arch")"
    var="$(echo "$triple" | tr 'a-z-' 'A-Z_')"
    # Linker: Debian's cross gcc. Runner (for `cargo test/run --target` by
    # hand; this script runs the binaries itself): QEMU, the target's libc as root.
    export "CARGO_TARGET_${var}_LINKER=$prefix-gcc"
    export "CARGO_TARGET_${var}_RUNNER=$qemu -L /usr/$prefix"

    step "$triple: build the integration tests and wasmi-host"
    started=$SECONDS
    # One cargo run for both, so their dependencies are built once.
    packages=(-p integration-tests --test integration -p wasmi-host --bin wasmi-host)
    if [ "$CROSS_BENCH" != 0 ]; then
        packages+=(-p wasmi-web-native-bench --bin wasmi-web-native-bench)
    fi
    cargo build --profile cross --target "$triple" "${packages[@]}" --message-format=json-render-diagnostics \
        >"$scratch/build.json"
    tests="$(python3 -c 'import json, sys
for line in open(sys.argv[1]):
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "integration" and m.get("executable"):
        print(m["executable"])' "$scratch/build.json")"
    if [ -z "$tests" ]; then
        echo "no integration test binary was built" >&2
        exit 1
    fi
    echo "built in $((SECONDS - started)) s"

    step "$triple: integration tests under $qemu"
    started=$SECONDS
    filter=()
    if [ -n "$CROSS_FILTER" ]; then
        filter=("$CROSS_FILTER")
    fi
    # As `cargo test` runs it: from the package's directory.
    # CROSS_RUNNER: how a test starts a helper binary of its own (built for
    # this CPU; tests/tests/store.rs's crash writer) without binfmt_misc.
    (cd tests && CROSS_RUNNER="$qemu -L /usr/$prefix" $qemu -L "/usr/$prefix" "$tests" "${filter[@]}")
    echo "tests ran in $((SECONDS - started)) s (emulated)"

    step "$triple: wasmi-host call sieve 1000000 under $qemu"
    started=$SECONDS
    primes="$($qemu -L "/usr/$prefix" "$target_dir/$triple/cross/wasmi-host" call sieve 1000000)"
    echo "sieve(1000000) = $primes in $((SECONDS - started)) s (emulated)"
    if [ "$primes" != 78498 ]; then
        echo "expected 78498" >&2
        exit 1
    fi

    if [ "$CROSS_BENCH" != 0 ]; then
        step "$triple: web-demo/native-bench under $qemu (emulated)"
        echo "$triple (emulated): $($qemu -L "/usr/$prefix" "$target_dir/$triple/cross/wasmi-web-native-bench")"
    fi
done

if [ "$CROSS_BENCH" != 0 ]; then
    step "x86_64: web-demo/native-bench, the same profile, native"
    cargo build --profile cross -p wasmi-web-native-bench
    echo "x86_64 (native): $("$target_dir/cross/wasmi-web-native-bench")"
fi
