#!/usr/bin/env bash
# Summarises Flight Recorder profiles of the benchmarked servers (CPU samples by thread, hottest
# methods, and the project's own hot spots):
#   scripts/bench.sh --servers jetty --scenarios echo-ws --repeats 1 --duration 20 --jfr bench/target/jfr
#   scripts/bench-jfr.sh bench/target/jfr/*.jfr
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if [[ $# -eq 0 ]]; then
  echo "usage: $(basename "$0") [--top N] FILE.jfr..." >&2
  exit 2
fi
args=()
for a in "$@"; do
  # exec_main runs from the repository root: make relative paths absolute first
  if [[ "$a" == *.jfr && "$a" != /* ]]; then a="$PWD/$a"; fi
  args+=("$a")
done
exec_main bench org.jsio.bench.JfrHotMethods "${args[@]}"
