#!/usr/bin/env bash
# Installs what Hoot needs on a fresh machine: Node 24 from the npm registry's official
# binaries when the machine's Node is older than 22.18, pnpm, and the workspace's dependencies.
set -euo pipefail
source "$HOOT_ROOT/scripts/env.sh"

node_is_recent() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=18)?0:1)'
}

arch="$(uname -m | sed 's/x86_64/x64/;s/aarch64/arm64/')"
if ! node_is_recent; then
  hoot_log "installing Node $HOOT_NODE_VERSION (node-linux-$arch from the npm registry)"
  mkdir -p "$HOOT_CACHE/node-$HOOT_NODE_VERSION"
  npm install --loglevel=error --no-save --no-package-lock --prefix "$HOOT_CACHE/node-$HOOT_NODE_VERSION" \
    "node-linux-$arch@$HOOT_NODE_VERSION" >&2
  source "$HOOT_ROOT/scripts/env.sh"
  node_is_recent || { hoot_log "Node $HOOT_NODE_VERSION did not install"; exit 1; }
fi
if [ -z "${npm_config_nodedir:-}" ] || [ ! -d "$npm_config_nodedir/include/node" ]; then
  # A machine Node that is recent enough: use its own headers when it has them.
  nd="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
  [ -d "$nd/include/node" ] && export npm_config_nodedir="$nd"
fi

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$HOOT_PNPM_VERSION" ]; then
  hoot_log "installing pnpm $HOOT_PNPM_VERSION"
  mkdir -p "$HOOT_CACHE/pnpm-$HOOT_PNPM_VERSION"
  npm install --loglevel=error --no-save --no-package-lock --prefix "$HOOT_CACHE/pnpm-$HOOT_PNPM_VERSION" \
    "pnpm@$HOOT_PNPM_VERSION" >&2
  source "$HOOT_ROOT/scripts/env.sh"
fi

cd "$HOOT_ROOT"
stamp="$HOOT_ROOT/node_modules/.hoot-installed"
if [ ! -f "$stamp" ] || [ pnpm-lock.yaml -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  hoot_log "installing dependencies with pnpm (node $(node --version))"
  if [ -f pnpm-lock.yaml ] && [ "${CI:-}" = "true" ]; then
    pnpm install --frozen-lockfile --reporter=append-only >&2
  else
    pnpm install --reporter=append-only >&2
  fi
  touch "$stamp"
fi
