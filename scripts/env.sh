# Sourced by every script: where things live and which Node to use.
: "${HOOT_ROOT:?HOOT_ROOT must be set}"
HOOT_STATE="${HOOT_STATE:-$HOOT_ROOT/.hoot}"          # Kafka data, logs, pids: per checkout
HOOT_CACHE="${HOOT_CACHE:-$HOME/.cache/hoot}"         # downloaded toolchains: shared by checkouts
HOOT_NODE_VERSION="${HOOT_NODE_VERSION:-24.21.0}"
HOOT_PNPM_VERSION="${HOOT_PNPM_VERSION:-10.34.9}"
export HOOT_STATE HOOT_CACHE HOOT_NODE_VERSION HOOT_PNPM_VERSION

hoot_node_dir="$HOOT_CACHE/node-$HOOT_NODE_VERSION/node_modules/node-linux-$(uname -m | sed 's/x86_64/x64/;s/aarch64/arm64/')"
hoot_pnpm_dir="$HOOT_CACHE/pnpm-$HOOT_PNPM_VERSION/node_modules/pnpm"
if [ -x "$hoot_node_dir/bin/node" ]; then
  export PATH="$hoot_node_dir/bin:$PATH"
  # Native addons (better-sqlite3) compile against this Node's own headers, never the machine's.
  export npm_config_nodedir="$hoot_node_dir"
fi
if [ -x "$hoot_pnpm_dir/bin/pnpm.cjs" ]; then
  mkdir -p "$HOOT_CACHE/bin"
  ln -sf "$hoot_pnpm_dir/bin/pnpm.cjs" "$HOOT_CACHE/bin/pnpm"
  export PATH="$HOOT_CACHE/bin:$PATH"
fi
export PATH="$HOOT_ROOT/node_modules/.bin:$PATH"

hoot_log() { printf '[hoot] %s\n' "$*" >&2; }
# kafkajs schedules timers with negative delays, which Node reports as a warning on every start.
case " ${NODE_OPTIONS:-} " in *TimeoutNegativeWarning*) ;; *) export NODE_OPTIONS="${NODE_OPTIONS:-} --disable-warning=TimeoutNegativeWarning" ;; esac
