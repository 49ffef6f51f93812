# Shared by the bench*.sh scripts; source it after lib.sh, do not run it.

bench_node_dir="$root/bench/node"

# Installs the Node.js reference server (npm socket.io, pinned by bench/node/package-lock.json).
ensure_bench_node_modules() {
  ensure_node_modules "$bench_node_dir"
}
