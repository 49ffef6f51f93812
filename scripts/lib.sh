# Shared by the scripts in this folder; source it, do not run it.

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node_dir="$root/src-test-fixtures/node"

# ensure_node_modules [FOLDER]: runs `npm ci` in FOLDER (default src-test-fixtures/node: the official
# JavaScript client and playwright-core) when its packages are missing or older than its lock file.
ensure_node_modules() {
  local dir="${1:-$node_dir}"
  # node_modules/.package-lock.json is written by every npm install / npm ci
  local stamp="$dir/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ "$dir/package-lock.json" -nt "$stamp" ]; then
    command -v npm >/dev/null 2>&1 || { echo "npm is needed on the PATH" >&2; exit 1; }
    echo "npm ci in ${dir#"$root"/}" >&2
    # playwright-core drives Debian's chromium: never let it fetch a browser of its own
    (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund >&2)
  fi
}

# exec_main MODULE MAIN-CLASS ARGS...: builds MODULE (and what it needs) unless JSIO_SKIP_BUILD=1,
# then replaces this shell with the JVM running MAIN-CLASS, so that the server's PID is ours.
# Maven's output goes to stderr: stdout carries only what the server prints. Servers started at
# the same time take turns to build. The JVM is $JAVA_HOME/bin/java when JAVA_HOME is set (Maven
# uses the same JDK), else the java on the PATH.
exec_main() {
  local module="$1" main="$2"
  shift 2
  local cp_file="$root/$module/target/runtime-classpath.txt"
  cd "$root"
  mkdir -p "$root/$module/target"
  exec 9>"$root/$module/target/.build.lock"
  flock 9
  if [[ "${JSIO_SKIP_BUILD:-}" != 1 ]]; then
    mvn -B -ntp -q -Dmaven.test.skip=true install -pl "$module" -am >&2
  fi
  # The runtime classpath only changes with the poms: compute it once, again when a pom changes.
  if [[ ! -s "$cp_file" ]] || [[ -n "$(find "$root" -maxdepth 2 -name pom.xml -newer "$cp_file" -print -quit)" ]]; then
    mvn -B -ntp -q dependency:build-classpath -pl "$module" \
      -Dmdep.includeScope=runtime -Dmdep.outputFile="$cp_file" >&2
  fi
  flock -u 9
  exec 9>&-
  exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" -cp "$root/$module/target/classes:$(cat "$cp_file")" "$main" "$@"
}

# check_container_and_port "$@": validates "jetty|tomcat PORT" or prints usage and exits.
check_container_and_port() {
  if [[ $# -ne 2 ]] || [[ "$1" != jetty && "$1" != tomcat ]] \
      || ! [[ "$2" =~ ^[0-9]{1,5}$ ]] || (( 10#$2 > 65535 )); then
    echo "usage: $(basename "$0") jetty|tomcat PORT" >&2
    echo "  PORT: 0-65535 (0 = any free port)" >&2
    exit 2
  fi
}
