#!/usr/bin/env bash
# Builds the demo page and serves it: ./web-demo/serve.sh [port], then open
# http://127.0.0.1:8000/ (or the port given). Any static server would do.
set -euo pipefail
cd "$(dirname "$0")"
./build.sh
port="${1:-8000}"
echo "serving http://127.0.0.1:$port/ (Ctrl-C stops)"
exec python3 -m http.server "$port" --bind 127.0.0.1 --directory www
