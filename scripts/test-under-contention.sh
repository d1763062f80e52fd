#!/usr/bin/env bash
# The whole suite on a busy machine (docs/reliability.md, "The suite under contention"): twice as many
# test files at once as there are cores, plus one process spinning a core. Runs it CONTENTION_RUNS
# times (default 3) and stops at the first failure; each run's output is kept in CONTENTION_LOG_DIR.
set -uo pipefail
cd "$(dirname "$0")/.."
cores=$(nproc)
runs=${CONTENTION_RUNS:-3}
logs=${CONTENTION_LOG_DIR:-.contention/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$logs"
node -e 'for (;;) {}' &
hog=$!
trap 'kill $hog 2>/dev/null' EXIT
for run in $(seq 1 "$runs"); do
  started=$(date +%s)
  TEST_CONCURRENCY=$((cores * 2)) bash scripts/test.sh "$@" > "$logs/run-$run.log" 2>&1
  rc=$?
  echo "run $run of $runs: exit $rc after $(( $(date +%s) - started )) s (load average $(cut -d' ' -f1-3 /proc/loadavg)); log $logs/run-$run.log"
  [ "$rc" -eq 0 ] || exit "$rc"
done
echo "passed $runs times in a row under contention"
