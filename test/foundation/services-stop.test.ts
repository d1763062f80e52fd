// scripts/lib/services.sh, which `npm test`, `npm run demo` and `npm run bench` source: what it starts
// for a run it stops and removes at the end (`services_stop`, from their EXIT traps). A private Redis
// left its folder (its log) behind in `.tmp/` after every run: a hundred of them after a day's work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const servicesScript = join(import.meta.dirname, '../../scripts/lib/services.sh');

test('a private Redis is stopped and its folder removed by services_stop', { skip: spawnSync('sh', ['-c', 'command -v redis-server']).status !== 0 && 'no redis-server here' }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'stepup-services-'));
  try {
    // In one shell: start it, report its pid and folder, stop everything, report whether the process is gone.
    const script = `set -euo pipefail
source "${servicesScript}"
# Also at the end, however the script ends (a second call finds nothing left to stop).
trap services_stop EXIT
unset REDIS_URL
ensure_redis
pid=$(cat "$STEPUP_TMP"/redis-*/redis.pid)
echo "started $pid $(ls "$STEPUP_TMP")"
services_stop
if kill -0 "$pid" 2>/dev/null; then echo "still running"; else echo "stopped"; fi`;
    const result = spawnSync('bash', ['-c', script], { env: { ...process.env, STEPUP_TMP: tmp }, encoding: 'utf8', timeout: 30_000 });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^started \d+ redis-\d+$/m, result.stdout);
    assert.match(result.stdout, /^stopped$/m, result.stdout);
    assert.deepEqual(readdirSync(tmp), []);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
