#!/usr/bin/env bash
# Runs the example chat in the foreground on http://127.0.0.1:PORT/ until Ctrl-C or SIGTERM:
#   scripts/run-example.sh jetty|tomcat PORT
# It installs the browser client (npm) and builds what it needs first; set JSIO_SKIP_BUILD=1 to
# reuse the last build.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
check_container_and_port "$@"
ensure_node_modules
if [[ "$1" == jetty ]]; then
  exec_main jetty-example org.jsio.example.JettyMain "$2"
else
  exec_main tomcat-example org.jsio.example.TomcatMain "$2"
fi
