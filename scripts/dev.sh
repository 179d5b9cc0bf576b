#!/usr/bin/env bash
# Runs Hoot locally: installs what is missing, starts Kafka, prepares Postgres and the topics, then
# runs every service that the workspace has (packages/*/src/main.ts) until Ctrl-C or SIGTERM.
set -euo pipefail
source "$HOOT_ROOT/scripts/env.sh"
"$HOOT_ROOT/scripts/setup.sh"
source "$HOOT_ROOT/scripts/env.sh"  # picks up the Node and pnpm setup may have installed
cd "$HOOT_ROOT"
"$HOOT_ROOT/scripts/postgres.sh" ensure-server
"$HOOT_ROOT/scripts/kafka.sh" start
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:${HOOT_KAFKA_PORT:-9092}}"
export KAFKAJS_NO_PARTITIONER_WARNING=1
# Ping tokens are signed by the dispatcher and checked by the api with the same secrets. A fixed
# secret for local runs only; deployments must set their own.
export PING_TOKEN_SECRETS="${PING_TOKEN_SECRETS:-hoot-local-development-only-ping-token-secret}"
node packages/db/src/prepare.ts
node scripts/ensure-topics.ts

pids=()
stop_all() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait || true
}
trap stop_all INT TERM EXIT
for main in packages/*/src/main.ts; do
  [ -f "$main" ] || continue
  name="$(basename "$(dirname "$(dirname "$main")")")"
  hoot_log "starting $name"
  STATE_DIR="${STATE_DIR:-$HOOT_STATE/$name}" node "$main" &
  pids+=("$!")
done
if [ ${#pids[@]} -eq 0 ]; then
  hoot_log "Kafka, Postgres and the topics are ready; the workspace has no service entry point (packages/*/src/main.ts) yet"
  exit 0
fi
hoot_log "running ${#pids[@]} services; Ctrl-C stops them (Kafka keeps running: ./hoot kafka stop)"
wait -n "${pids[@]}"
