#!/usr/bin/env bash
# Runs the benchmarks' ceiling in the foreground: a plain Jakarta WebSocket endpoint with no
# Engine.IO/Socket.IO framing, on the same embedded container as our server:
#   scripts/bench-raw-server.sh jetty|tomcat PORT
# ws://127.0.0.1:PORT/raw/ echoes "e..." text frames to their sender and sends "b..." frames to
# every connected client. Prints "listening on http://127.0.0.1:PORT" when ready; the JVM replaces
# this shell. Set JSIO_SKIP_BUILD=1 to reuse the last build.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
check_container_and_port "$@"
ulimit -n "$(ulimit -Hn)"
exec_main bench org.jsio.bench.BenchServer "raw-$1" "$2"
