#!/usr/bin/env bash
# Runs Hoot locally, live: installs what is missing, starts Kafka, prepares Postgres and the
# topics, runs every service of the workspace (packages/*/src/main.ts), and once the api is ready
# the simulator: a local HTTPS push service, a simulated audience of the demo merchant `demo`
# subscribed through the api, and demo campaigns sent through it every few minutes. The archiver
# writes the topics to $HOOT_STATE/archive (ARCHIVE_URL), which ./hoot sql reads. Runs until
# Ctrl-C or SIGTERM, then stops every process it started.
#
# Ports: the api PORT (3000), ops ports HOOT_PROCESSOR_HTTP_PORT (9464), HOOT_DISPATCHER_HTTP_PORT
# (9465), HOOT_ARCHIVER_HTTP_PORT (9466), HOOT_SIMULATOR_HTTP_PORT (9470), the push service
# HOOT_PUSH_PORT (8443). With KAFKA_BROKERS set, that broker is used and no local one is started.
set -euo pipefail
source "$HOOT_ROOT/scripts/env.sh"
"$HOOT_ROOT/scripts/setup.sh"
source "$HOOT_ROOT/scripts/env.sh"  # picks up the Node and pnpm setup may have installed
cd "$HOOT_ROOT"
"$HOOT_ROOT/scripts/postgres.sh" ensure-server
if [ -z "${KAFKA_BROKERS:-}" ]; then
  "$HOOT_ROOT/scripts/kafka.sh" start
  KAFKA_BROKERS="127.0.0.1:${HOOT_KAFKA_PORT:-9092}"
fi
export KAFKA_BROKERS
export KAFKAJS_NO_PARTITIONER_WARNING=1
# Ping tokens are signed by the dispatcher and checked by the api with the same secrets. A fixed
# secret for local runs only; deployments must set their own.
export PING_TOKEN_SECRETS="${PING_TOKEN_SECRETS:-hoot-local-development-only-ping-token-secret}"
node packages/db/src/prepare.ts
node scripts/ensure-topics.ts

# The local push service: a certificate for localhost and a VAPID key pair, made once and kept in
# .hoot/dev so the simulated browsers' subscriptions stay valid from one run to the next.
dev_dir="$HOOT_STATE/dev"
eval "$(node packages/simulator/src/cli/dev-credentials.ts "$dev_dir")"
export VAPID_PUBLIC_KEY VAPID_PRIVATE_KEY  # the dispatcher signs with them; the api gives the public one to browsers
# Dashboard sign-ins survive a restart of the api with a cookie-signing secret kept beside them.
session_secret_file="$dev_dir/session-secret"
if [ ! -s "$session_secret_file" ]; then
  (umask 077 && node -e "process.stdout.write(require('node:crypto').randomBytes(32).toString('base64url'))" >"$session_secret_file")
fi
export SESSION_SECRETS="${SESSION_SECRETS:-$(cat "$session_secret_file")}"
api_port="${PORT:-3000}"
api_url="http://127.0.0.1:$api_port"
# The dispatcher tells the browsers where to ping: this api, on whatever port it listens.
export PING_URL="${PING_URL:-$api_url/v1/pings}"
push_port="${HOOT_PUSH_PORT:-8443}"
simulator_port="${HOOT_SIMULATOR_HTTP_PORT:-9470}"
# Each service's own ops port: a HTTP_PORT exported by the caller would give them all the same one.
processor_port="${HOOT_PROCESSOR_HTTP_PORT:-9464}"
dispatcher_port="${HOOT_DISPATCHER_HTTP_PORT:-9465}"
archiver_port="${HOOT_ARCHIVER_HTTP_PORT:-9466}"
# The archive: the archiver writes it, the api reads the notification log from it, ./hoot sql
# queries it (and defaults to this directory). A local directory must exist before the archiver
# is ready.
export ARCHIVE_URL="${ARCHIVE_URL:-$HOOT_STATE/archive}"
case "$ARCHIVE_URL" in *://*) ;; *) mkdir -p "$ARCHIVE_URL" ;; esac
# The api takes subscriptions on the real push services and on exactly localhost:<push port>.
default_push_hosts="$(node --input-type=module -e \
  "import { DEFAULT_PUSH_SERVICE_HOSTS } from '@hoot/api'; console.log(DEFAULT_PUSH_SERVICE_HOSTS.join(','))")"
export PUSH_SERVICE_HOSTS="${PUSH_SERVICE_HOSTS:-$default_push_hosts,localhost:$push_port}"
# Two thousand browsers ping from one address; the public rate limit is for the internet.
export RATE_LIMIT_MAX="${RATE_LIMIT_MAX:-1000000}"

pids=()
simulator_pid=""
stop_all() {
  trap - INT TERM EXIT
  hoot_log "stopping"
  # The audience first, so no ping is sent to an api that is going away.
  if [ -n "$simulator_pid" ]; then
    kill -TERM "$simulator_pid" 2>/dev/null || true
    wait "$simulator_pid" 2>/dev/null || true
  fi
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait || true
  hoot_log "stopped (Kafka keeps running: ./hoot kafka stop)"
}
trap 'stop_all; exit 0' INT TERM
trap stop_all EXIT

