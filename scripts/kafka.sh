#!/usr/bin/env bash
# A local single-node Apache Kafka broker (KRaft) from Maven Central jars. HOOT_KAFKA_VERSION picks
# the version (default 3.9.1; a 4.x such as 4.4.0 runs too); each version keeps its own directory.
#   kafka.sh start    fetch the jars (cached in ~/.m2), format storage once, start, wait until it answers
#   kafka.sh stop     stop cleanly (SIGTERM, then SIGKILL after a timeout)
#   kafka.sh status   exit 0 when the broker answers
#   kafka.sh logs     follow the broker log
# Starting twice is a no-op; starting after a crash recovers the same data directory.
set -euo pipefail
source "$HOOT_ROOT/scripts/env.sh"
# shellcheck source=scripts/jvm-service.sh
source "$HOOT_ROOT/scripts/jvm-service.sh"

PORT="${HOOT_KAFKA_PORT:-9092}"
CONTROLLER_PORT="${HOOT_KAFKA_CONTROLLER_PORT:-9093}"
VERSION="${HOOT_KAFKA_VERSION:-3.9.1}"
case "$VERSION" in
  3.*) LOGGING=log4j1 ;;
  4.*) LOGGING=log4j2 ;;
  *) hoot_log "HOOT_KAFKA_VERSION=$VERSION: only Kafka 3.x and 4.x are supported"; exit 2 ;;
esac
# A data directory is only ever opened by the version that formatted it (4.x cannot read a 3.x
# directory's metadata and the reverse; a newer 4.x may upgrade it past what an older one reads).
# 3.9.1 keeps .hoot/kafka, where it lived before the version could be chosen.
if [ "$VERSION" = 3.9.1 ]; then DIR="$HOOT_STATE/kafka"; else DIR="$HOOT_STATE/kafka-$VERSION"; fi
PIDFILE="$DIR/kafka.pid"
LOGDIR="$DIR/logs"
CLASSPATH_FILE="$HOOT_CACHE/kafka-classpath-$VERSION-$(sha1sum "$HOOT_ROOT/infra/kafka/pom.xml" | cut -c1-12).txt"
HEAP="${HOOT_KAFKA_HEAP:--Xms512m -Xmx1g}"

running_pid() {
  [ -f "$PIDFILE" ] || return 1
  local pid; pid="$(cat "$PIDFILE")"
  kill -0 "$pid" 2>/dev/null && grep -q 'kafka.Kafka' "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
}

classpath() {
  maven_classpath "$HOOT_ROOT/infra/kafka/pom.xml" "$CLASSPATH_FILE" "Apache Kafka $VERSION" \
    -Dkafka.version="$VERSION" -Dkafka.logging="$LOGGING"
}

# Sets JAVA_CMD to the java command line that runs a class of the Kafka distribution.
java_cmd() {
  local cp; cp="$(classpath)"
  # shellcheck disable=SC2206
  JAVA_CMD=(java $HEAP -XX:+UseG1GC -Djava.awt.headless=true -Dkafka.logs.dir="$LOGDIR")
  if [ "$LOGGING" = log4j2 ]; then
    JAVA_CMD+=(-Dlog4j2.configurationFile="$HOOT_ROOT/infra/kafka/log4j2.properties")
  else
    JAVA_CMD+=(-Dlog4j.configuration="file:$HOOT_ROOT/infra/kafka/log4j.properties")
  fi
  JAVA_CMD+=(-cp "$cp")
}

# Refuses a data directory formatted by another Kafka version. A directory without a version file
# was formatted by 3.9.1, the only version before HOOT_KAFKA_VERSION.
check_data_version() {
  [ -f "$DIR/data/meta.properties" ] || return 0
  local formatted; formatted="$(cat "$DIR/kafka-version" 2>/dev/null || echo 3.9.1)"
  if [ "$formatted" != "$VERSION" ]; then
    hoot_log "$DIR/data was formatted by Kafka $formatted, not $VERSION: set HOOT_KAFKA_VERSION=$formatted or remove $DIR"
    exit 1
  fi
}

# Kafka 4.x brokers need Java 17 or newer.
check_java() {
  [ "$LOGGING" = log4j2 ] || return 0
  local major; major="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
  if [ "${major%%.*}" -lt 17 ] 2>/dev/null; then hoot_log "Kafka $VERSION needs Java 17 or newer (java here: $major)"; exit 1; fi
}

