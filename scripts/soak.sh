#!/usr/bin/env bash
# `npm run soak`: the demo run in real time with every flow, round after round (soak/run.ts;
# SOAK_SECONDS, default 600). Provides the dependencies and a private Redis like `npm run demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/services.sh
trap services_stop EXIT
ensure_node_modules
if ! ensure_redis; then
  log "the soak needs Redis. Install it with: sudo apt-get install -y redis-server  (or set REDIS_URL)"
  exit 1
fi
npx tsx soak/run.ts
