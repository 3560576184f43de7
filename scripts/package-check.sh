#!/usr/bin/env bash
# The crates meant for crates.io, checked as crates.io would get them:
#   1. `cargo publish --dry-run` of all of them at once (packaging, the
#      registry's checks; inter-crate dependencies resolve through cargo's
#      local overlay of the crates being published);
#   2. each packaged .crate extracted OUTSIDE the workspace and built on its
#      own (its own lockfile and feature set), its dependencies on the other
#      crates patched to their extracted packages (`patch.crates-io`):
#      `cargo build`, the doc tests, the wasm32 target it is used on;
#   3. the docs as docs.rs builds them, from each crate's
#      `[package.metadata.docs.rs]`, warnings denied (nightly and `--cfg
#      docsrs` for each target the nightly toolchain has, else stable).
# wasmi-hdk's doc tests call the workspace's test plugins: for them only, the
# extracted package gets back the `test-plugin-artifacts` dev-dependency
# cargo strips when packaging (it has no version: it is never published).
#
#   scripts/package-check.sh
#
# Not published: test-plugin, test-plugin-artifacts, integration-tests,
# wasmi-web (npm: web-demo/npm), wasmi-web-native-bench, mobile-demo,
# mobile-demo-ffi, mobile-demo-bindgen (apps link the built library).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

# In dependency order.
CRATES=(wasmi-plugin-protocol wasmi-pdk wasmi-hdk wasmi-host)
# The target each crate is also built for (beyond the host).
declare -A WASM_TARGET=(
    [wasmi-plugin-protocol]=wasm32-wasip1
    [wasmi-pdk]=wasm32-wasip1
    [wasmi-hdk]=wasm32-unknown-unknown
)

step() { printf '\n==> %s\n' "$*"; }
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
case "$target_dir" in /*) ;; *) target_dir="$PWD/$target_dir" ;; esac
work="$target_dir/package-check"
# The extracted crates build into a target directory of their own, so that
# nothing of the workspace's builds is reused by accident.
export CARGO_TARGET_DIR="$work/target"
# No debug info or incremental state: a third of the disk and time.
export CARGO_PROFILE_DEV_DEBUG=0 CARGO_INCREMENTAL=0

rustup target add wasm32-wasip1
rustup target add wasm32-unknown-unknown

step "cargo publish --dry-run"
packages=()
for crate in "${CRATES[@]}"; do packages+=(-p "$crate"); done
# --allow-dirty: the check is about what is packaged, also before a commit.
# --no-verify: step 2 builds each package, outside the workspace.
cargo publish --dry-run --no-verify --allow-dirty --target-dir "$target_dir" "${packages[@]}"

step "cargo package"
# The dry run leaves its .crate files in a scratch registry: `cargo package`
# writes them where step 2 reads them (no stale ones from an earlier run).
rm -f "$target_dir"/package/*.crate
cargo package --no-verify --allow-dirty --target-dir "$target_dir" "${packages[@]}"

step "extract the packages"
rm -rf "$work/crates"
mkdir -p "$work/crates"
version() { cargo metadata --format-version 1 --no-deps | python3 -c "import json, sys
print(next(p['version'] for p in json.load(sys.stdin)['packages'] if p['name'] == '$1'))"; }
declare -A DIR
for crate in "${CRATES[@]}"; do
    v="$(version "$crate")"
    tar -xzf "$target_dir/package/$crate-$v.crate" -C "$work/crates"
    DIR[$crate]="$work/crates/$crate-$v"
    echo "$crate $v: $(find "${DIR[$crate]}" -type f | wc -l) files"
done
# cargo packs every file with the same old mtime, and cargo's freshness
# check goes by mtime: without this, a build of an earlier run's package
# would pass for this one's.
find "$work/crates" -type f -exec touch {} +

# The `--config` arguments patching, in crate $1's dependency graph, every
# crate of CRATES it depends on (transitively) to its extracted package.
patches() {
    python3 - "$1" "$work/crates" "${CRATES[@]}" <<'EOF'
import pathlib, sys, tomllib
crate, root, names = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3:]
dirs = {p.name.rsplit("-", 1)[0]: p for p in root.iterdir() if p.is_dir()}
def deps(name):
    manifest = tomllib.loads((dirs[name] / "Cargo.toml").read_text())
    tables = [manifest.get("dependencies", {})]
    tables += [t.get("dependencies", {}) for t in manifest.get("target", {}).values()]
    return {d for table in tables for d in table if d in names}
seen, todo = set(), [crate]
while todo:
    for dep in deps(todo.pop()) - seen:
        seen.add(dep)
        todo.append(dep)
for dep in sorted(seen):
    print("--config")
    print(f"patch.crates-io.{dep}.path='{dirs[dep]}'")
EOF
}

for crate in "${CRATES[@]}"; do
    dir="${DIR[$crate]}"
    mapfile -t patch < <(patches "$crate")
    manifest=(--manifest-path "$dir/Cargo.toml")

    step "$crate: build the package on its own"
    cargo build "${patch[@]}" "${manifest[@]}"
    if [ "$crate" = wasmi-pdk ]; then
        cargo build "${patch[@]}" "${manifest[@]}" --all-features
    fi
    if [ -n "${WASM_TARGET[$crate]:-}" ]; then
        cargo build "${patch[@]}" "${manifest[@]}" --lib --target "${WASM_TARGET[$crate]}"
    fi

    has_lib="$(cargo metadata "${patch[@]}" "${manifest[@]}" --format-version 1 --no-deps | python3 -c "import json, sys
print(any('lib' in t['kind'] for t in json.load(sys.stdin)['packages'][0]['targets']))")"
    if [ "$has_lib" != True ]; then
        echo "$crate: no library, no doc tests or docs.rs page"
        continue
    fi

    step "$crate: doc tests of the package"
    if [ "$crate" = wasmi-hdk ]; then
        printf '\n[dev-dependencies.test-plugin-artifacts]\npath = "%s/test-plugin/artifacts"\n' "$repo" >> "$dir/Cargo.toml"
    fi
    features=()
    if [ "$crate" = wasmi-pdk ]; then features=(--all-features); fi
    cargo test "${patch[@]}" "${manifest[@]}" --doc "${features[@]}"

    step "$crate: docs as docs.rs builds them"
    # The features argument on the first line, then one target a line.
    mapfile -t docs_args < <(cargo metadata "${patch[@]}" "${manifest[@]}" --format-version 1 --no-deps | python3 -c "import json, sys
meta = (json.load(sys.stdin)['packages'][0].get('metadata') or {}).get('docs', {}).get('rs', {})
if meta.get('all-features'):
    print('--all-features')
else:
    print('--features=' + ','.join(meta.get('features', [])))
for target in meta.get('targets', ['x86_64-unknown-linux-gnu']):
    print(target)")
    for target in "${docs_args[@]:1}"; do
        # docs.rs: nightly with `--cfg docsrs`. Here only where the nightly
        # toolchain has the target installed, else stable without it.
        if rustup +nightly target list --installed 2>/dev/null | grep -qx "$target"; then
            RUSTDOCFLAGS="--cfg docsrs -D warnings" cargo +nightly doc "${patch[@]}" "${manifest[@]}" \
                --no-deps --lib "${docs_args[0]}" --target "$target"
        else
            echo "(no nightly toolchain with $target: stable rustdoc, without --cfg docsrs)"
            RUSTDOCFLAGS="-D warnings" cargo doc "${patch[@]}" "${manifest[@]}" \
                --no-deps --lib "${docs_args[0]}" --target "$target"
        fi
    done
done

step "packages checked: ${CRATES[*]}"
