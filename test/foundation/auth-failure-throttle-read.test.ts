// The failed-authentication throttle reads the limiter's count with one Lua command of its own
// (src/auth/auth-failure-throttle.ts): it must agree with rate-limiter-flexible's own get() on
// the same keys, below, at and over the limit, and for an address never seen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { pino } from 'pino';
import { AuthFailureThrottle } from '../../src/auth/auth-failure-throttle.ts';
import { redisUrl } from '../support/test-server.ts';

test('the throttle reads what the limiter counted: nothing, below the limit, at it, over it', async () => {
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
  try {
    const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: `test-auth-failures-${randomBytes(4).toString('hex')}`, points: 3, duration: 60, useRedisPackage: false });
    const throttle = new AuthFailureThrottle(limiter, redis, pino({ level: 'silent' }));
    const address = '203.0.113.9';
    assert.equal(await throttle.retryAfterSeconds(address), undefined, 'never seen');
    assert.equal(await limiter.get(address), null);
    for (let failures = 1; failures <= 4; failures += 1) {
      await throttle.recordFailure(address);
      const state = (await limiter.get(address))!;
      assert.equal(state.consumedPoints, failures);
      const retryAfter = await throttle.retryAfterSeconds(address);
      if (failures < 3) assert.equal(retryAfter, undefined, `${failures} failures`);
      else {
        assert.ok(retryAfter !== undefined && retryAfter >= 1 && retryAfter <= 60, `${failures} failures: ${retryAfter}`);
        assert.equal(retryAfter, Math.max(1, Math.ceil(state.msBeforeNext / 1000)));
      }
    }
    assert.equal(await throttle.retryAfterSeconds('198.51.100.1'), undefined, 'another address');
  } finally {
    redis.disconnect();
  }
});

test('Redis unreachable: the throttle fails open (the nonce claim stops the bank request anyway)', async () => {
  const redis = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true, retryStrategy: () => null });
  const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: 'unreachable', points: 3, duration: 60, useRedisPackage: false });
  const throttle = new AuthFailureThrottle(limiter, redis, pino({ level: 'silent' }));
  assert.equal(await throttle.retryAfterSeconds('203.0.113.9'), undefined);
  redis.disconnect();
});
