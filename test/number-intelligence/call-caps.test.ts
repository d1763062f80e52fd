// Call caps on real Redis: both budgets, rolling windows, no count on refusal, no race.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisCallCaps } from '../../src/telephony/number-intelligence/redis-call-caps.ts';
import { createNumberHasher } from '../../src/telephony/number-intelligence/number-hash.ts';
import { defaultPolicy } from '../../src/policy/policy-schema.ts';
import type { ArsPolicy } from '../../src/channels/ars/number-vetting.ts';
import { uniquePrefix } from './helpers.ts';
import { redisUrl } from '../support/test-server.ts';

const policy = (overrides: Partial<ArsPolicy> = {}): ArsPolicy => ({ ...defaultPolicy().channels.ars, ...overrides });
const tenantId = 'ten_caps00000';

describe('Redis call caps (docs/number-vetting.md "Call caps")', () => {
  const connections: Redis[] = [];
  const hashNumber = createNumberHasher(randomBytes(32));
  let clock = Date.now();
  const caps = (keyPrefix: string, redis = connections[0]!) => new RedisCallCaps({ redis, hashNumber, keyPrefix, now: () => clock });

  before(() => {
    for (let index = 0; index < 6; index += 1) connections.push(new Redis(redisUrl()));
  });
  after(() => {
    for (const connection of connections) connection.disconnect();
  });

  it('allows maxCallsPerCustomerPerHour calls, then refuses without counting, until the hour rolls on', async () => {
    clock = Date.now();
    const prefix = uniquePrefix('caps');
    const limiter = caps(prefix);
    const input = { tenantId, customerId: 'cust-1', e164: '+8223123456', policy: policy({ maxCallsPerCustomerPerHour: 3 }) };
    for (let call = 0; call < 3; call += 1) {
      assert.deepEqual(await limiter.reserve(input), { allowed: true });
      clock += 60_000;
    }
    const refused = await limiter.reserve(input);
    assert.equal(refused.allowed, false);
    assert.equal(!refused.allowed && refused.reason, 'call_cap_reached');
    assert.equal(!refused.allowed && refused.cap, 'customer_hour');
    assert.equal(!refused.allowed && refused.retryAfterSeconds, 3600 - 180);
    const [customerKey, numberKey] = limiter.keys(tenantId, 'cust-1', '+8223123456');
    assert.equal(await connections[0]!.zcard(customerKey), 3, 'a refusal is not counted');
    assert.equal(await connections[0]!.zcard(numberKey), 3);
    // One hour after the first call it has left the window: one more call is allowed.
    clock += 3600_000 - 180_000;
    assert.deepEqual(await limiter.reserve(input), { allowed: true });
    assert.equal((await limiter.reserve(input)).allowed, false);
  });

  it('caps a number per day across customers, and sets TTLs on both keys', async () => {
    clock = Date.now();
    const prefix = uniquePrefix('caps');
    const limiter = caps(prefix);
    const base = { tenantId, e164: '+82311234567', policy: policy({ maxCallsPerCustomerPerHour: 2, maxCallsPerNumberPerDay: 4 }) };
    for (const customerId of ['a', 'a', 'b', 'b']) assert.deepEqual(await limiter.reserve({ ...base, customerId }), { allowed: true });
    const refused = await limiter.reserve({ ...base, customerId: 'c' });
    assert.deepEqual(refused.allowed ? refused : { cap: refused.cap, reason: refused.reason }, { cap: 'number_day', reason: 'call_cap_reached' });
    const [customerC, numberKey] = limiter.keys(tenantId, 'c', base.e164);
    assert.equal(await connections[0]!.exists(customerC), 0, 'the refused customer budget was not touched');
    const [customerA] = limiter.keys(tenantId, 'a', base.e164);
    assert.ok((await connections[0]!.pttl(customerA)) > 0 && (await connections[0]!.pttl(customerA)) <= 3600_000);
    assert.ok((await connections[0]!.pttl(numberKey)) > 3600_000 && (await connections[0]!.pttl(numberKey)) <= 86_400_000);
    // A different number of the same customer has its own day budget (the customer budget still applies).
    assert.deepEqual(await limiter.reserve({ ...base, customerId: 'c', e164: '+8223123456' }), { allowed: true });
  });

  it('keeps tenants apart and never holds the number in a key', async () => {
    clock = Date.now();
    const prefix = uniquePrefix('caps');
    const limiter = caps(prefix);
    const input = { customerId: 'cust-1', e164: '+8223123456', policy: policy({ maxCallsPerCustomerPerHour: 1 }) };
    assert.equal((await limiter.reserve({ ...input, tenantId: 'ten_aaaaaaaa' })).allowed, true);
    assert.equal((await limiter.reserve({ ...input, tenantId: 'ten_bbbbbbbb' })).allowed, true);
    assert.equal((await limiter.reserve({ ...input, tenantId: 'ten_aaaaaaaa' })).allowed, false);
    for (const key of await connections[0]!.keys(`${prefix}:*`)) assert.ok(!key.includes('3123456'), key);
  });

  it('concurrent reserves on several connections never overshoot either budget', async () => {
    clock = Date.now();
    const prefix = uniquePrefix('caps');
    const limiters = connections.map((connection) => caps(prefix, connection));
    const customerInput = { tenantId, customerId: 'bombed', e164: '+8223123456', policy: policy({ maxCallsPerCustomerPerHour: 3, maxCallsPerNumberPerDay: 100 }) };
    const verdicts = await Promise.all(Array.from({ length: 60 }, (_, index) => limiters[index % limiters.length]!.reserve(customerInput)));
    assert.equal(verdicts.filter((verdict) => verdict.allowed).length, 3);
    const [customerKey, numberKey] = limiters[0]!.keys(tenantId, 'bombed', '+8223123456');
    assert.equal(await connections[0]!.zcard(customerKey), 3);
    assert.equal(await connections[0]!.zcard(numberKey), 3);

    const numberInput = { tenantId, e164: '+82311112222', policy: policy({ maxCallsPerCustomerPerHour: 100, maxCallsPerNumberPerDay: 7 }) };
    const numberVerdicts = await Promise.all(
      Array.from({ length: 60 }, (_, index) => limiters[index % limiters.length]!.reserve({ ...numberInput, customerId: `cust-${index}` })),
    );
    assert.equal(numberVerdicts.filter((verdict) => verdict.allowed).length, 7);
    assert.ok(numberVerdicts.every((verdict) => verdict.allowed || verdict.cap === 'number_day'));
  });
});
