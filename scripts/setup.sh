#!/usr/bin/env bash
# Installs what the build and the tests need on a Debian machine; does nothing that is already done.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

say() { echo "[setup] $*"; }
die() { echo "[setup] ERROR: $*" >&2; exit 1; }

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  as_root=()
fi

apt_updated=no
apt_install() {
  if [ "$apt_updated" = no ]; then
    say "apt-get update"
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    apt_updated=yes
  fi
  say "apt-get install $*"
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

# Debian packages: command -> package
missing=()
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v chromium >/dev/null 2>&1 || missing+=(chromium fonts-liberation)
# python-socketio and redis-py for Debian's python3: the cluster interoperability tests
/usr/bin/python3 -c 'import socketio, redis' >/dev/null 2>&1 || missing+=(python3-socketio python3-redis)
# nginx in front of two nodes: the sticky-session test starts its own on a free port
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing+=(nginx)
if [ "${#missing[@]}" -gt 0 ]; then
  apt_install "${missing[@]}"
else
  say "redis-server, chromium, python3-socketio, nginx, java and mvn are installed"
fi

java_version="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')"
case "$java_version" in
  1.*|"") die "Java 17 or newer is needed (found '${java_version:-none}')" ;;
esac
[ "$java_version" -ge 17 ] || die "Java 17 or newer is needed (found $java_version)"
say "java $java_version, $(mvn -v 2>/dev/null | head -n 1 | sed 's/\x1b\[[0-9;]*m//g')"

command -v node >/dev/null 2>&1 || die "Node.js 20 or newer is needed on the PATH (node not found)"
command -v npm >/dev/null 2>&1 || die "npm is needed on the PATH (npm not found)"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 20 ] || die "Node.js 20 or newer is needed (found $(node -v))"
say "node $(node -v), npm $(npm -v 2>/dev/null)"

ensure_node_modules
ensure_node_modules "$root/bench/node"   # the Node.js reference server of the benchmarks
