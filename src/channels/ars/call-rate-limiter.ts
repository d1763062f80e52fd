// At most `callsPerSecond` Calls.create per provider account across every worker process (docs/ars-channel.md
// step 1): one Redis key per account holds the next free slot; each dial takes the next slot and
// waits until it comes. Atomic (one Lua script), so racing workers never share a slot.
import type { Redis } from 'ioredis';
import type { CallRateLimiter } from './ars-ports.ts';
import { nowMs, type Clock } from '../../time/clock.ts';

const reserveSlot = `
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local nextFree = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, nextFree)
redis.call('SET', KEYS[1], tostring(slot + interval), 'PX', math.ceil(slot + interval - now) + 1000)
return slot - now`;

export function redisCallRateLimiter(redis: Redis, keyPrefix: string, clock: Clock): CallRateLimiter {
  return {
    async reserve(accountId, callsPerSecond) {
      const intervalMs = 1000 / callsPerSecond;
      const wait = (await redis.eval(reserveSlot, 1, `${keyPrefix}:ars:cps:${accountId}`, String(nowMs(clock)), String(intervalMs))) as number;
      return Math.max(0, Math.ceil(Number(wait)));
    },
  };
}
