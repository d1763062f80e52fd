// Call caps (docs/number-vetting.md "Call caps"): at most `maxCallsPerCustomerPerHour` calls per customer and
// `maxCallsPerNumberPerDay` per number, so stolen credentials cannot bomb a customer with calls or
// run up the bill. Both budgets are rolling windows (a sorted set of call times per budget: no
// double burst at a fixed window's edge), checked and counted by one Lua script — atomic, so
// concurrent reserves cannot overshoot, and a refused attempt counts against neither budget.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { CallCapVerdict, CallCaps, ArsPolicy } from '../../channels/ars/number-vetting.ts';
import type { NumberHasher } from './number-hash.ts';

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

/**
 * KEYS[1] the customer's call times, KEYS[2] the number's call times (same hash slot).
 * ARGV: now (ms), customer limit, customer window (ms), number limit, number window (ms), member.
 * Returns {0, 0} when counted, {1 | 2, ms until the oldest call leaves the window} when refused.
 */
const reserveScript = `
local now = tonumber(ARGV[1])
local budgets = { { KEYS[1], tonumber(ARGV[2]), tonumber(ARGV[3]) }, { KEYS[2], tonumber(ARGV[4]), tonumber(ARGV[5]) } }
for index, budget in ipairs(budgets) do
  redis.call('ZREMRANGEBYSCORE', budget[1], '-inf', now - budget[3])
  if redis.call('ZCARD', budget[1]) >= budget[2] then
    local oldest = redis.call('ZRANGE', budget[1], 0, 0, 'WITHSCORES')
    return { index, tonumber(oldest[2]) + budget[3] - now }
  end
end
for _, budget in ipairs(budgets) do
  redis.call('ZADD', budget[1], now, ARGV[6])
  redis.call('PEXPIRE', budget[1], budget[3])
end
return { 0, 0 }
`;

type ReservingRedis = Redis & {
  stepupReserveCall(customerKey: string, numberKey: string, ...args: (string | number)[]): Promise<[number, number]>;
};

export interface RedisCallCapsOptions {
  redis: Redis;
  hashNumber: NumberHasher;
  now?: () => number;
  keyPrefix?: string;
}

export class RedisCallCaps implements CallCaps {
  private readonly redis: ReservingRedis;
  private readonly now: () => number;
  private readonly prefix: string;

  constructor(private readonly options: RedisCallCapsOptions) {
    options.redis.defineCommand('stepupReserveCall', { numberOfKeys: 2, lua: reserveScript });
    this.redis = options.redis as ReservingRedis;
    this.now = options.now ?? Date.now;
    this.prefix = options.keyPrefix ?? 'cap:v1';
  }

  /** `{tenant}` is a hash tag: both keys live in one slot, as a Lua script on Redis Cluster needs. */
  keys(tenantId: string, customerId: string, e164: string): [customerKey: string, numberKey: string] {
    const slot = `{${tenantId}}`;
    return [`${this.prefix}:${slot}:customer:${customerId}`, `${this.prefix}:${slot}:number:${this.options.hashNumber(e164)}`];
  }

  async reserve(input: { tenantId: string; customerId: string; e164: string; policy: ArsPolicy }): Promise<CallCapVerdict> {
    const [customerKey, numberKey] = this.keys(input.tenantId, input.customerId, input.e164);
    const now = this.now();
    const member = `${now}:${randomBytes(6).toString('base64url')}`;
    const [refused, retryAfterMs] = await this.redis.stepupReserveCall(
      customerKey,
      numberKey,
      now,
      input.policy.maxCallsPerCustomerPerHour,
      hourMs,
      input.policy.maxCallsPerNumberPerDay,
      dayMs,
      member,
    );
    if (refused === 0) return { allowed: true };
    return {
      allowed: false,
      reason: 'call_cap_reached',
      cap: refused === 1 ? 'customer_hour' : 'number_day',
      retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
    };
  }
}
