# Shared by the scripts that run a JVM service from Maven Central jars (kafka.sh, s3proxy.sh):
# sourced, not run. Needs hoot_log and HOOT_CACHE from env.sh.

# Exit 0 when something listens on 127.0.0.1:$1.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Installs a JDK and Maven from Debian's packages when either is missing.
ensure_jdk() {
  if ! command -v java >/dev/null || ! command -v mvn >/dev/null; then
    hoot_log "installing a JDK and Maven from Debian's packages"
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jdk-headless maven >&2
  fi
}

# Prints the runtime classpath of a pom's dependencies: $1 the pom, $2 the cache file (one per
# set of arguments), $3 a name for the log, further arguments Maven's (-Dproperty=value). Resolved
# from Maven Central on the first run only; Maven's output (even with -q it writes colour codes) is
# shown only when it fails.
maven_classpath() {
  local pom="$1" cache="$2" name="$3"
  shift 3
  if [ ! -s "$cache" ]; then
    ensure_jdk
    mkdir -p "$HOOT_CACHE"
    hoot_log "resolving $name from Maven Central (first run only)"
    # A file of this run's own, renamed into place: test processes may resolve at the same time.
    local tmp out; tmp="$(mktemp "$cache.XXXXXX")"
    if ! out="$(mvn -B -q -f "$pom" dependency:build-classpath -Dmdep.outputFile="$tmp" -Dmdep.includeScope=runtime "$@" 2>&1)"; then
      printf '%s\n' "$out" >&2; rm -f "$tmp"; exit 1
    fi
    mv "$tmp" "$cache"
  fi
  cat "$cache"
}

# Stops a process: SIGTERM, then SIGKILL after $3 seconds. $1 the pid, $2 a name for the log.
stop_pid() {
  local pid="$1" name="$2" deadline=$((SECONDS + $3))
  kill -TERM "$pid"
  while kill -0 "$pid" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then hoot_log "$name did not stop in $3 s; killing it"; kill -KILL "$pid"; fi
    sleep 0.3
  done
  hoot_log "$name stopped"
}
