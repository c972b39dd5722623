#!/usr/bin/env bash
# The whole test suite: once on SQLite; the date-sensitive tests (marker `clock`) again on SQLite
# under frozen clocks at the awkward instants; once on a real PostgreSQL server; Schemathesis against
# the API's OpenAPI description on a live server (on PostgreSQL when there is one); bandit and
# pip-audit.
# DATABASE_URL (postgresql+psycopg://...) uses that server instead of starting a throwaway one.
# Under CI=true a missing PostgreSQL, Chromium or Schemathesis is a failure, never a skip.
# SCHEMATHESIS_MAX_EXAMPLES (default 25) and SCHEMATHESIS_SEED (default 1) tune the API run.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTEST=.venv/bin/pytest
status=0
pg_root=""
fuzz_pid=""

cleanup() {
  if [ -n "$fuzz_pid" ]; then kill "$fuzz_pid" 2>/dev/null || true; wait "$fuzz_pid" 2>/dev/null || true; fi
  if [ -n "$pg_root" ]; then scripts/pg-test-server.sh stop "$pg_root"; fi
}
trap cleanup EXIT

# bandit on our code (every skip is a `# nosec BXXX  # reason` beside the line) and pip-audit on the
# installed packages. pip-audit asks PyPI's vulnerability data; where that service cannot be reached
# (a registry mirror without it) every package is reported "not found" and nothing is audited:
# that is a loud warning, and a failure only with PIP_AUDIT_REQUIRED=1.
security_checks() {
  echo "== bandit =="
  .venv/bin/bandit -q -r core accounts api registry licensing committees inspections reports demo \
    public letters config.py wsgi.py 2>/dev/null || status=1
  echo "== pip-audit =="
  local log audit_status=0
  log=$(mktemp /tmp/pishkhan-audit.XXXXXX)
  timeout 600 .venv/bin/pip-audit --local --skip-editable --progress-spinner off >"$log" 2>&1 || audit_status=$?
  cat "$log"
  if [ "$audit_status" -ne 0 ]; then
    echo "error: pip-audit found vulnerable packages or failed (exit $audit_status)" >&2
    status=1
  elif grep -q "could not be audited" "$log"; then
    echo "warning: pip-audit could not reach the vulnerability data for $(grep -c 'could not be audited' "$log") packages; those were NOT audited" >&2
    if [ "${PIP_AUDIT_REQUIRED:-}" = "1" ]; then status=1; fi
  fi
  rm -f "$log"
}

echo "== tests on SQLite =="
env -u DATABASE_URL "$PYTEST" "$@" || status=$?

# After midnight in Tehran (23:30 UTC today), 1 Farvardin 1405 just after midnight, Esfand 30 of
# the leap year 1403, Esfand 29 of the common year 1402 (its last day) late in the evening.
CLOCK_INSTANTS=${CLOCK_INSTANTS:-"$(date -u +%F)T23:30:00+00:00 2026-03-20T20:45:00+00:00 2025-03-20T08:00:00+00:00 2024-03-19T19:00:00+00:00"}
for when in $CLOCK_INSTANTS; do
  echo "== date-sensitive tests on SQLite, the clock at $when =="
  clock_status=0
  env -u DATABASE_URL PISHKHAN_TEST_NOW="$when" "$PYTEST" -q -p no:cacheprovider -m "clock and not browser" \
    || clock_status=$?
  [ "$clock_status" -eq 5 ] && clock_status=0  # no test selected (a narrowed run)
  [ "$clock_status" -ne 0 ] && status=$clock_status
done

echo "== tests on PostgreSQL =="
pg_url=${DATABASE_URL:-}
if [ -z "$pg_url" ]; then
  if ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
    pg_root=$(mktemp -d /tmp/pishkhan-pg.XXXXXX)
    pg_url=$(scripts/pg-test-server.sh start "$pg_root")
  elif [ "${CI:-}" = "true" ]; then
    echo "error: PostgreSQL is missing and CI=true: the PostgreSQL run cannot be skipped" >&2
    exit 1
  else
    echo "warning: PostgreSQL is not installed; the PostgreSQL run is SKIPPED (make system-deps)" >&2
  fi
fi
if [ -n "$pg_url" ]; then
  DATABASE_URL=$pg_url "$PYTEST" "$@" || status=$?
fi

fuzz_engine=SQLite
[ -n "$pg_url" ] && fuzz_engine=PostgreSQL
echo "== Schemathesis: /api/v1/openapi.json on a live server ($fuzz_engine) =="
if [ ! -x .venv/bin/schemathesis ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "error: schemathesis is missing and CI=true: the API run cannot be skipped (make setup)" >&2
    exit 1
  fi
  echo "warning: schemathesis is not installed; the API run is SKIPPED (make setup)" >&2
  security_checks
  exit $status
fi
fuzz_state=$(mktemp -d /tmp/pishkhan-fuzz.XXXXXX)
if [ -n "$pg_url" ]; then
  DATABASE_URL=$pg_url .venv/bin/python -m tests.api.fuzz_server "$fuzz_state" >"$fuzz_state/server.log" 2>&1 &
else
  env -u DATABASE_URL .venv/bin/python -m tests.api.fuzz_server "$fuzz_state" >"$fuzz_state/server.log" 2>&1 &
fi
fuzz_pid=$!
for _ in $(seq 1 180); do
  [ -f "$fuzz_state/ready" ] && break
  if ! kill -0 "$fuzz_pid" 2>/dev/null; then break; fi
  sleep 1
done
if [ ! -f "$fuzz_state/ready" ]; then
  echo "error: the API test server did not start:" >&2
  tail -40 "$fuzz_state/server.log" >&2
  exit 1
fi
base_url=$(sed -n 1p "$fuzz_state/ready")
token=$(sed -n 2p "$fuzz_state/ready")
fuzz_status=0
# Token revocation is left out: the run would revoke its own token (tests/api covers it).
timeout 600 .venv/bin/schemathesis run "$base_url/api/v1/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks not_a_server_error,response_schema_conformance \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-25}" \
  --seed "${SCHEMATHESIS_SEED:-1}" \
  --workers 2 \
  --exclude-operation-id token_revoke \
  --generation-database none \
  --warnings off \
  --no-color \
  --report junit --report-dir test-artifacts/schemathesis || fuzz_status=$?
if [ "$fuzz_status" -ne 0 ]; then
  echo "Schemathesis found problems (exit $fuzz_status); server errors logged:" >&2
  grep -B2 -A25 "unhandled error" "$fuzz_state/server.log" | tail -80 >&2 || true
  status=$fuzz_status
fi
kill "$fuzz_pid" 2>/dev/null || true
wait "$fuzz_pid" 2>/dev/null || true
fuzz_pid=""
rm -rf "$fuzz_state"
security_checks
exit $status
