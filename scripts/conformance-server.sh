#!/usr/bin/env bash
# Runs the server the official Engine.IO / Socket.IO conformance suites test against:
#   scripts/conformance-server.sh jetty|tomcat PORT
# It serves a raw Engine.IO echo endpoint at /engine.io/ and Socket.IO at /socket.io/ on
# http://127.0.0.1:PORT, prints "listening on http://127.0.0.1:PORT" when ready and stops on
# SIGTERM or Ctrl-C. It builds what it needs first; set JSIO_SKIP_BUILD=1 to reuse the last build.
# With SOCKETIO_REDIS_URL set (e.g. redis://127.0.0.1:6379), its Socket.IO server joins the Redis
# cluster on channel "socketio": run two on different ports to get a two-node cluster.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
check_container_and_port "$@"
exec_main src-test-fixtures org.jsio.testing.ConformanceServer "$@"
