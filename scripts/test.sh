#!/usr/bin/env bash
# The whole test suite: once on SQLite, once on a real PostgreSQL server.
# DATABASE_URL (postgresql+psycopg://...) uses that server instead of starting a throwaway one.
# Under CI=true a missing PostgreSQL or Chromium is a failure, never a skip.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTEST=.venv/bin/pytest
status=0

echo "== tests on SQLite =="
env -u DATABASE_URL "$PYTEST" "$@" || status=$?

echo "== tests on PostgreSQL =="
pg_url=${DATABASE_URL:-}
pg_root=""
if [ -z "$pg_url" ]; then
  if ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
    pg_root=$(mktemp -d /tmp/pishkhan-pg.XXXXXX)
    trap 'scripts/pg-test-server.sh stop "$pg_root"' EXIT
    pg_url=$(scripts/pg-test-server.sh start "$pg_root")
  elif [ "${CI:-}" = "true" ]; then
    echo "error: PostgreSQL is missing and CI=true: the PostgreSQL run cannot be skipped" >&2
    exit 1
  else
    echo "warning: PostgreSQL is not installed; the PostgreSQL run is SKIPPED (make system-deps)" >&2
    exit $status
  fi
fi
DATABASE_URL=$pg_url "$PYTEST" "$@" || status=$?
exit $status
