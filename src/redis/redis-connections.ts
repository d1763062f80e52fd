import { Redis } from 'ioredis';

/**
 * API-side connections fail fast while Redis is away (the API answers 503 and keeps serving what
 * does not need Redis); worker connections wait and retry for ever, as BullMQ requires.
 * `autoPipelining` sends the commands that concurrent requests issue in one event-loop tick as one
 * write (nonce checks, rate limits): fewer syscalls under load, same order per connection.
 */
export function createRedis(url: string, purpose: 'command' | 'worker', options: { autoPipelining?: boolean } = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: purpose === 'worker' ? null : 1,
    enableOfflineQueue: purpose === 'worker',
    enableAutoPipelining: options.autoPipelining ?? false,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    connectionName: `stepup-${purpose}`,
    lazyConnect: false,
  });
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