# Each service runs in a session of its own, so a Ctrl-C on the terminal reaches only this
# script, which then stops them one signal each (a second signal would make them exit at once).
start() {
  local name="$1"
  shift
  hoot_log "starting $name"
  setsid env "$@" node "packages/$name/src/main.ts" &
  pids+=("$!")
}

for main in packages/*/src/main.ts; do
  [ -f "$main" ] || continue
  name="$(basename "$(dirname "$(dirname "$main")")")"
  case "$name" in
    simulator) ;; # started below, once the api takes subscriptions
    dispatcher)
      # The development flag lets the dispatcher reach the local push service on loopback; it
      # says so loudly at start. Production keeps the SSRF guard on (the default).
      start "$name" STATE_DIR="${STATE_DIR:-$HOOT_STATE/$name}" HTTP_PORT="$dispatcher_port" \
        NODE_EXTRA_CA_CERTS="$PUSH_TLS_CERT" \
        PUSH_ALLOW_PRIVATE_ADDRESSES=true \
        PUSH_HOST_ALLOWLIST="${PUSH_HOST_ALLOWLIST:-localhost}" ;;
    processor) start "$name" STATE_DIR="${STATE_DIR:-$HOOT_STATE/$name}" HTTP_PORT="$processor_port" ;;
    # Open files are written every 5 s rather than 10 s, so ./hoot sql shows the demo's rows soon.
    archiver)
      start "$name" HTTP_PORT="$archiver_port" \
        ARCHIVE_OPEN_FILE_WRITE_MS="${ARCHIVE_OPEN_FILE_WRITE_MS:-5000}" ;;
    *) start "$name" STATE_DIR="${STATE_DIR:-$HOOT_STATE/$name}" ;;
  esac
done
if [ ${#pids[@]} -eq 0 ]; then
  hoot_log "Kafka, Postgres and the topics are ready; the workspace has no service entry point (packages/*/src/main.ts) yet"
  exit 0
fi

hoot_log "waiting for the api at $api_url/readyz"
deadline=$((SECONDS + 180))
until curl -fsS -o /dev/null "$api_url/readyz" 2>/dev/null; do
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || { hoot_log "a service exited before the api was ready"; exit 1; }
  done
  [ "$SECONDS" -lt "$deadline" ] || { hoot_log "the api was not ready within 180 s"; exit 1; }
  sleep 1
done

merchant_file="$HOOT_STATE/demo/merchant.json"
node packages/api/src/cli/local-merchant.ts demo "Demo shop" "$merchant_file" >/dev/null
api_key="$(node -e "process.stdout.write(JSON.parse(require('node:fs').readFileSync(process.argv[1], 'utf8')).api_key)" "$merchant_file")"

hoot_log "starting simulator"
setsid env MERCHANT_FILE="$merchant_file" API_URL="$api_url" HTTP_PORT="$simulator_port" \
  TLS_CERT="$PUSH_TLS_CERT" TLS_KEY="$PUSH_TLS_KEY" PUSH_PORT="$push_port" \
  AUDIENCE_FILE="${AUDIENCE_FILE:-$HOOT_STATE/demo/audience.json}" \
  node packages/simulator/src/main.ts &
simulator_pid="$!"
pids+=("$simulator_pid")

# ./hoot sql reads .hoot/archive unless told otherwise.
sql_prefix=""
[ "$ARCHIVE_URL" = "$HOOT_ROOT/.hoot/archive" ] || sql_prefix="ARCHIVE_URL=$ARCHIVE_URL "

cat <<EOF

  ────────────────────────────────────────────────────────────────────────
   Hoot is running with a live demo.

   Dashboard        http://127.0.0.1:$api_port/dashboard/
   Demo merchant    demo
   API key          $api_key
   (kept in $merchant_file)

   Campaigns        curl -H 'Authorization: Bearer $api_key' $api_url/v1/campaigns
   API docs         $api_url/docs
   Metrics          api $api_url/metrics, processor :$processor_port, dispatcher :$dispatcher_port,
                    archiver :$archiver_port, simulator :$simulator_port
   Archive          ${sql_prefix}./hoot sql "SELECT outcome, count(*) FROM dispatch GROUP BY ALL"
                    (views dispatch, pings, orders; files in $ARCHIVE_URL)

   A simulated audience of ${AUDIENCE_SIZE:-2000} browsers gets a demo campaign now and another every
   ${DEMO_CAMPAIGN_INTERVAL_SECONDS:-180} s through the local push service https://localhost:$push_port.
   Ctrl-C stops everything.
  ────────────────────────────────────────────────────────────────────────

EOF
# A service that ends (a crash, a kill) stops the others: say which, and how it ended.
status=0
wait -n -p ended "${pids[@]}" || status=$?
hoot_log "a service exited (pid ${ended:-?}, status $status); stopping the others"
exit 1
