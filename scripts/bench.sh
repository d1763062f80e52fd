#!/usr/bin/env bash
# `npm run bench`: private Redis and PostgreSQL, then bench/run.ts writes BENCHMARKS.md.
#   BENCH_PROFILE=1    bench/profile.ts instead: stepup under --cpu-prof (BENCH_PROFILE_KIND=heap: allocations;
#                      BENCH_PROFILE_TARGET=mandated: the mandated baseline instead of stepup)
#                      with the not_required load, self time per package as Markdown
#   BENCH_SCALE_OUT=1  bench/scale-out.ts instead: 2 api processes + 1 worker against 1 all-in-one
#   BENCH_BACKTEST=1   bench/backtest-bench.ts instead: the policy backtest over 1,000,000 stored decisions
# Other knobs (BENCH_DURATION, BENCH_ONLY=throughput, BENCH_OUTPUT, ...) are listed in bench/run.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/services.sh
trap services_stop EXIT
ensure_node_modules
ensure_redis
ensure_postgres
export BENCH_DATABASE_URL="$TEST_DATABASE_URL"
if [ "${BENCH_PROFILE:-}" = "1" ]; then
  npx tsx bench/profile.ts
elif [ "${BENCH_BACKTEST:-}" = "1" ]; then
  npx tsx bench/backtest-bench.ts
elif [ "${BENCH_SCALE_OUT:-}" = "1" ]; then
  npx tsx bench/scale-out.ts
else
  npx tsx bench/run.ts
fi
