// docs/policy-reference.md channel choice with §8's number-change cooldown: a customer whose ARS number changed
// within numberChangeCooldownDays is not eligible for ARS, so the next enrolled channel (OTP) takes
// the challenge. Before, ARS was chosen anyway and the challenge failed `number_ineligible` at dial time.
// PUT phone tells the bank when a changed number becomes callable (`callableFrom`).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dbKinds } from '../support/databases.ts';
import { enroll, startArsWorld, type ArsWorld } from '../ars/ars-fixture.ts';
import { importToken } from '../otp-channel/otp-support.ts';
import { transferBody } from '../support/test-server.ts';

for (const db of dbKinds) {
  describe(`number change cooldown and channel choice (${db})`, () => {
    let world: ArsWorld;
    before(async () => {
      world = await startArsWorld({ db, ars: { numberChangeCooldownDays: 7 } });
    });
    after(() => world.close());

    test('a first number is called at once: ARS is chosen', async () => {
      const first = await world.client.request<any>('PUT', '/v1/customers/cust-first/phone', { number: '+8223180001' });
      assert.deepEqual(first.body, { number: '+82 2-***-0001', lineType: 'landline', callForwarding: null, eligible: true, reasons: [] });
      await enroll(world.client, 'cust-first', '+8223180001');
      assert.equal((await world.client.request<any>('PUT', '/v1/customers/cust-first/phone', { number: '+8223180001' })).body.callableFrom, undefined, 'the same number again is no change');
      const created = await world.client.request<any>('POST', '/v1/challenges', transferBody({ customerId: 'cust-first' }));
      assert.equal(created.status, 201);
      assert.equal(created.body.channel, 'ars');
    });

    test('a changed number within the cooldown: OTP takes the challenge; without another channel, no_eligible_channel', async () => {
      const { client } = world;
      await enroll(client, 'cust-changed', '+8223180002');
      const before = Date.now();
      const changed = await client.request<any>('PUT', '/v1/customers/cust-changed/phone', { number: '+8223180003' });
      assert.equal(changed.status, 200);
      assert.equal(changed.body.eligible, true);
      const callableFrom = Date.parse(changed.body.callableFrom);
      assert.ok(callableFrom >= before + 7 * 86_400_000 - 1000 && callableFrom <= Date.now() + 7 * 86_400_000 + 1000, 'callableFrom is the change time + 7 days');
      await importToken(client, 'cust-changed', { type: 'ocra', suite: 'OCRA-1:HOTP-SHA1-6:C-QN16', secretHex: '3132333435363738393031323334353637383930' });
      const created = await client.request<any>('POST', '/v1/challenges', transferBody({ customerId: 'cust-changed' }));
      assert.equal(created.status, 201);
      assert.equal(created.body.status, 'pending');
      assert.equal(created.body.channel, 'otp');

      await enroll(client, 'cust-changed-ars-only', '+8223180004');
      await enroll(client, 'cust-changed-ars-only', '+8223180005');
      const refused = await client.request<any>('POST', '/v1/challenges', transferBody({ customerId: 'cust-changed-ars-only' }));
      assert.equal(refused.body.status, 'failed');
      assert.equal(refused.body.result.reason, 'no_eligible_channel');
    });
  });
}
