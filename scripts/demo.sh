#!/usr/bin/env bash
# The README's main command: installs dependencies, provides Redis (REDIS_URL, else a private
# redis-server, installed from Debian when running as root), then runs the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/services.sh
trap services_stop EXIT
ensure_node_modules
if ! ensure_redis; then
  log "stepup needs Redis. Install it with: sudo apt-get install -y redis-server  (or set REDIS_URL)"
  exit 1
fi
npx tsx src/cli/demo.ts
