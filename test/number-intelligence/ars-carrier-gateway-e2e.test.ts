// Issue 4 item 6, the bank's carrier gateway (docs/number-vetting.md, docs/carrier-gateway.md) end to end: the
// tenant configures it with PUT /admin/v1/tenants/:id/carrier-gateway, pointing at a small real HTTP
// server on 127.0.0.1 that verifies stepup's Standard Webhooks signature as a bank would
// (gateway-fixture.ts). The simulator's Lookup answers "unknown" for forwarding on these numbers (Korea),
// so the gateway is the only source that knows: its "forwarded" refuses, its timeout is unknown and
// the policy's forwardingUnknown decides.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dbKinds } from '../support/databases.ts';
import { arsChallenge, callsTo, enroll, startArsWorld, waitForStatus, type ArsWorld } from '../ars/ars-fixture.ts';
import { generateGatewaySecret } from '../../src/telephony/number-intelligence/carrier-gateway-store.ts';
import { startGateway, type GatewayFixture, type GatewayHit } from './gateway-fixture.ts';
import { assertNeverDialed, putPhone, tenantWithArs, vettingAudit, waitForDial, type PolicyTenant } from './ars-e2e-fixture.ts';

/**
 * The tenant's gateway timeout, and how long a "slow" answer takes: far apart, so a prompt answer on
 * a loaded test machine is never mistaken for a timeout, nor a slow one for an answer.
 */
const timeoutMs = 1000;
const slowMs = 5000;

