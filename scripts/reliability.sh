#!/usr/bin/env bash
# The long fault test (`make reliability`): tests/fault_run.py with phases of RELIABILITY_SECONDS
# (default 20) on SQLite, then on PostgreSQL (DATABASE_URL, or a throwaway server on loopback when
# PostgreSQL is installed). Gunicorn runs with deploy/gunicorn.conf.py on 127.0.0.1 only; a worker
# and then the master are SIGKILLed while visits are posted; every acknowledged visit must be
# there afterwards, PRAGMA integrity_check ok, `flask audit verify` intact, and /healthz must answer
# while four slow clients hold connections. Under CI=true a missing PostgreSQL is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${RELIABILITY_SECONDS:-20}
status=0
pg_root=""
cleanup() { if [ -n "$pg_root" ]; then scripts/pg-test-server.sh stop "$pg_root"; fi; }
trap cleanup EXIT

echo "== fault test on SQLite (phases of ${seconds}s) =="
env -u DATABASE_URL timeout 1800 .venv/bin/python -m tests.fault_run --seconds "$seconds" --engine sqlite || status=$?

pg_url=${DATABASE_URL:-}
if [ -z "$pg_url" ]; then
  if ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
    pg_root=$(mktemp -d /tmp/pishkhan-pg.XXXXXX)
    pg_url=$(scripts/pg-test-server.sh start "$pg_root")
  elif [ "${CI:-}" = "true" ]; then
    echo "error: PostgreSQL is missing and CI=true" >&2
    exit 1
  else
    echo "warning: PostgreSQL is not installed; its fault test is SKIPPED" >&2
  fi
fi
if [ -n "$pg_url" ]; then
  echo "== fault test on PostgreSQL (phases of ${seconds}s) =="
  DATABASE_URL=$pg_url timeout 1800 .venv/bin/python -m tests.fault_run --seconds "$seconds" --engine postgresql || status=$?
fi
exit $status
