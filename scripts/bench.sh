#!/usr/bin/env bash
# `npm run bench`: private Redis and PostgreSQL, then bench/run.ts writes BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/services.sh
trap services_stop EXIT
ensure_node_modules
ensure_redis
ensure_postgres
export BENCH_DATABASE_URL="$TEST_DATABASE_URL"
npx tsx bench/run.ts
