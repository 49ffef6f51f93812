#!/usr/bin/env bash
# Runs every test of every module: installs what is missing, then the full Maven build, then the
# container tests once more on Tomcat 11.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh"
cd "$root"
mvn -B -ntp install
# The container tests once more on Tomcat 11 (Servlet 6.1, WebSocket 2.2); the pass above is on
# Tomcat 10.1.
exec mvn -B -ntp -P tomcat11 verify -pl src-test-fixtures,tomcat-example