# Prints the version of a broker another directory of this state holds running, if any.
other_running_version() {
  local d pid
  for d in "$HOOT_STATE"/kafka "$HOOT_STATE"/kafka-*; do
    [ "$d" != "$DIR" ] && [ -f "$d/kafka.pid" ] || continue
    pid="$(cat "$d/kafka.pid")"
    if kill -0 "$pid" 2>/dev/null && grep -q 'kafka.Kafka' "/proc/$pid/cmdline" 2>/dev/null; then
      cat "$d/kafka-version" 2>/dev/null || echo 3.9.1
      return 0
    fi
  done
  return 1
}

start() {
  if pid="$(running_pid)"; then
    if port_open "$PORT"; then hoot_log "Kafka already running (pid $pid) on 127.0.0.1:$PORT"; return 0; fi
  elif port_open "$PORT"; then
    if other="$(other_running_version)"; then
      hoot_log "port $PORT is taken by Kafka $other of this checkout; stop it first (HOOT_KAFKA_VERSION=$other ./hoot kafka stop) or set HOOT_KAFKA_PORT"
    else
      hoot_log "port $PORT is taken by a process this checkout did not start; stop it or set HOOT_KAFKA_PORT"
    fi
    exit 1
  fi
  ensure_jdk
  check_java
  check_data_version
  mkdir -p "$DIR/data" "$LOGDIR"
  java_cmd
  {
    sed -e "s#@STATE@#$DIR#g" -e "s#@PORT@#$PORT#g" -e "s#@CONTROLLER_PORT@#$CONTROLLER_PORT#g" \
      "$HOOT_ROOT/infra/kafka/server.properties"
    if [ "$LOGGING" = log4j2 ]; then cat "$HOOT_ROOT/infra/kafka/server-4.properties"; fi
  } > "$DIR/server.properties"
  if [ ! -f "$DIR/data/meta.properties" ]; then
    hoot_log "formatting KRaft storage in $DIR/data for Kafka $VERSION"
    echo "$VERSION" > "$DIR/kafka-version"
    cluster_id="$("${JAVA_CMD[@]}" kafka.tools.StorageTool random-uuid 2>>"$LOGDIR/format.log" | tail -n1)"
    "${JAVA_CMD[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$DIR/server.properties" --ignore-formatted \
      >>"$LOGDIR/format.log" 2>&1
  fi
  : > "$LOGDIR/stdout.log"
  local seen; seen="$(wc -l < "$LOGDIR/server.log" 2>/dev/null || echo 0)"
  # setsid: the broker outlives the shell that started it and has its own process group.
  setsid "${JAVA_CMD[@]}" kafka.Kafka "$DIR/server.properties" >>"$LOGDIR/stdout.log" 2>&1 < /dev/null &
  local started=$!
  echo "$started" > "$PIDFILE"
  hoot_log "starting Kafka $VERSION (pid $!), logs in $LOGDIR"
  local deadline=$((SECONDS + ${HOOT_KAFKA_START_TIMEOUT:-120}))
  until port_open "$PORT" && tail -n "+$((seen + 1))" "$LOGDIR/server.log" 2>/dev/null | grep -q 'Kafka Server started'; do
    # The pid alone: while the JVM launcher execs, /proc/<pid>/cmdline can read back empty.
    if ! kill -0 "$started" 2>/dev/null; then
      hoot_log "Kafka exited during start; last lines of its log:"; tail -n 30 "$LOGDIR/stdout.log" "$LOGDIR/server.log" >&2 || true
      exit 1
    fi
    if [ $SECONDS -ge $deadline ]; then hoot_log "Kafka did not answer in time"; exit 1; fi
    sleep 0.5
  done
  hoot_log "Kafka $VERSION is up on 127.0.0.1:$PORT"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then hoot_log "Kafka is not running"; rm -f "$PIDFILE"; return 0; fi
  stop_pid "$pid" Kafka 60
  rm -f "$PIDFILE"
}

case "${1:-status}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) if running_pid >/dev/null && port_open "$PORT"; then echo "Kafka $VERSION running on 127.0.0.1:$PORT"; else echo "Kafka $VERSION not running"; exit 1; fi ;;
  pid) running_pid ;;
  logs) tail -F "$LOGDIR/server.log" ;;
  *) echo "usage: kafka.sh start|stop|restart|status|pid|logs" >&2; exit 2 ;;
esac
