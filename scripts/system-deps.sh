#!/usr/bin/env bash
# Install the Debian packages Pishkhan needs, only those missing.
#   scripts/system-deps.sh run    — what the app needs to serve (Node/npm for assets, Pango for PDFs)
#   scripts/system-deps.sh test   — plus what the tests need (poppler, PostgreSQL, Chromium)
set -euo pipefail
mode=${1:-run}
need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
want() { for p in "$@"; do have_pkg "$p" || need+=("$p"); done; }

command -v npm >/dev/null || want nodejs npm
want libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig
if [ "$mode" = test ]; then
  want poppler-utils chromium zbar-tools
  ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || want postgresql
fi
[ ${#need[@]} -eq 0 ] && exit 0

echo "installing system packages: ${need[*]}"
if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
  echo "error: need root (or sudo) to install: ${need[*]}" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# Debian starts a cluster on install; the tests start their own throwaway server instead.
if printf '%s\n' "${need[@]}" | grep -qx postgresql && command -v pg_ctlcluster >/dev/null; then
  for v in /etc/postgresql/*/main; do
    [ -d "$v" ] && $SUDO pg_ctlcluster "$(basename "$(dirname "$v")")" main stop 2>/dev/null || true
  done
fi
