# Shared by the bench*.sh scripts; source it after lib.sh, do not run it.

bench_node_dir="$root/bench/node"

# Installs the Node.js reference server (npm socket.io, pinned by bench/node/package-lock.json).
ensure_bench_node_modules() {
  local stamp="$bench_node_dir/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ "$bench_node_dir/package-lock.json" -nt "$stamp" ]; then
    command -v npm >/dev/null 2>&1 || { echo "npm is needed on the PATH" >&2; exit 1; }
    echo "npm ci in bench/node" >&2
    (cd "$bench_node_dir" && npm ci --no-audit --no-fund >&2)
  fi
}
