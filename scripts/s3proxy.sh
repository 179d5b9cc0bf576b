#!/usr/bin/env bash
# A local S3-compatible server (S3Proxy from Maven Central) keeping objects as files, for
# developing and testing the archiver against the S3 API.
#   s3proxy.sh start      fetch the jars (cached in ~/.m2), start, wait until it answers
#   s3proxy.sh stop       stop cleanly (SIGTERM, then SIGKILL after a timeout)
#   s3proxy.sh status     exit 0 when the server answers
#   s3proxy.sh logs       follow its log
#   s3proxy.sh classpath  print the Java classpath that runs S3Proxy (the test harness runs its own)
# Starting twice is a no-op. The bucket hoot-archive exists after a start; objects are files under
# $HOOT_STATE/s3proxy/data/<bucket>/. Credentials and the rest are in infra/s3proxy/s3proxy.conf.
set -euo pipefail
source "$HOOT_ROOT/scripts/env.sh"
# shellcheck source=scripts/jvm-service.sh
source "$HOOT_ROOT/scripts/jvm-service.sh"

PORT="${HOOT_S3_PORT:-9000}"
BUCKET=hoot-archive
DIR="$HOOT_STATE/s3proxy"
PIDFILE="$DIR/s3proxy.pid"
LOGFILE="$DIR/s3proxy.log"
CONF="$HOOT_ROOT/infra/s3proxy/s3proxy.conf"
CLASSPATH_FILE="$HOOT_CACHE/s3proxy-classpath-$(sha1sum "$HOOT_ROOT/infra/s3proxy/pom.xml" | cut -c1-12).txt"

running_pid() {
  [ -f "$PIDFILE" ] || return 1
  local pid; pid="$(cat "$PIDFILE")"
  kill -0 "$pid" 2>/dev/null && grep -q 'org.gaul.s3proxy.Main' "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
}
conf_value() { sed -n "s/^$1=//p" "$CONF"; }

classpath() { maven_classpath "$HOOT_ROOT/infra/s3proxy/pom.xml" "$CLASSPATH_FILE" S3Proxy; }

start() {
  if pid="$(running_pid)"; then
    if port_open "$PORT"; then hoot_log "S3Proxy already running (pid $pid) on 127.0.0.1:$PORT"; return 0; fi
  elif port_open "$PORT"; then
    hoot_log "port $PORT is taken by a process this checkout did not start; stop it or set HOOT_S3_PORT"
    exit 1
  fi
  ensure_jdk
  local cp; cp="$(classpath)"
  # The filesystem backend keeps a bucket as a directory of the same name.
  mkdir -p "$DIR/data/$BUCKET"
  sed -e "s#@PORT@#$PORT#g" -e "s#@DATA@#$DIR/data#g" "$CONF" > "$DIR/s3proxy.conf"
  # setsid: the server outlives the shell that started it and has its own process group.
  setsid java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dlogback.configurationFile="$HOOT_ROOT/infra/s3proxy/logback.xml" -cp "$cp" \
    org.gaul.s3proxy.Main --properties "$DIR/s3proxy.conf" >>"$LOGFILE" 2>&1 < /dev/null &
  local started=$!
  echo "$started" > "$PIDFILE"
  hoot_log "starting S3Proxy (pid $!), log in $LOGFILE"
  local deadline=$((SECONDS + ${HOOT_S3_START_TIMEOUT:-60}))
  until port_open "$PORT"; do
    # The pid alone: while the JVM launcher execs, /proc/<pid>/cmdline can read back empty.
    if ! kill -0 "$started" 2>/dev/null; then
      hoot_log "S3Proxy exited during start; last lines of its log:"; tail -n 30 "$LOGFILE" >&2 || true
      exit 1
    fi
    if [ $SECONDS -ge $deadline ]; then hoot_log "S3Proxy did not answer in time"; exit 1; fi
    sleep 0.2
  done
  hoot_log "S3Proxy is up: endpoint http://127.0.0.1:$PORT (path-style), bucket $BUCKET," \
    "AWS_ACCESS_KEY_ID=$(conf_value s3proxy.identity) AWS_SECRET_ACCESS_KEY=$(conf_value s3proxy.credential)"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then hoot_log "S3Proxy is not running"; rm -f "$PIDFILE"; return 0; fi
  stop_pid "$pid" S3Proxy 30
  rm -f "$PIDFILE"
}

case "${1:-status}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) if running_pid >/dev/null && port_open "$PORT"; then echo "running on 127.0.0.1:$PORT"; else echo "not running"; exit 1; fi ;;
  pid) running_pid ;;
  logs) tail -F "$LOGFILE" ;;
  classpath) classpath ;;
  *) echo "usage: s3proxy.sh start|stop|restart|status|pid|logs|classpath" >&2; exit 2 ;;
esac
