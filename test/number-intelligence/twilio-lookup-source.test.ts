// Lookup v2 through the official SDK against the in-process simulator, and the Redis cache in front.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { TwilioLookupSource, lookupAnswer } from '../../src/telephony/number-intelligence/twilio-lookup-source.ts';
import { CachedNumberSource } from '../../src/telephony/number-intelligence/cached-number-source.ts';
import { createNumberHasher } from '../../src/telephony/number-intelligence/number-hash.ts';
import { createTwilioClient } from '../../src/telephony/twilio-client.ts';
import type { AnswerPart, SourceQuery } from '../../src/telephony/number-intelligence/number-source.ts';
import { accountSid, allParts, authToken, startCountingSimulator, uniquePrefix, type CountingSimulator } from './helpers.ts';
import { redisUrl } from '../support/test-server.ts';

const query = (e164: string, purpose: SourceQuery['purpose'] = 'enrollment', parts: ReadonlySet<AnswerPart> = allParts): SourceQuery => ({
  tenantId: 'ten_lookup000',
  e164,
  purpose,
  parts,
  requestId: 'nvr_test',
});

describe('Twilio Lookup source', () => {
  let sim: CountingSimulator;
  let source: TwilioLookupSource;

  before(async () => {
    sim = await startCountingSimulator();
    source = new TwilioLookupSource(sim.client);
  });
  after(() => sim.close());
  beforeEach(() => {
    sim.sim.state.clear();
    sim.lookups.length = 0;
  });

  it('answers what PUT /sim/numbers configured: landline, forwarding off', async () => {
    await sim.configure('+8223123456', { lineType: 'landline', callForwarding: false });
    const answer = await source.lookup(query('+8223123456'));
    assert.deepEqual(answer, { source: 'twilio_lookup', valid: true, lineType: 'landline', country: 'KR', callForwarding: false, simSwap: null, errors: ['sim_swap_60607'] });
    assert.equal(sim.lookups[0]!.fields, 'line_type_intelligence,call_forwarding,sim_swap');
  });

  it('forwarding on', async () => {
    await sim.configure('+8223123456', { lineType: 'landline', callForwarding: true });
    const answer = await source.lookup(query('+8223123456'));
    assert.equal(answer.callForwarding, true);
  });

  it('forwarding null (not configured) is unknown, never "no"', async () => {
    await sim.configure('+82311234567', { lineType: 'landline', callForwarding: null });
    const answer = await source.lookup(query('+82311234567'));
    assert.equal(answer.callForwarding, null);
    assert.ok(answer.errors.includes('call_forwarding_60607'));
  });

  it('an unconfigured 010 number looks up as mobile, 070 as VoIP, forwarding unknown', async () => {
    const mobile = await source.lookup(query('+821012345678'));
    assert.equal(mobile.lineType, 'mobile');
    assert.equal(mobile.callForwarding, null);
    const voip = await source.lookup(query('+827012345678'));
    assert.equal(voip.lineType, 'nonFixedVoip');
  });

  it('asks only for the parts it needs', async () => {
    await source.lookup(query('+8223123456', 'call', new Set(['forwarding'])));
    assert.equal(sim.lookups[0]!.fields, 'call_forwarding,sim_swap');
  });

  it('a Lookup outage is an unknown answer, not a crash', async () => {
    const unreachable = new TwilioLookupSource(createTwilioClient({ accountSid, authToken, apiBaseUrl: 'http://127.0.0.1:1', timeoutMs: 500 }));
    const answer = await unreachable.lookup(query('+8223123456'));
    assert.equal(answer.unavailable, true);
    assert.equal(answer.lineType, 'unknown');
    assert.equal(answer.callForwarding, null);
    assert.deepEqual(answer.errors, ['unreachable']);
  });

  it('a Lookup authentication failure is an unknown answer with its status', async () => {
    const wrongToken = new TwilioLookupSource(createTwilioClient({ accountSid, authToken: 'wrong-token', apiBaseUrl: sim.baseUrl }));
    const answer = await wrongToken.lookup(query('+8223123456'));
    assert.equal(answer.unavailable, true);
    assert.deepEqual(answer.errors, ['http_401']);
  });

  it('maps SIM swap, errored packages and malformed values', () => {
    assert.equal(lookupAnswer({ valid: true, countryCode: 'GB', simSwap: { lastSimSwap: { swapped_in_period: true }, errorCode: null } }).simSwap, true);
    assert.equal(lookupAnswer({ simSwap: { lastSimSwap: { swapped_in_period: false } } }).simSwap, false);
    const errored = lookupAnswer({ lineTypeIntelligence: { type: 'landline', errorCode: 60600 }, callForwarding: { callForwardingEnabled: false, errorCode: 60607 } });
    assert.equal(errored.lineType, 'unknown', 'an errored package is not believed');
    assert.equal(errored.callForwarding, null, 'an errored "false" is unknown, never "no"');
    assert.equal(lookupAnswer({ lineTypeIntelligence: { type: 'satellite' } }).lineType, 'unknown');
    assert.equal(lookupAnswer({}).callForwarding, null);
    assert.equal(lookupAnswer({}).valid, null);
  });
});

