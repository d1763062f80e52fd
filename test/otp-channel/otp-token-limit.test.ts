// Security issue 12 (OTP): at most 10 OTP tokens per customer. The 11th import is refused with
// 409 otp_token_limit_reached; concurrent imports cannot overshoot (the customer's row is locked
// while the tokens are counted); deleting a token makes room again.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dbKinds } from '../support/databases.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { payeeOnlyTenant } from './otp-support.ts';

const LIMIT = 10;
const totp = { type: 'totp' } as const;
const ocra = { type: 'ocra', suite: 'OCRA-1:HOTP-SHA1-6:C-QN08', secretHex: '3132333435363738393031323334353637383930' } as const;

for (const db of dbKinds) {
  describe(`OTP tokens per customer (${db})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ db });
    });
    after(() => server.close());

    test('the 11th token is refused with 409 otp_token_limit_reached; a deletion makes room', async () => {
      const { client } = await payeeOnlyTenant(server);
      const ids: string[] = [];
      for (let i = 0; i < LIMIT; i++) {
        const created = await client.createOtpToken<any>('cust-many', i % 2 ? totp : ocra);
        assert.equal(created.status, 201, `token ${i + 1}`);
        ids.push(created.body.id);
      }
      for (const body of [ocra, totp]) {
        const refused = await client.createOtpToken<any>('cust-many', body);
        assert.equal(refused.status, 409);
        assert.equal(refused.body.code, 'otp_token_limit_reached');
        assert.equal(refused.body.limit, LIMIT);
        assert.match(refused.headers.get('content-type') ?? '', /application\/problem\+json/);
      }
      assert.equal((await client.listOtpTokens<any>('cust-many')).body.tokens.length, LIMIT);
      // Another customer of the same bank is not affected.
      assert.equal((await client.createOtpToken<any>('cust-other', totp)).status, 201);
      assert.equal((await client.deleteOtpToken<any>('cust-many', ids[0]!)).status, 204);
      assert.equal((await client.createOtpToken<any>('cust-many', totp)).status, 201);
      assert.equal((await client.createOtpToken<any>('cust-many', totp)).status, 409);
    });

    test('concurrent imports for one customer never exceed the limit', async () => {
      const { client, tenantId } = await payeeOnlyTenant(server);
      await client.createOtpToken<any>('cust-race', totp);
      const answers = await Promise.all(Array.from({ length: 16 }, () => client.createOtpToken<any>('cust-race', ocra)));
      const statuses = answers.map((answer) => answer.status).sort();
      assert.equal(statuses.filter((status) => status === 201).length, LIMIT - 1, JSON.stringify(statuses));
      assert.ok(answers.filter((answer) => answer.status !== 201).every((answer) => answer.status === 409 && answer.body.code === 'otp_token_limit_reached'));
      const stored = await server.running.context.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM otp_tokens WHERE tenant_id = $1 AND customer_id = 'cust-race'`, [tenantId]);
      assert.equal(stored.rows[0]!.n, LIMIT);
    });
  });
}
