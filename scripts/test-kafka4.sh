#!/usr/bin/env bash
# Runs the integration tests of the engine (packages/streams) and the campaign pipeline
# (packages/processor) against a Kafka 4.x broker of this run's own: HOOT_KAFKA_VERSION when it
# names a 4.x, else 4.4.0, on 127.0.0.1:39092 (controller 39093; HOOT_KAFKA_PORT and
# HOOT_KAFKA_CONTROLLER_PORT move them), formatted afresh in $HOOT_STATE/test-kafka4 and stopped
# after. The fault tests' private brokers run the same version. Extra arguments are test files to
# run instead. Not part of ./hoot test: a second full broker run is too long for every change.
set -euo pipefail
source "$HOOT_ROOT/scripts/env.sh"

case "${HOOT_KAFKA_VERSION:-}" in 4.*) ;; *) HOOT_KAFKA_VERSION=4.4.0 ;; esac
HOOT_KAFKA_PORT="${HOOT_KAFKA_PORT:-39092}"
HOOT_KAFKA_CONTROLLER_PORT="${HOOT_KAFKA_CONTROLLER_PORT:-$((HOOT_KAFKA_PORT + 1))}"
export HOOT_KAFKA_VERSION HOOT_KAFKA_PORT HOOT_KAFKA_CONTROLLER_PORT
state="$HOOT_STATE/test-kafka4"
broker() { HOOT_STATE="$state" "$HOOT_ROOT/scripts/kafka.sh" "$@"; }

cd "$HOOT_ROOT"
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  mapfile -t files < <({
    find packages/streams/test/integration -maxdepth 1 -name '*.int.test.ts'
    find packages/processor/test -path '*/node_modules' -prune -o -name '*.int.test.ts' -print
  } | sort)
fi

started=$SECONDS
# A run that was killed may have left its broker running: stop it, then start from empty storage.
broker stop >/dev/null 2>&1 || true
rm -rf "$state"
broker start
trap 'broker stop' EXIT
status=0
KAFKA_BROKERS="127.0.0.1:$HOOT_KAFKA_PORT" "$HOOT_ROOT/scripts/test.sh" integration "${files[@]}" || status=$?
hoot_log "${#files[@]} test files against Kafka $HOOT_KAFKA_VERSION: $([ $status -eq 0 ] && echo passed || echo failed) in $((SECONDS - started)) s (broker log: $state/kafka-$HOOT_KAFKA_VERSION/logs/server.log)"
exit $status
