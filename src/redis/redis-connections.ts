import { Redis, type RedisOptions } from 'ioredis';
import type { RedisTarget } from '../config/config.ts';

/**
 * A connection to `target`: one Redis by URL, or through Redis Sentinel to whichever server is the
 * primary now (docs/deployment.md). With Sentinel, ioredis asks the sentinels for the primary on
 * every (re)connect and checks its role. A primary demoted under a live connection answers writes
 * with READONLY: the connection is then dropped and made again to the new primary (the command
 * fails with a 503, or is sent again where the offline queue is on). Not ioredis's
 * `failoverDetector`: its disconnect on +switch-master can land while the client is resolving the
 * primary, which leaves the client ended for good ("Connection is closed" until a restart; seen in
 * test/reliability/redis-sentinel.test.ts, the mechanism of BullMQ issue #4378).
 */
export function connectRedis(target: RedisTarget, options: RedisOptions): Redis {
  const password = target.password ? { password: target.password } : {};
  if (!target.sentinels) return new Redis(target.url, { ...password, ...options });
  return new Redis({
    sentinels: target.sentinels,
    name: target.name,
    ...(target.sentinelPassword ? { sentinelPassword: target.sentinelPassword } : {}),
    ...password,
    sentinelRetryStrategy: (times) => Math.min(times * 200, 2000),
    reconnectOnError: (error) => (/^READONLY/.test(error.message) ? 2 : false),
    ...options,
  });
}

/**
 * API-side connections fail fast while Redis is away (the API answers 503 and keeps serving what
 * does not need Redis); worker connections wait and retry for ever, as BullMQ requires.
 * `autoPipelining` sends the commands that concurrent requests issue in one event-loop tick as one
 * write (nonce checks, rate limits): fewer syscalls under load, same order per connection.
 */
export function createRedis(target: RedisTarget, purpose: 'command' | 'worker', options: { autoPipelining?: boolean } = {}): Redis {
  return connectRedis(target, {
    maxRetriesPerRequest: purpose === 'worker' ? null : 1,
    enableOfflineQueue: purpose === 'worker',
    enableAutoPipelining: options.autoPipelining ?? false,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    connectionName: `stepup-${purpose}`,
    lazyConnect: false,
  });
}

/** What to log about where Redis is, without passwords. */
export function describeRedis(target: RedisTarget): string {
  if (!target.sentinels) return target.url.replace(/\/\/[^@]*@/, '//***@');
  return `sentinel ${target.sentinels.map((s) => `${s.host}:${s.port}`).join(',')} name ${target.name}`;
}

/**
 * Redis's answers that mean "not now" rather than "wrong": out of memory under `noeviction`
 * (OOM), still loading its data after a restart (LOADING), a replica whose primary is gone
 * (MASTERDOWN), a demoted primary after a Sentinel failover (READONLY). Anywhere in the message:
 * inside a Lua script (BullMQ's) Redis quotes the refusal after "Error running script".
 */
const refusedForNow = /\b(OOM command not allowed|LOADING Redis is loading|MASTERDOWN|READONLY You can't write)/;

/** True for errors that mean "Redis is not reachable, or refuses work, right now". */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === 'MaxRetriesPerRequestError' ||
    /Stream isn't writeable|Connection is closed|enableOfflineQueue|ECONNREFUSED|ECONNRESET|connect ETIMEDOUT/.test(error.message) ||
    refusedForNow.test(error.message)
  );
}

/** Resolves once the connection is ready (start-up waits for Redis rather than running without it). */
export function whenReady(redis: Redis, onWaiting?: () => void): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  const timer = onWaiting ? setInterval(onWaiting, 5000) : undefined;
  return new Promise((resolve) => {
    redis.once('ready', () => {
      if (timer) clearInterval(timer);
      resolve();
    });
  });
}
