#!/usr/bin/env bash
# Makes sure a Postgres server answers at DATABASE_URL's host (default 127.0.0.1:5432). When the
# URL points at this machine and no server answers, starts the machine's cluster, installing
# Debian's postgresql package first when there is none.
set -euo pipefail
source "$HOOT_ROOT/scripts/env.sh"

url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/hoot}"
read -r host port < <(node -e 'const u = new URL(process.argv[1]); console.log(u.hostname || "127.0.0.1", u.port || 5432)' "$url")
answers() { (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; }

case "${1:-ensure-server}" in
  ensure-server)
    answers && exit 0
    case "$host" in 127.0.0.1|localhost|::1) ;; *) hoot_log "Postgres at $host:$port does not answer"; exit 1 ;; esac
    if ! command -v pg_ctlcluster >/dev/null 2>&1; then
      hoot_log "installing Debian's postgresql"
      apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    fi
    version="$(ls /etc/postgresql | sort -V | tail -n1)"
    hoot_log "starting Postgres $version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 60); do answers && exit 0; sleep 0.5; done
    hoot_log "Postgres did not start on $host:$port"; exit 1 ;;
  *) echo "usage: postgres.sh ensure-server" >&2; exit 2 ;;
esac
