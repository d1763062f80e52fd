#!/usr/bin/env bash
# The whole test suite, from a fresh machine: dependencies, a private Redis, a throwaway PostgreSQL
# cluster and Chromium are set up here, then every test runs against PGlite and against PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/services.sh
trap services_stop EXIT

ensure_node_modules
ensure_redis
ensure_postgres
ensure_haproxy || true
ensure_chromium || log "Chromium unavailable: browser tests will fail"
export REDIS_SERVER_BIN="$(command -v redis-server || true)"

# The runner type-checks as it compiles the suite (scripts/compile-suite.mjs); from the sources, it does not.
if [ "${TEST_TSX:-}" = 1 ]; then
  log "type check"
  npx tsc --noEmit -p tsconfig.json
fi

log "tests (storage: PGlite, and PostgreSQL at TEST_DATABASE_URL)"
node scripts/run-tests.mjs "$@"
