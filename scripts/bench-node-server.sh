#!/usr/bin/env bash
# Runs the Node.js reference server of the benchmarks (npm socket.io 4.8) in the foreground, with
# the same handlers and heartbeat settings as scripts/bench-server.sh:
#   scripts/bench-node-server.sh PORT
# Prints "listening on http://127.0.0.1:PORT" when ready; node replaces this shell.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
if [[ $# -ne 1 ]] || ! [[ "$1" =~ ^[0-9]{1,5}$ ]] || (( 10#$1 > 65535 )); then
  echo "usage: $(basename "$0") PORT   (0 = any free port)" >&2
  exit 2
fi
ensure_bench_node_modules
ulimit -n "$(ulimit -Hn)"
exec node "$bench_node_dir/server.js" "$1"
