// The full vet(): numbering plan + Twilio Lookup (simulator) + the tenant's carrier gateway (a real
// HTTP server), combined strictly, cached, audited — for enrollment and for the call purpose.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { dbKinds } from '../support/databases.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { createNumberIntelligence, type NumberIntelligence } from '../../src/telephony/number-intelligence/create-number-intelligence.ts';
import { generateGatewaySecret } from '../../src/telephony/number-intelligence/carrier-gateway-store.ts';
import { defaultPolicy } from '../../src/policy/policy-schema.ts';
import type { ArsPolicy, NumberVettingInput } from '../../src/channels/ars/number-vetting.ts';
import { startCountingSimulator, uniquePrefix, type CountingSimulator } from './helpers.ts';
import { startGateway, type GatewayFixture } from './gateway-fixture.ts';

const dayMs = 86_400_000;
const policy = (overrides: Partial<ArsPolicy> = {}): ArsPolicy => ({ ...defaultPolicy().channels.ars, ...overrides });

for (const db of dbKinds) {
  describe(`number vetting end to end (${db})`, () => {
    let server: TestServer;
    let sim: CountingSimulator;
    let gateway: GatewayFixture;
    let intelligence: NumberIntelligence;
    let tenantId: string;
    let clock = Date.now();

    before(async () => {
      [server, sim, gateway] = await Promise.all([startTestServer({ db, captureLogs: true }), startCountingSimulator(), startGateway(generateGatewaySecret())]);
      ({ tenantId } = await server.createTenant({ allowLoopbackCallbacks: true }));
      const put = await server.admin('PUT', `/admin/v1/tenants/${tenantId}/carrier-gateway`, { url: gateway.url, secret: gateway.secret, timeoutMs: 300 });
      assert.equal(put.status, 200);
      intelligence = createNumberIntelligence({
        ...server.running.context,
        twilioClient: sim.client,
        now: () => clock,
        keyPrefixes: { cache: uniquePrefix('ni'), caps: uniquePrefix('caps') },
      });
    });
    after(async () => {
      await Promise.all([server.close(), sim.close(), gateway.close()]);
    });
    beforeEach(() => {
      clock += 3600_000; // past every forwarding TTL: each test starts without cached forwarding
      sim.lookups.length = 0;
      gateway.hits.length = 0;
      gateway.reply({ body: { callForwarding: false } });
    });

    const vet = (e164: string, extra: Partial<NumberVettingInput> = {}) =>
      intelligence.vetter.vet({ tenantId, customerId: 'cust-1001', e164, policy: policy(), purpose: 'enrollment', ...extra });

    it('a Seoul landline, not forwarded anywhere: eligible, every source asked and audited with the number masked', async () => {
      await sim.configure('+8223123456', { lineType: 'landline', callForwarding: false });
      const vetting = await vet('+8223123456');
      assert.equal(vetting.eligible, true);
      assert.deepEqual(vetting.reasons, []);
      assert.equal(vetting.lineType, 'landline');
      assert.equal(vetting.callForwarding, false);
      assert.deepEqual(vetting.sources?.map((answer) => answer.source), ['numbering_plan', 'twilio_lookup', 'carrier_gateway']);
      assert.equal(gateway.hits.length, 1);
      assert.equal(gateway.hits[0]!.signatureValid, true);
      assert.deepEqual(gateway.hits[0]!.json, { number: '+8223123456', requestId: vetting.requestId, purpose: 'enrollment' });

      const audit = await server.admin('GET', `/admin/v1/audit?tenantId=${tenantId}&action=number.vetted&limit=1`);
      const entry = audit.body.entries[0];
      assert.equal(entry.subject, 'cust-1001');
      assert.equal(entry.actor, 'system:number-intelligence');
      assert.equal(entry.data.number, '+82 2-***-3456');
      assert.equal(entry.data.requestId, vetting.requestId);
      assert.equal(entry.data.purpose, 'enrollment');
      assert.equal(entry.data.eligible, true);
      assert.deepEqual(entry.data.sources.map((answer: any) => [answer.source, answer.lineType, answer.callForwarding]), [
        ['numbering_plan', 'landline', null],
        ['twilio_lookup', 'landline', false],
        ['carrier_gateway', 'unknown', false],
      ]);
      const text = JSON.stringify(audit.body);
      assert.ok(!text.includes('23123456') && !text.includes('312-3456'), 'the audit never holds the full number');
    });

    const refusals: [string, string, Record<string, unknown>, string[]][] = [
      ['010 mobile', '+821012345678', {}, ['line_type_not_allowed']],
      ['070 VoIP', '+827012345678', {}, ['line_type_not_allowed']],
      ['080 toll-free', '+82801234567', {}, ['line_type_never_dialed']],
      ['a Tokyo landline (outside allowedCountries)', '+81312345678', {}, ['country_not_allowed']],
      ['a landline the plan knows but Lookup calls mobile', '+82311234567', { lineType: 'mobile' }, ['line_type_not_allowed']],
      ['a landline with forwarding active at enrollment (Lookup)', '+82312223333', { lineType: 'landline', callForwarding: true }, ['call_forwarding_active']],
    ];
    for (const [name, e164, simConfig, reasons] of refusals) {
      it(`refuses ${name}`, async () => {
        if (Object.keys(simConfig).length > 0) await sim.configure(e164, simConfig);
        const vetting = await vet(e164);
        assert.equal(vetting.eligible, false);
        assert.deepEqual(vetting.reasons, reasons);
      });
    }

    it('accepts a Gyeonggi 031 landline whose forwarding nobody knows (forwardingUnknown: allow)', async () => {
      gateway.reply({ body: { callForwarding: null } });
      const vetting = await vet('+82315551234');
      assert.equal(vetting.eligible, true);
      assert.equal(vetting.callForwarding, null);
    });

    it('the carrier gateway saying "forwarded" refuses, though Lookup cannot tell', async () => {
      gateway.reply({ body: { callForwarding: true, forwardedToSameOwner: false } }, '+8227778888');
      const vetting = await vet('+8227778888');
      assert.deepEqual(vetting.reasons, ['call_forwarding_active']);
      assert.equal(vetting.callForwarding, true);
      const sameOwner = await vet('+8227778888', { policy: policy({ callForwarding: 'allow_same_owner' }) });
      assert.deepEqual(sameOwner.reasons, ['call_forwarding_active'], 'forwarded to another owner');
    });

    it('the carrier gateway timing out is unknown: the policy decides', async () => {
      gateway.reply({ body: { callForwarding: false }, delayMs: 1000 });
      const lenient = await vet('+8225556666');
      assert.equal(lenient.eligible, true);
      assert.deepEqual(lenient.sources?.find((answer) => answer.source === 'carrier_gateway')?.errors, ['timeout']);
      clock += 3600_000;
      const strict = await vet('+8225556666', { policy: policy({ forwardingUnknown: 'reject' }) });
      assert.deepEqual(strict.reasons, ['call_forwarding_unknown']);
    });

    it('forwarding switched on after enrollment: the call vetting sees it, without trusting the cache', async () => {
      await sim.configure('+8224445555', { lineType: 'landline', callForwarding: false });
      assert.equal((await vet('+8224445555')).eligible, true);
      gateway.reply({ body: { callForwarding: true } }, '+8224445555');
      clock += 1000;
      const atCall = await vet('+8224445555', { purpose: 'call' });
      assert.deepEqual(atCall.reasons, ['call_forwarding_active']);
      assert.equal(gateway.hits.length, 2, 'the gateway was asked again at call time');
      assert.equal(sim.lookups.at(-1)!.fields, 'call_forwarding,sim_swap', 'Lookup asked only for forwarding; line type came from the cache');
      assert.deepEqual(atCall.sources?.find((answer) => answer.source === 'twilio_lookup')?.cachedParts, ['lineType']);
      assert.equal(gateway.hits[1]!.json?.purpose, 'call');
    });

    it('a second enrollment vetting is served from Redis: neither Lookup nor the gateway is asked', async () => {
      await sim.configure('+8221112222', { lineType: 'landline', callForwarding: false });
      await vet('+8221112222');
      const lookups = sim.lookups.length;
      const hits = gateway.hits.length;
      const second = await vet('+8221112222');
      assert.equal(second.eligible, true);
      assert.equal(sim.lookups.length, lookups);
      assert.equal(gateway.hits.length, hits);
      assert.deepEqual(second.sources?.filter((answer) => answer.source !== 'numbering_plan').map((answer) => answer.cachedParts), [['lineType', 'forwarding'], ['lineType', 'forwarding']]);
    });

    it('after a number change, calls wait for the cooldown', async () => {
      const changedAt = new Date(clock);
      clock += 2 * dayMs;
      assert.deepEqual((await vet('+8223123456', { purpose: 'call', numberChangedAt: changedAt })).reasons, ['number_recently_changed']);
      clock += 6 * dayMs;
      assert.equal((await vet('+8223123456', { purpose: 'call', numberChangedAt: changedAt })).eligible, true);
    });

    it('caps calls per customer per hour (Redis)', async () => {
      const input = { tenantId, customerId: `cust-caps-${db}`, e164: '+8223123456', policy: policy() };
      for (let call = 0; call < 3; call += 1) assert.deepEqual(await intelligence.caps.reserve(input), { allowed: true });
      const refused = await intelligence.caps.reserve(input);
      assert.equal(refused.allowed, false);
      assert.equal(!refused.allowed && refused.reason, 'call_cap_reached');
    });

    it('a tenant without a gateway is vetted by the plan and Lookup only', async () => {
      const other = await server.createTenant();
      const vetting = await intelligence.vetter.vet({ tenantId: other.tenantId, customerId: 'c', e164: '+8223123456', policy: policy(), purpose: 'enrollment' });
      assert.deepEqual(vetting.sources?.map((answer) => answer.source), ['numbering_plan', 'twilio_lookup']);
    });

    it('never logs a full number', () => {
      const logs = server.logs.join('');
      for (const national of ['23123456', '1012345678', '312223333', '27778888']) assert.ok(!logs.includes(national), national);
    });
  });
}
