#!/usr/bin/env bash
# Runs the benchmark comparison (see BENCHMARKS.md): our server on Jetty and on Tomcat, the
# Node.js reference server and a raw WebSocket endpoint on each container, every scenario, three
# interleaved repeats. It installs and builds what it needs first, then writes
# bench/target/bench-results.md (and .json); progress goes to standard error.
#   scripts/bench.sh                                   # the full comparison (about an hour)
#   scripts/bench.sh --warmup 1 --duration 3 --repeats 1 --hold 30    # a quick run
#   scripts/bench.sh --servers jetty,node --scenarios echo-ws         # a part of it
# Other flags: --bcast-rate N, --out FILE.md, --server-jvm-opts "...", --generator-jvm-opts "...".
# Set JSIO_SKIP_BUILD=1 to reuse the last build.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
ensure_bench_node_modules
ulimit -n "$(ulimit -Hn)"
export BENCH_COMMAND="scripts/bench.sh${*:+ $*}"
exec_main bench org.jsio.bench.Bench --root "$root" "$@"
