#!/usr/bin/env bash
# Runs our Socket.IO server with the benchmark handlers in the foreground:
#   scripts/bench-server.sh jetty|tomcat PORT
# Socket.IO at http://127.0.0.1:PORT/socket.io/ in the default namespace, pingInterval 25 s,
# pingTimeout 20 s; "echo" acknowledges with its own arguments, "bcast" emits "bcast" with its
# first argument to every client. Prints "listening on http://127.0.0.1:PORT" when ready and stops
# on SIGTERM or Ctrl-C; the JVM replaces this shell, so its PID is the server's own. It builds
# what it needs first; set JSIO_SKIP_BUILD=1 to reuse the last build.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
check_container_and_port "$@"
ulimit -n "$(ulimit -Hn)"
exec_main bench org.jsio.bench.BenchServer "$@"
