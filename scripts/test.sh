#!/usr/bin/env bash
# Runs every test of every module: installs what is missing, then the full Maven build.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh"
cd "$root"
exec mvn -B -ntp install
