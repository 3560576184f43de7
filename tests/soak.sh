#!/usr/bin/env bash
# Soak, concurrency and cancellation tests: 100 000 sequential calls,
# 3 rounds of 10 000 concurrent calls and 5 000 cancelled calls, good and
# hostile plugins mixed, every outcome checked, resident memory compared
# after warm-up and at the end (tests/tests/soak.rs).
#
#   tests/soak.sh                   # full counts (~40 s on 2 cores, debug build)
#   SOAK_SCALE=0.1 tests/soak.sh    # a tenth of every count
#   SOAK_PROFILE=release tests/soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."

export SOAK_SCALE="${SOAK_SCALE:-1}"
profile=()
if [ "${SOAK_PROFILE:-dev}" = "release" ]; then
    profile=(--release)
fi
echo "==> soak tests, SOAK_SCALE=$SOAK_SCALE ${profile[*]}"
cargo test "${profile[@]}" -p integration-tests -- --ignored soak --test-threads=1 --nocapture
