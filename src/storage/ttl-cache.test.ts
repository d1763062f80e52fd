import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TtlCache } from './ttl-cache.ts';

/** A load that resolves when told to, counting how often it ran. */
function gatedLoad<V>(value: V) {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const calls: string[] = [];
  return {
    calls,
    release: () => release(),
    load: async (key: string) => {
      calls.push(key);
      await gate;
      return value;
    },
  };
}

test('concurrent misses of one key share one load; other keys load on their own', async () => {
  const cache = new TtlCache<string>({ ttlMs: () => 1000 });
  const gated = gatedLoad('v');
  const waiting = Array.from({ length: 50 }, () => cache.get('a', gated.load));
  const other = cache.get('b', gated.load);
  gated.release();
  assert.deepEqual(await Promise.all(waiting), Array(50).fill('v'));
  assert.equal(await other, 'v');
  assert.deepEqual(gated.calls, ['a', 'b']);
  // Now cached: no further load.
  assert.equal(await cache.get('a', gated.load), 'v');
  assert.equal(gated.calls.length, 2);
});

test('a value is kept for its TTL, then loaded again; a TTL of 0 keeps nothing', async () => {
  let now = 0;
  let loads = 0;
  const cache = new TtlCache<string | null>({ ttlMs: (value) => (value === null ? 0 : 100), now: () => now });
  const load = async (key: string) => {
    loads += 1;
    return key === 'missing' ? null : key;
  };
  await cache.get('x', load);
  now = 99;
  await cache.get('x', load);
  assert.equal(loads, 1);
  now = 100;
  await cache.get('x', load);
  assert.equal(loads, 2);
  await cache.get('missing', load);
  await cache.get('missing', load);
  assert.equal(loads, 4, 'a value with TTL 0 is not cached');
});

test('an invalidation during a load: its callers get the value, nothing is stored, later callers load anew', async () => {
  const cache = new TtlCache<string>({ ttlMs: () => 1000 });
  const stale = gatedLoad('old');
  const first = cache.get('k', stale.load);
  cache.delete('k');
  const fresh = gatedLoad('new');
  const second = cache.get('k', fresh.load);
  stale.release();
  fresh.release();
  assert.equal(await first, 'old');
  assert.equal(await second, 'new', 'a caller after the invalidation does not join the stale load');
  assert.equal(await cache.get('k', async () => 'third'), 'new');
});

test('a failed load is not cached and does not stay in flight', async () => {
  const cache = new TtlCache<string>({ ttlMs: () => 1000 });
  await assert.rejects(cache.get('k', async () => Promise.reject(new Error('down'))), /down/);
  assert.equal(await cache.get('k', async () => 'up'), 'up');
});

test('beforeLoad runs only for the caller that would load, and its refusal is that caller\'s alone', async () => {
  const cache = new TtlCache<string>({ ttlMs: () => 1000 });
  const gated = gatedLoad('v');
  let checks = 0;
  const loading = cache.get('k', gated.load, async () => {
    checks += 1;
  });
  await new Promise((resolve) => setImmediate(resolve)); // the first caller's check is done, its load under way
  // Joins the load under way: its own check is not run, and a refusing check cannot fail the others.
  const joined = cache.get('k', gated.load, async () => {
    throw new Error('refused');
  });
  gated.release();
  assert.equal(await loading, 'v');
  assert.equal(await joined, 'v');
  assert.equal(checks, 1);
  // A refusing check on a miss: that caller is refused and nothing is loaded.
  const refusedLoad = gatedLoad('w');
  await assert.rejects(cache.get('other', refusedLoad.load, async () => Promise.reject(new Error('throttled'))), /throttled/);
  assert.deepEqual(refusedLoad.calls, []);
});
