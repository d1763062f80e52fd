#!/usr/bin/env bash
# `npm run chaos`: the reliability suite (chaos/run.ts). It starts its own PostgreSQL, Redis, stepup
# processes and simulator; this script only makes sure the binaries are there.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/services.sh
ensure_node_modules
command -v redis-server >/dev/null 2>&1 || apt_install redis-server
ensure_haproxy
export REDIS_SERVER_BIN="$(command -v redis-server)"
export PG_BIN_DIR="$(pg_bin_dir || { apt_install postgresql >/dev/null && pg_bin_dir; })"
npx tsx chaos/run.ts
