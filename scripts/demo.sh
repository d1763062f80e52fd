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
# In the background and waited for, so a SIGTERM or SIGINT to this script reaches the demo (which
# drains and exits within SHUTDOWN_GRACE_MS) before the EXIT trap stops Redis under it.
node_modules/.bin/tsx src/cli/demo.ts &
demo_pid=$!
trap 'kill -TERM "$demo_pid" 2>/dev/null || true' INT TERM
status=0
wait "$demo_pid" || status=$?
# A trapped signal interrupts the first wait: wait again for the demo's own exit.
if kill -0 "$demo_pid" 2>/dev/null; then wait "$demo_pid" || status=$?; fi
exit "$status"
