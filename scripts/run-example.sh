#!/usr/bin/env bash
# Runs the example chat in the foreground on http://127.0.0.1:PORT/ until Ctrl-C or SIGTERM:
#   scripts/run-example.sh jetty|tomcat PORT
# It deploys the example WAR (example-webapp, registered by its web.xml) on embedded Jetty 12 or
# Tomcat, as a stand-alone container would.
# It installs the browser client (npm) and builds what it needs first; set JSIO_SKIP_BUILD=1 to
# reuse the last build.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
check_container_and_port "$@"
ensure_node_modules
if [[ "$1" == jetty ]]; then
  exec_main jetty-example org.jsio.example.JettyMain "$2" "$root/jetty-example/target/example-webapp.war"
else
  exec_main tomcat-example org.jsio.example.TomcatMain "$2" "$root/tomcat-example/target/example-webapp.war"
fi
