#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback for the test suite.
#   scripts/pg-test-server.sh start DIR   — initdb + start in DIR, print the DATABASE_URL
#   scripts/pg-test-server.sh stop DIR
set -euo pipefail
cmd=$1; root=$2
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$PGBIN" ] || { echo "error: PostgreSQL is not installed" >&2; exit 1; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "$cmd" in
start)
  mkdir -p "$root"
  [ "$(id -u)" = 0 ] && chown postgres: "$root"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  as_pg "$PGBIN/initdb" -D "$root/data" -U app --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  as_pg "$PGBIN/pg_ctl" -D "$root/data" -l "$root/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $root -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
  "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U app pishkhan_test
  echo "postgresql+psycopg://app@127.0.0.1:$port/pishkhan_test"
  ;;
stop)
  [ -d "$root/data" ] && as_pg "$PGBIN/pg_ctl" -D "$root/data" -m fast -w stop >/dev/null || true
  rm -rf "$root"
  ;;
esac
