// Security finding 8: policy bounds that a tenant cannot loosen, through the admin policy API.
// - consecutive failures before a lock: at most 5 (PSD2 RTS, Delegated Regulation (EU) 2018/389,
//   Art. 4(3)(b)) — channels.ars.lockAfterConsecutiveFailures and channels.otp.maxAttempts;
// - challenge lifetime: at most 600 s while an out-of-band channel (ARS) can be chosen (NIST SP
//   800-63B §5.1.3.2: an out-of-band secret is valid for at most 10 minutes).
// A version stored before the bounds keeps its values, but they are capped where they are used.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dbKinds } from '../support/databases.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { standardKey20 } from '../otp/rfc-keys.ts';
import { createOtpChallenge, hex, importToken } from '../otp-channel/otp-support.ts';
import { defaultPolicy, parsePolicy } from '../../src/policy/policy-schema.ts';

const policyPath = (tenantId: string) => `/admin/v1/tenants/${tenantId}/policy`;

for (const db of dbKinds) {
  describe(`policy security bounds (${db})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ db });
    });
    after(() => server.close());

    /** PUTs `change(document)` over version 0; returns the answer. */
    async function put(tenantId: string, change: (document: any) => void) {
      const current = await server.admin('GET', policyPath(tenantId));
      const document = structuredClone(current.body.document);
      change(document);
      return server.admin('PUT', policyPath(tenantId), document, { 'if-match': `"v${current.body.version}"` });
    }

    test('the defaults are within the bounds', () => {
      const parsed = parsePolicy(defaultPolicy());
      assert.ok(parsed.ok);
      assert.equal(parsed.policy.channels.ars.lockAfterConsecutiveFailures, 5);
      assert.equal(parsed.policy.channels.otp.maxAttempts, 5);
      assert.equal(parsed.policy.challengeTtlSeconds, 300);
    });

    const refusals: [string, (document: any) => void, string][] = [
      ['ars lock after 6 failures', (d) => (d.channels.ars.lockAfterConsecutiveFailures = 6), 'body.channels.ars.lockAfterConsecutiveFailures'],
      ['otp lock after 6 failures', (d) => (d.channels.otp.maxAttempts = 6), 'body.channels.otp.maxAttempts'],
      ['a grade loosening the ars lock', (d) => (d.grades = { relaxed: { channels: { ars: { lockAfterConsecutiveFailures: 10 } } } }), 'body.grades.relaxed.channels.ars.lockAfterConsecutiveFailures'],
      ['a grade loosening the otp lock', (d) => (d.grades = { relaxed: { channels: { otp: { maxAttempts: 20 } } } }), 'body.grades.relaxed.channels.otp.maxAttempts'],
      ['a 601 s challenge with ARS enabled', (d) => (d.challengeTtlSeconds = 601), 'body.challengeTtlSeconds'],
      ['a grade with a 3600 s challenge while ARS is enabled', (d) => (d.grades = { slow: { challengeTtlSeconds: 3600 } }), 'body.grades.slow.challengeTtlSeconds'],
      [
        'a grade re-enabling ARS under a 900 s base lifetime',
        (d) => {
          d.channels.ars.enabled = false;
          d.challengeTtlSeconds = 900;
          d.grades = { phone: { channels: { ars: { enabled: true } } } };
        },
        'body.grades.phone.challengeTtlSeconds',
      ],
    ];
    for (const [name, change, field] of refusals) {
      test(`refused with 400 validation_failed naming the field: ${name}`, async () => {
        const { tenantId } = await server.createTenant();
        const refused = await put(tenantId, change);
        assert.equal(refused.status, 400, JSON.stringify(refused.body));
        assert.equal(refused.body.code, 'validation_failed');
        assert.deepEqual(refused.body.errors.map((error: any) => error.path), [field], JSON.stringify(refused.body.errors));
        assert.match(refused.body.detail, new RegExp(field.replace(/\./g, '\\.')));
        assert.equal((await server.admin('GET', policyPath(tenantId))).body.version, 0, 'nothing stored');
      });
    }

    test('the bounds themselves are accepted; a long lifetime is fine when no out-of-band channel can be chosen', async () => {
      const { tenantId } = await server.createTenant();
      const atBounds = await put(tenantId, (d) => {
        d.channels.ars.lockAfterConsecutiveFailures = 5;
        d.channels.otp.maxAttempts = 5;
        d.challengeTtlSeconds = 600;
      });
      assert.equal(atBounds.status, 200, JSON.stringify(atBounds.body));
      const other = await server.createTenant();
      const withoutArs = await put(other.tenantId, (d) => {
        d.channelOrder = ['webauthn', 'otp'];
        d.challengeTtlSeconds = 3600;
      });
      assert.equal(withoutArs.status, 200, JSON.stringify(withoutArs.body));
      const disabled = await put((await server.createTenant()).tenantId, (d) => {
        d.channels.ars.enabled = false;
        d.challengeTtlSeconds = 1800;
      });
      assert.equal(disabled.status, 200, JSON.stringify(disabled.body));
    });

    test('dry-run refuses an out-of-bounds draft the same way', async () => {
      const { tenantId } = await server.createTenant();
      const current = await server.admin('GET', policyPath(tenantId));
      const draft = { ...structuredClone(current.body.document), challengeTtlSeconds: 900 };
      const transaction = { reference: 'TX-dry', type: 'certificate_reissue' };
      const refused = await server.admin('POST', `${policyPath(tenantId)}/dry-run`, { policy: draft, transaction });
      assert.equal(refused.status, 400);
      assert.deepEqual(refused.body.errors.map((error: any) => error.path), ['policy.challengeTtlSeconds']);
    });

    test('a version stored before the bounds: its values are capped where they are used', async () => {
      const { tenantId, client } = await server.createTenant();
      // Written as the PUT used to accept it (the table holds what was valid then).
      const legacy = structuredClone(defaultPolicy()) as any;
      legacy.challengeTtlSeconds = 3600;
      legacy.channels.otp.maxAttempts = 20;
      legacy.channels.ars.lockAfterConsecutiveFailures = 20;
      await server.running.context.db.query(`INSERT INTO policy_versions (tenant_id, version, document, author) VALUES ($1, 1, $2, 'admin:before-bounds')`, [tenantId, JSON.stringify(legacy)]);
      // The admin API shows what is stored, unchanged.
      const stored = await server.admin('GET', policyPath(tenantId));
      assert.equal(stored.body.document.channels.otp.maxAttempts, 20);

      await importToken(client, 'cust-legacy', { type: 'ocra', suite: 'OCRA-1:HOTP-SHA1-6:C-QN16', secretHex: hex(standardKey20) });
      const challenge = await createOtpChallenge(client, 'cust-legacy', '110-123-456789');
      assert.equal(new Date(challenge.expiresAt).getTime() - new Date(challenge.createdAt).getTime(), 600_000, 'lifetime capped at 600 s');
      const answers: number[] = [];
      for (let i = 0; i < 5; i++) answers.push((await client.submitOtp<any>(challenge.id, '000001')).body.attemptsRemaining);
      assert.deepEqual(answers, [4, 3, 2, 1, 0], 'five attempts, not twenty');
      assert.equal((await client.listOtpTokens<any>('cust-legacy')).body.tokens[0].locked, true, 'locked after five consecutive failures');
      // The next write must satisfy the bounds.
      const rewrite = await server.admin('PUT', policyPath(tenantId), stored.body.document, { 'if-match': '"v1"' });
      assert.equal(rewrite.status, 400);
      assert.deepEqual(
        rewrite.body.errors.map((error: any) => error.path).sort(),
        ['body.challengeTtlSeconds', 'body.channels.ars.lockAfterConsecutiveFailures', 'body.channels.otp.maxAttempts'],
      );
    });
  });
}