describe('cached Lookup source (Redis)', () => {
  let sim: CountingSimulator;
  let redis: Redis;
  let clock = Date.now();
  let callMaxAge = 0;
  const hashNumber = createNumberHasher(randomBytes(32));
  const cached = (keyPrefix: string) =>
    new CachedNumberSource(new TwilioLookupSource(sim.client), { redis, hashNumber, keyPrefix, now: () => clock, ttls: { lineTypeSeconds: 86_400, forwardingSeconds: 120, callForwardingMaxAgeSeconds: callMaxAge } });

  before(async () => {
    sim = await startCountingSimulator();
    redis = new Redis(redisUrl());
  });
  after(async () => {
    redis.disconnect();
    await sim.close();
  });
  beforeEach(() => {
    sim.sim.state.clear();
    sim.lookups.length = 0;
    clock = Date.now();
    callMaxAge = 0;
  });

  it('a second vetting is served from Redis, not Lookup', async () => {
    await sim.configure('+8223123456', { lineType: 'landline', callForwarding: false });
    const source = cached(uniquePrefix('lookup'));
    const first = await source.lookup(query('+8223123456'));
    const second = await source.lookup(query('+8223123456'));
    assert.equal(sim.lookups.length, 1);
    assert.equal(first.cachedParts, undefined);
    assert.deepEqual(second.cachedParts, ['lineType', 'forwarding']);
    assert.equal(second.lineType, 'landline');
    assert.equal(second.callForwarding, false);
    assert.equal(second.country, 'KR');
  });

  it('enrollment reuses forwarding younger than its TTL; older is asked again (only forwarding), line type stays cached', async () => {
    await sim.configure('+8223123456', { lineType: 'landline', callForwarding: false });
    const source = cached(uniquePrefix('lookup'));
    await source.lookup(query('+8223123456'));
    clock += 60_000;
    assert.deepEqual((await source.lookup(query('+8223123456'))).cachedParts, ['lineType', 'forwarding']);
    await sim.configure('+8223123456', { lineType: 'landline', callForwarding: true });
    clock += 61_000;
    const later = await source.lookup(query('+8223123456'));
    assert.equal(sim.lookups.length, 2);
    assert.equal(sim.lookups[1]!.fields, 'call_forwarding,sim_swap');
    assert.deepEqual(later.cachedParts, ['lineType']);
    assert.equal(later.lineType, 'landline');
    assert.equal(later.callForwarding, true);
  });

  it('a call never trusts an earlier forwarding answer by default: forwarding switched on after enrollment is seen', async () => {
    await sim.configure('+8223123456', { lineType: 'landline', callForwarding: false });
    const source = cached(uniquePrefix('lookup'));
    assert.equal((await source.lookup(query('+8223123456', 'enrollment'))).callForwarding, false);
    await sim.configure('+8223123456', { lineType: 'landline', callForwarding: true });
    clock += 1000;
    const atCall = await source.lookup(query('+8223123456', 'call'));
    assert.equal(atCall.callForwarding, true);
    assert.deepEqual(atCall.cachedParts, ['lineType']);
    assert.equal(sim.lookups[1]!.fields, 'call_forwarding,sim_swap');
  });

  it('callForwardingMaxAgeSeconds lets calls reuse a recent forwarding answer, never one older', async () => {
    callMaxAge = 30;
    await sim.configure('+8223123456', { lineType: 'landline', callForwarding: false });
    const source = cached(uniquePrefix('lookup'));
    await source.lookup(query('+8223123456', 'call'));
    clock += 20_000;
    assert.deepEqual((await source.lookup(query('+8223123456', 'call'))).cachedParts, ['lineType', 'forwarding']);
    clock += 11_000;
    assert.deepEqual((await source.lookup(query('+8223123456', 'call'))).cachedParts, ['lineType']);
    assert.equal(sim.lookups.length, 2);
  });

  it('never puts the number in a Redis key', async () => {
    const prefix = uniquePrefix('lookup');
    await cached(prefix).lookup(query('+8223123456'));
    const keys = await redis.keys(`${prefix}:*`);
    assert.equal(keys.length, 2);
    for (const key of keys) assert.ok(!key.includes('8223123456') && !key.includes('3123456'), key);
    const ttls = await Promise.all(keys.map((key) => redis.ttl(key)));
    assert.deepEqual(ttls.sort((a, b) => a - b).map((ttl) => ttl > 0), [true, true]);
    assert.ok(ttls.some((ttl) => ttl <= 120) && ttls.some((ttl) => ttl > 3600), `ttls ${ttls.join(',')}`);
  });

  it('an outage is not cached: the next vetting asks again', async () => {
    const prefix = uniquePrefix('lookup');
    const down = new CachedNumberSource(new TwilioLookupSource(createTwilioClient({ accountSid, authToken, apiBaseUrl: 'http://127.0.0.1:1', timeoutMs: 500 })), { redis, hashNumber, keyPrefix: prefix });
    const answer = await down.lookup(query('+8223123456'));
    assert.equal(answer.unavailable, true);
    assert.deepEqual(await redis.keys(`${prefix}:*`), []);
  });

  it('a Redis failure degrades to asking the source', async () => {
    const unreachableRedis = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    unreachableRedis.on('error', () => undefined);
    await sim.configure('+8223123456', { lineType: 'landline', callForwarding: false });
    const source = new CachedNumberSource(new TwilioLookupSource(sim.client), { redis: unreachableRedis, hashNumber });
    const answer = await source.lookup(query('+8223123456'));
    assert.equal(answer.lineType, 'landline');
    assert.equal(answer.callForwarding, false);
    assert.equal(sim.lookups.length, 1);
    unreachableRedis.disconnect();
  });

  it('caches per tenant', async () => {
    const source = cached(uniquePrefix('lookup'));
    await source.lookup(query('+8223123456'));
    await source.lookup({ ...query('+8223123456'), tenantId: 'ten_other0000' });
    assert.equal(sim.lookups.length, 2);
  });
});
