// The names in a call: the bank's name for the call's locale (tenant bankNames, the string
// bankName as before otherwise), and names written in another script spoken by a voice of that
// language — on the wire (the simulator's transcript lines carry each <Say>'s language).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dbKinds } from '../support/databases.ts';
import { arsChallenge, enroll, press, setArsPolicy, fastArs, startArsWorld, waitForAsk, waitForStatus, type ArsWorld } from './ars-fixture.ts';

for (const db of dbKinds) {
  describe(`call names (${db})`, () => {
    let world: ArsWorld;
    before(async () => {
      world = await startArsWorld({ db });
    });
    after(() => world.close());

    test('a tenant names its bank per locale; the string form still works and keeps the names', async () => {
      const { server } = world;
      const created = await server.admin('POST', '/admin/v1/tenants', { name: 'Names Bank', bankName: '스텝업은행', bankNames: { 'ko-KR': '스텝업은행', 'en-US': 'Stepup Bank' } });
      assert.equal(created.status, 201);
      assert.equal(created.body.bankName, '스텝업은행');
      assert.deepEqual(created.body.bankNames, { 'ko-KR': '스텝업은행', 'en-US': 'Stepup Bank' });
      const renamed = await server.admin('PUT', `/admin/v1/tenants/${created.body.id}`, { bankName: '스텝업' });
      assert.equal(renamed.status, 200);
      assert.equal(renamed.body.bankName, '스텝업');
      assert.deepEqual(renamed.body.bankNames, { 'ko-KR': '스텝업은행', 'en-US': 'Stepup Bank' });
      const read = await server.admin('GET', `/admin/v1/tenants/${created.body.id}`);
      assert.deepEqual(read.body.bankNames, { 'ko-KR': '스텝업은행', 'en-US': 'Stepup Bank' });
      const unknownLocale = await server.admin('PUT', `/admin/v1/tenants/${created.body.id}`, { bankNames: { 'fr-FR': 'Banque' } });
      assert.equal(unknownLocale.status, 400);
      const plain = await server.admin('POST', '/admin/v1/tenants', { name: 'Plain Bank', bankName: 'Plain' });
      assert.deepEqual(plain.body.bankNames, {});
    });

    test('an en-US call greets with the English name and speaks the Hangul payee with the Korean voice; a ko-KR call uses the Korean name', async () => {
      const { server, sim } = world;
      const tenant = await server.createTenant({ bankName: '스텝업은행', bankNames: { 'ko-KR': '스텝업은행', 'en-US': 'Stepup Bank' } });
      await setArsPolicy(server, tenant.tenantId, fastArs);
      const english = '+8223173470';
      const korean = '+8223173471';
      await enroll(tenant.client, 'cust-en', english);
      await enroll(tenant.client, 'cust-ko', korean);

      const enChallenge = await arsChallenge(tenant.client, 'cust-en', { locale: 'en-US' });
      const enCall = await waitForAsk(sim, english);
      const enSays = enCall.lines.filter((line: any) => line.kind === 'say').map((line: any) => [line.text, line.language]);
      assert.deepEqual(enSays[0], ['Hello, this is Stepup Bank. We are calling to confirm a request made in your name.', 'en-US']);
      assert.ok(enSays.some(([text, language]: [string, string]) => text === '김철수' && language === 'ko-KR'), JSON.stringify(enSays));
      assert.ok(enSays.some(([text, language]: [string, string]) => text === '신한은행' && language === 'ko-KR'));
      assert.equal(enSays.some(([text, language]: [string, string]) => language === 'en-US' && /\p{Script=Hangul}/u.test(text)), false);
      await press(sim, enCall.sid, '*#');
      assert.equal((await waitForStatus(tenant.client, enChallenge.id)).status, 'denied');

      const koChallenge = await arsChallenge(tenant.client, 'cust-ko', { locale: 'ko-KR' });
      const koCall = await waitForAsk(sim, korean);
      const greeting = koCall.lines.find((line: any) => line.kind === 'say');
      assert.match(greeting.text, /스텝업은행/);
      assert.equal(greeting.language, 'ko-KR');
      assert.equal(koCall.lines.some((line: any) => line.language !== 'ko-KR' && line.kind === 'say'), false);
      await press(sim, koCall.sid, '*#');
      assert.equal((await waitForStatus(tenant.client, koChallenge.id)).status, 'denied');
    });
  });
}
