#!/usr/bin/env bash
# Builds every example plugin (installing toolchains when missing), runs the
# conformance check `wasmi-host check` on each, then the integration tests
# that call them all through wasmi-hdk and compare the answers:
#   plugins/test.sh [OUT_DIR]      (default target/plugins/lang)
# Exits non-zero if a build, a check or a test fails.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="${1:-$root/target/plugins/lang}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
langs="${PLUGIN_LANGS:-c wat zig go assemblyscript javascript}"

"$here/build-all.sh" "$out"
# The JavaScript runner's test scripts (languages_preinit.rs): Math.random per
# request, and a script without main().
if [[ " $langs " == *" javascript "* ]]; then
    for script in random legacy; do
        PLUGIN_JS="$here/javascript/tests/$script.js" \
            "$here/javascript/build.sh" "$out" "javascript-$script"
    done
fi

cd "$root"
cargo build --quiet -p wasmi-host
host=(cargo run --quiet -p wasmi-host --)

failed=()
for lang in $langs; do
    printf '\n' >&2
    # sieve(1000), not more: JavaScript's sieve(100000) takes 82 G of check's
    # 10 G fuel budget (wasmi charges a loop's whole body each iteration, and
    # QuickJS's interpreter is one huge loop), though only ~1 s of time.
    if ! "${host[@]}" check -q "$out/$lang.wasm" \
        --method ping --method echo --method add --method sieve --method echo_host \
        --call ping --call 'echo={"k":[1,2.5,"x"]}' --call 'add={"a":1,"b":2}' --call 'add=[40,2]' \
        --call 'sieve=[1000]' --call 'echo_host=[5]'; then
        failed+=("$lang")
    fi
done
if ((${#failed[@]})); then
    echo "wasmi-host check failed for: ${failed[*]}" >&2
    exit 1
fi

# Every plugin pre-initialised ahead of time (`wasmi-host snapshot`; a plugin
# without an initialiser is copied unchanged) still gives the same answers.
# A manifest beside the plugin (its files) is copied beside the snapshot.
for lang in $langs; do
    pre="$out/$lang.pre.wasm"
    "${host[@]}" -q snapshot "$out/$lang.wasm" -o "$pre"
    [ -f "$out/$lang.toml" ] && cp "$out/$lang.toml" "$out/$lang.pre.toml"
    got="$("${host[@]}" -q call --compact --plugin "$pre" add '{"a":40,"b":2}')"
    if [ "$got" != 42 ]; then
        echo "the snapshot of the $lang plugin answered add with: $got" >&2
        failed+=("$lang (snapshot)")
    fi
done
if ((${#failed[@]})); then
    echo "snapshots failed for: ${failed[*]}" >&2
    exit 1
fi

# The language tests (`languages::` and `languages_preinit::`) are ignored by
# a plain `cargo test` (they need these plugins); run them, but not the
# `ping_latency` measurement. A filter that matched nothing would pass, so
# check that they ran.
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
LANGUAGE_PLUGINS_DIR="$out" cargo test -p integration-tests --test integration languages \
    -- --ignored --skip ping_latency 2>&1 | tee "$log"
if ! grep -Eq '^test result: ok\. [1-9][0-9]* passed' "$log"; then
    echo "plugins/test.sh: no language test ran" >&2
    exit 1
fi
