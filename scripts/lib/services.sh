# Shared by scripts/test.sh, scripts/demo.sh and scripts/bench.sh: provide Node dependencies,
# Redis, PostgreSQL and Chromium on this machine, privately, without touching system services.
# Everything started here is stopped by `services_stop` (call it from an EXIT trap).

STEPUP_TMP="${STEPUP_TMP:-$(pwd)/.tmp}"
mkdir -p "$STEPUP_TMP"
STARTED_PIDS=()
# Folders of what was started here, removed by services_stop once their processes have exited.
STARTED_DIRS=()

log() { printf '[stepup] %s\n' "$*" >&2; }

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

apt_install() {
  if [ "$(id -u)" != "0" ]; then
    log "missing: $* — install it with: sudo apt-get install -y $*"
    return 1
  fi
  log "installing Debian packages: $*"
  if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq >&2 || true; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

ensure_node_modules() {
  # A symlinked node_modules (a git worktree sharing another checkout's) is never reinstalled from
  # here: npm ci would empty the folder it points to under whoever else is using it.
  if [ -L node_modules ]; then return 0; fi
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "installing npm dependencies (npm ci: exactly what package-lock.json records)"
    # No fallback to npm install: a lock file out of step with package.json is a defect to fix in
    # the repository (npm install, commit the lock file), never something to paper over in a clone.
    if ! npm ci --no-audit --no-fund >&2; then
      log "npm ci failed: if it says package.json and package-lock.json are not in sync, run npm install and commit package-lock.json"
      return 1
    fi
  fi
}

# Sets REDIS_URL: the one given, else a private redis-server on a free port.
ensure_redis() {
  if [ -n "${REDIS_URL:-}" ]; then log "using REDIS_URL from the environment"; return 0; fi
  if ! command -v redis-server >/dev/null 2>&1; then apt_install redis-server || return 1; fi
  local port dir
  port=$(free_port)
  dir="$STEPUP_TMP/redis-$port"
  mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >&2
  for _ in $(seq 1 50); do [ -s "$dir/redis.pid" ] && redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  STARTED_PIDS+=("$(cat "$dir/redis.pid")")
  STARTED_DIRS+=("$dir")
  export REDIS_URL="redis://127.0.0.1:$port"
  log "private Redis on $REDIS_URL"
}

pg_bin_dir() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }; done
  return 1
}

# Sets TEST_DATABASE_URL: the one given, else a throwaway cluster on a free port.
ensure_postgres() {
  if [ -n "${TEST_DATABASE_URL:-}" ]; then log "using TEST_DATABASE_URL from the environment"; return 0; fi
  local bin
  bin=$(pg_bin_dir) || { apt_install postgresql && bin=$(pg_bin_dir); } || { log "PostgreSQL server binaries not found"; return 1; }
  export PG_BIN_DIR="$bin"
  local port dir run_as=()
  port=$(free_port)
  dir=$(mktemp -d /tmp/stepup-pg.XXXXXX)
  if [ "$(id -u)" = "0" ]; then
    chown postgres:postgres "$dir"
    run_as=(runuser -u postgres --)
    export PG_RUN_AS=postgres
  fi
  "${run_as[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --no-sync -E UTF8 >/dev/null
  "${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/pg.log" -w -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
  STARTED_PG_DIRS+=("$dir")
  export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
  log "throwaway PostgreSQL on port $port"
}

# HAProxy in front of a PostgreSQL primary and its streaming replica (test/support/pg-failover.ts).
ensure_haproxy() {
  command -v haproxy >/dev/null 2>&1 || apt_install haproxy || { log "haproxy not found: the PostgreSQL failover test will fail"; return 1; }
  export HAPROXY_BIN="$(command -v haproxy)"
}

ensure_chromium() {
  if [ -n "${CHROMIUM_PATH:-}" ]; then return 0; fi
  if ! command -v chromium >/dev/null 2>&1; then apt_install chromium || return 1; fi
  export CHROMIUM_PATH=$(command -v chromium)
}

STARTED_PG_DIRS=()
services_stop() {
  local pid dir
  for pid in "${STARTED_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  # SIGTERM ends them within moments: wait (up to 5 s each) so nothing writes into a folder being removed.
  for pid in "${STARTED_PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
  for dir in "${STARTED_DIRS[@]}"; do rm -rf "$dir"; done
  for dir in "${STARTED_PG_DIRS[@]}"; do
    if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$PG_BIN_DIR/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    else "$PG_BIN_DIR/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
  done
}
