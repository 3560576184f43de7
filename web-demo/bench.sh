#!/usr/bin/env bash
# Browser vs native: ping latency, a call with one host round trip and
# sieve(1,000,000) time, medians, with the same plugin, params and limits on
# both sides, in each engine of WEB_ENGINES (default: chromium firefox webkit)
# one after the other, in the same run as the native figures. Prints a
# Markdown table.
#
#   ./web-demo/bench.sh        (after ./web-demo/test.sh has installed the tools)
#   WEB_ENGINES=firefox ./web-demo/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."

echo "native: cargo run --release -p wasmi-web-native-bench" >&2
native="$(cargo run --quiet --release -p wasmi-web-native-bench)"
echo "$native" >&2

./web-demo/build.sh >&2
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
python3 -m http.server "$port" --bind 127.0.0.1 --directory web-demo/www >/dev/null 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/', timeout=1)" 2>/dev/null; then
        break
    fi
    sleep 0.1
done
engines="${WEB_ENGINES:-chromium firefox webkit}"
echo "browsers: node web-demo/e2e/bench.mjs http://127.0.0.1:$port/ NATIVE $engines" >&2
# shellcheck disable=SC2086 # one argument per engine
node web-demo/e2e/bench.mjs "http://127.0.0.1:$port/" "$native" $engines
