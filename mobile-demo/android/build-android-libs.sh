#!/usr/bin/env bash
# Builds libwasmi_mobile.so for the demo's ABIs with the Android NDK, and
# the Kotlin bindings, into android/app/build/generated/uniffi (which
# app/build.gradle.kts adds as sources and jniLibs).
#
#   ANDROID_NDK_HOME=/path/to/ndk mobile-demo/android/build-android-libs.sh
#
# Needs the NDK (Android Studio: SDK Manager → SDK Tools → NDK) for its
# linker: a shared library cannot be linked without it. Not run on this
# project's CI (no NDK there); mobile-demo/test.sh builds the same crate
# for these targets as static libraries, which needs no linker.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${ANDROID_NDK_HOME:?set ANDROID_NDK_HOME to the NDK directory}"
API=24 # = minSdk in app/build.gradle.kts
OUT=mobile-demo/android/app/build/generated/uniffi
case "$(uname -s)" in
    Darwin) HOST_TAG=darwin-x86_64 ;; # also on Apple silicon
    Linux) HOST_TAG=linux-x86_64 ;;
    *) echo "unsupported build host" >&2; exit 1 ;;
esac
BIN="$ANDROID_NDK_HOME/toolchains/llvm/prebuilt/$HOST_TAG/bin"

# ABI directory name:Rust target:the NDK's clang prefix (no associative
# arrays: macOS ships bash 3.2). armeabi-v7a is the 32-bit Arm devices'.
for triple in arm64-v8a:aarch64-linux-android:aarch64-linux-android \
              armeabi-v7a:armv7-linux-androideabi:armv7a-linux-androideabi \
              x86_64:x86_64-linux-android:x86_64-linux-android; do
    abi="${triple%%:*}"
    rest="${triple#*:}"
    target="${rest%%:*}"
    clang="${rest#*:}"
    env_target="$(echo "$target" | tr 'a-z-' 'A-Z_')"
    rustup target add "$target"
    # The NDK's clang links; 16 KiB pages keep the library loadable on Android 15+.
    env "CARGO_TARGET_${env_target}_LINKER=$BIN/${clang}${API}-clang" \
        "CARGO_TARGET_${env_target}_RUSTFLAGS=-C link-arg=-Wl,-z,max-page-size=16384" \
        cargo build --release -p mobile-demo-ffi --target "$target"
    mkdir -p "$OUT/jniLibs/$abi"
    cp "target/$target/release/libwasmi_mobile.so" "$OUT/jniLibs/$abi/"
    "$BIN/llvm-strip" "$OUT/jniLibs/$abi/libwasmi_mobile.so"
done

# Bindings: generated from the host build of the same crate (same metadata).
cargo build -p mobile-demo-ffi -p mobile-demo-bindgen
case "$(uname -s)" in Darwin) HOST_LIB=libwasmi_mobile.dylib ;; *) HOST_LIB=libwasmi_mobile.so ;; esac
rm -rf "$OUT/kotlin"
target/debug/uniffi-bindgen generate --library "target/debug/$HOST_LIB" \
    --language kotlin --out-dir "$OUT/kotlin"

echo "built $OUT/jniLibs/*/libwasmi_mobile.so and $OUT/kotlin"