for (const db of dbKinds) {
  describe(`ARS with the bank's carrier gateway (${db})`, () => {
    let world: ArsWorld;
    let gateway: GatewayFixture;
    before(async () => {
      world = await startArsWorld({ db });
      gateway = await startGateway(generateGatewaySecret());
    });
    after(async () => {
      await gateway.close();
      await world.close();
    });

    /** A tenant with this ARS policy whose carrier gateway is the test's server. */
    async function gatewayTenant(ars: Record<string, unknown> = {}): Promise<PolicyTenant> {
      const tenant = await tenantWithArs(world, ars);
      const put = await world.server.admin('PUT', `/admin/v1/tenants/${tenant.tenantId}/carrier-gateway`, { url: gateway.url, secret: gateway.secret, timeoutMs });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      return tenant;
    }

    const hitsFor = (number: string): GatewayHit[] => gateway.hits.filter((hit) => hit.json?.number === number);

    /** Every request to the gateway about `number` was signed with the tenant's secret and carries the vetting's request id. */
    function assertSignedRequests(number: string, purposes: string[]): void {
      const hits = hitsFor(number);
      assert.deepEqual(hits.map((hit) => hit.json?.purpose), purposes);
      for (const hit of hits) {
        assert.equal(hit.signatureValid, true, 'signed with the gateway secret (Standard Webhooks)');
        assert.equal(hit.headers['webhook-id'], hit.json?.requestId);
        assert.match(String(hit.json?.requestId), /^nvr_/);
        assert.equal(hit.headers['content-type'], 'application/json');
      }
    }

    test('the gateway says forwarded: enrollment is refused with a signed request behind it', async () => {
      const { client, tenantId } = await gatewayTenant();
      const number = '+8226123001';
      gateway.reply({ body: { callForwarding: true, forwardedToSameOwner: false } }, number);
      const refused = await putPhone(client, 'cust-gw-enroll', number);
      assert.equal(refused.status, 422, JSON.stringify(refused.body));
      assert.equal(refused.body.code, 'call_forwarding_active');
      assert.equal(refused.body.callForwarding, true);
      assert.equal((await client.request('GET', '/v1/customers/cust-gw-enroll')).status, 404);
      assertSignedRequests(number, ['enrollment']);

      const [entry] = await vettingAudit(world.server, tenantId);
      assert.equal(entry.data.requestId, hitsFor(number)[0]!.json?.requestId, 'the audit and the gateway share the request id');
      const answer = entry.data.sources.find((source: any) => source.source === 'carrier_gateway');
      assert.deepEqual([answer.callForwarding, answer.forwardedToSameOwner], [true, false]);
      assert.equal(entry.data.sources.find((source: any) => source.source === 'twilio_lookup').callForwarding, null, 'Lookup could not tell');
    });

    test('the gateway says forwarded after enrollment: the challenge fails without a call', async () => {
      const { client } = await gatewayTenant();
      const number = '+8226123002';
      gateway.reply({ body: { callForwarding: false } }, number);
      await enroll(client, 'cust-gw-call', number);
      gateway.reply({ body: { callForwarding: true } }, number);
      const challenge = await arsChallenge(client, 'cust-gw-call');
      const done = await waitForStatus(client, challenge.id);
      assert.equal(done.result.reason, 'number_ineligible');
      assert.deepEqual(done.result.details, { reasons: ['call_forwarding_active'] });
      await assertNeverDialed(world.sim, number);
      assertSignedRequests(number, ['enrollment', 'call']);
    });

    test('callForwarding "allow_same_owner": only the gateway confirming the same subscriber excuses forwarding', async () => {
      const { client } = await gatewayTenant({ callForwarding: 'allow_same_owner' });
      const [sameOwner, otherOwner] = ['+8226123006', '+8226123007'];
      gateway.reply({ body: { callForwarding: true, forwardedToSameOwner: true } }, sameOwner);
      gateway.reply({ body: { callForwarding: true, forwardedToSameOwner: null } }, otherOwner);
      const accepted = await putPhone(client, 'cust-gw-same', sameOwner);
      assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
      assert.equal(accepted.body.callForwarding, true);
      const refused = await putPhone(client, 'cust-gw-other', otherOwner);
      assert.equal(refused.status, 422);
      assert.equal(refused.body.code, 'call_forwarding_active', 'an unconfirmed owner is not the same owner');
      assertSignedRequests(sameOwner, ['enrollment']);
    });

    test('the gateway times out: unknown, and the default policy (forwardingUnknown allow) places the call', async () => {
      const { client, tenantId } = await gatewayTenant();
      const number = '+8226123003';
      gateway.reply({ body: { callForwarding: true }, delayMs: slowMs }, number);
      await enroll(client, 'cust-gw-slow', number);
      const challenge = await arsChallenge(client, 'cust-gw-slow');
      await waitForDial(world.sim, number);
      assert.equal((await client.cancelChallenge(challenge.id)).status, 200);
      assertSignedRequests(number, ['enrollment', 'call']);
      const answers = (await vettingAudit(world.server, tenantId)).map((entry) => entry.data.sources.find((source: any) => source.source === 'carrier_gateway'));
      for (const answer of answers) assert.deepEqual([answer.callForwarding, answer.errors, answer.unavailable], [null, ['timeout'], true]);
    });

    test('forwardingUnknown reject: a gateway timeout refuses enrollment and the call; its "not forwarded" lets them through', async () => {
      const { client } = await gatewayTenant({ forwardingUnknown: 'reject' });
      const slow = '+8226123004';
      gateway.reply({ body: { callForwarding: false }, delayMs: slowMs }, slow);
      const refused = await putPhone(client, 'cust-gw-unknown', slow);
      assert.equal(refused.status, 422, JSON.stringify(refused.body));
      assert.equal(refused.body.code, 'call_forwarding_unknown');
      assert.equal((await client.request('GET', '/v1/customers/cust-gw-unknown')).status, 404);

      // Lookup alone cannot tell (unknown), so the gateway's "false" is what lets the number through.
      const number = '+8226123005';
      gateway.reply({ body: { callForwarding: false } }, number);
      await enroll(client, 'cust-gw-known', number);
      const allowed = await arsChallenge(client, 'cust-gw-known');
      await waitForDial(world.sim, number);
      assert.equal((await client.cancelChallenge(allowed.id)).status, 200);

      gateway.reply({ body: { callForwarding: false }, delayMs: slowMs }, number);
      const refusedCall = await arsChallenge(client, 'cust-gw-known');
      const done = await waitForStatus(client, refusedCall.id);
      assert.equal(done.result.reason, 'number_ineligible');
      assert.deepEqual(done.result.details, { reasons: ['call_forwarding_unknown'] });
      assert.equal((await callsTo(world.sim, number)).length, 1, 'only the first challenge was dialed');
      assertSignedRequests(slow, ['enrollment']);
      assertSignedRequests(number, ['enrollment', 'call', 'call']);
    });
  });
}
