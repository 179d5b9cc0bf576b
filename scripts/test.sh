#!/usr/bin/env bash
# Runs Hoot's tests with everything they need: dependencies, a local Kafka broker, a prepared
# Postgres test database. Mode: all (typecheck, lint, unit and integration), unit, integration.
# Extra arguments are test files to run instead of all of them.
set -euo pipefail
source "$HOOT_ROOT/scripts/env.sh"
mode="${1:-all}"; shift || true

"$HOOT_ROOT/scripts/setup.sh"
source "$HOOT_ROOT/scripts/env.sh"  # picks up the Node and pnpm setup may have installed
cd "$HOOT_ROOT"

if [ "$mode" = all ]; then
  hoot_log "typecheck"; pnpm run -s typecheck
  hoot_log "lint"; pnpm run -s lint
fi

find_tests() { # $1: unit|integration
  local pattern='*.int.test.ts'
  if [ "$1" = unit ]; then
    find packages test -path '*/node_modules' -prune -o -name '*.test.ts' ! -name "$pattern" -print 2>/dev/null | sort
  else
    find packages test -path '*/node_modules' -prune -o -name "$pattern" -print 2>/dev/null | sort
  fi
}

files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  case "$mode" in
    unit) mapfile -t files < <(find_tests unit) ;;
    integration) mapfile -t files < <(find_tests integration) ;;
    all) mapfile -t files < <(find_tests unit; find_tests integration) ;;
    *) echo "test.sh: unknown mode $mode" >&2; exit 2 ;;
  esac
fi

needs_services=false
needs_browser=false
needs_promtool=false
for f in "${files[@]}"; do
  case "$f" in *.int.test.ts) needs_services=true ;; esac
  case "$f" in */test/browser/*) needs_browser=true ;; esac
  case "$f" in */prometheus-rules.test.ts) needs_promtool=true ;; esac
done

# Browser tests drive Debian's Chromium (playwright-core cannot download its own offline) and
# click notifications through a desktop notification service on a private D-Bus session bus.
if $needs_browser && { [ ! -x /usr/bin/chromium ] || ! command -v dbus-daemon >/dev/null; }; then
  hoot_log "installing Debian's chromium and dbus-daemon for the browser tests"
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium dbus-daemon >&2
fi

# The alert rules test runs promtool, from Debian's prometheus package. The package enables a
# Prometheus server; a policy-rc.d that refuses every start (removed after, if this made it)
# keeps it from running.
if $needs_promtool && ! command -v promtool >/dev/null; then
  hoot_log "installing Debian's prometheus for promtool (alert rules tests)"
  (
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      trap 'rm -f /usr/sbin/policy-rc.d' EXIT
      printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    fi
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >&2
  )
fi

if $needs_services; then
  "$HOOT_ROOT/scripts/postgres.sh" ensure-server
  if [ -z "${KAFKA_BROKERS:-}" ]; then
    if ! "$HOOT_ROOT/scripts/kafka.sh" status >/dev/null 2>&1; then
      "$HOOT_ROOT/scripts/kafka.sh" start
      # A broker this run started is stopped when it ends, unless asked to keep it.
      [ "${HOOT_KEEP_KAFKA:-}" = 1 ] || trap '"$HOOT_ROOT/scripts/kafka.sh" stop' EXIT
    fi
    export KAFKA_BROKERS="127.0.0.1:${HOOT_KAFKA_PORT:-9092}"
  fi
  TEST_DATABASE_URL="$(node -e '
    const u = new URL(process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/hoot");
    u.pathname = "/hoot_test"; console.log(u.toString());')"
  export TEST_DATABASE_URL="${HOOT_TEST_DATABASE_URL:-$TEST_DATABASE_URL}"
  DATABASE_URL="$TEST_DATABASE_URL" node packages/db/src/prepare.ts
fi

export KAFKAJS_NO_PARTITIONER_WARNING=1
hoot_log "running ${#files[@]} test files"
# HOOT_TEST_NAME_PATTERN runs only the tests whose name matches (node's --test-name-pattern).
pattern_args=()
[ -n "${HOOT_TEST_NAME_PATTERN:-}" ] && pattern_args=(--test-name-pattern="$HOOT_TEST_NAME_PATTERN")
node --test --test-timeout="${HOOT_TEST_TIMEOUT_MS:-900000}" "${pattern_args[@]}" "${files[@]}"
