#!/usr/bin/env bash
# Builds WasmiMobile.xcframework (device + simulator static libraries with
# the C header and module map) and the Swift bindings, on a Mac with Xcode.
#
#   mobile-demo/apple/build-xcframework.sh [out-dir]     # default: target/apple
#
# Then, in Xcode: drag <out-dir>/WasmiMobile.xcframework into the app
# target ("Frameworks, Libraries, and Embedded Content": Do Not Embed, it
# is static) and add <out-dir>/swift/wasmi_mobile.swift to the target's
# sources. Not run on this project's CI (Linux, no Xcode); the same
# static libraries are built there by mobile-demo/test.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT="${1:-target/apple}"
LIB=libwasmi_mobile.a
IOS_TARGETS=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios)

for target in "${IOS_TARGETS[@]}"; do
    rustup target add "$target"
    cargo rustc --release -p mobile-demo-ffi --lib --crate-type staticlib --target "$target"
done

# Bindings: generated from the host build of the same crate (same metadata).
cargo build -p mobile-demo-ffi -p mobile-demo-bindgen
rm -rf "$OUT" && mkdir -p "$OUT/swift" "$OUT/include" "$OUT/sim"
target/debug/uniffi-bindgen generate --library target/debug/libwasmi_mobile.dylib \
    --language swift --out-dir "$OUT/swift"
cp "$OUT/swift/wasmi_mobileFFI.h" "$OUT/include/"
# Xcode looks for the module map under this exact name.
cp "$OUT/swift/wasmi_mobileFFI.modulemap" "$OUT/include/module.modulemap"

# One simulator slice for both Apple-silicon and Intel Macs.
lipo -create \
    "target/aarch64-apple-ios-sim/release/$LIB" \
    "target/x86_64-apple-ios/release/$LIB" \
    -output "$OUT/sim/$LIB"

xcodebuild -create-xcframework \
    -library "target/aarch64-apple-ios/release/$LIB" -headers "$OUT/include" \
    -library "$OUT/sim/$LIB" -headers "$OUT/include" \
    -output "$OUT/WasmiMobile.xcframework"

echo "built $OUT/WasmiMobile.xcframework and $OUT/swift/wasmi_mobile.swift"
