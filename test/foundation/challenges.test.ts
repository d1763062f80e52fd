import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { compactVerify, createLocalJWKSet, jwtVerify } from 'jose';
import { dbKinds } from '../support/databases.ts';
import { startTestServer, transferBody, eventually, middayClock, type TestServer } from '../support/test-server.ts';
import { ManualChannel } from '../support/manual-channel.ts';
import type { StepupClient } from '../../src/client/stepup-client.ts';

for (const db of dbKinds) {
  describe(`challenges (${db})`, () => {
    let server: TestServer;
    let client: StepupClient;
    let tenantId: string;
    const manual = new ManualChannel('otp');

    before(async () => {
      server = await startTestServer({ db, channels: [manual], clock: middayClock() });
      ({ client, tenantId } = await server.createTenant());
    });
    after(() => server.close());

    test('a small transfer needs no step-up and ends not_required with a verifiable receipt', async () => {
      const created = await client.createChallenge<any>(transferBody({ customerId: 'cust-small' }, '10000'));
      assert.equal(created.status, 201);
      assert.equal(created.body.status, 'not_required');
      assert.equal(created.body.decision.stepUpRequired, false);
      assert.deepEqual(created.body.decision.reasons, []);
      assert.equal(created.body.transaction.payee.account, '***-***-456789');
      assert.ok(created.body.completedAt);
      const jwks = await (await fetch(`${server.url}/.well-known/jwks.json`)).json();
      const { payload, protectedHeader } = await compactVerify(created.body.result.receipt, createLocalJWKSet(jwks));
      assert.equal(protectedHeader.alg, 'ES256');
      const claims = JSON.parse(new TextDecoder().decode(payload));
      assert.equal(claims.sub, created.body.id);
      assert.equal(claims.tid, tenantId);
      assert.equal(claims.txh, created.body.transactionHash);
      assert.equal(claims.sts, 'not_required');
      // A standard JWT verifier accepts it too: type, issuer, issued-at, and a signature in RFC 7518 form.
      const verified = await jwtVerify(created.body.result.receipt, createLocalJWKSet(jwks), { typ: 'stepup-receipt+jwt', algorithms: ['ES256'] });
      assert.equal(verified.protectedHeader.kid, jwks.keys[0].kid);
      assert.equal(typeof verified.payload.iss, 'string');
      assert.equal(verified.payload.iat, Math.floor(Date.parse(created.body.completedAt) / 1000));
    });

    test('the daily cumulative threshold counts this transfer and earlier not-required ones', async () => {
      const customerId = 'cust-cumulative';
      const first = await client.createChallenge<any>(transferBody({ customerId }, '2000000'));
      assert.equal(first.body.status, 'not_required');
      const second = await client.createChallenge<any>(transferBody({ customerId }, '1000000'));
      // 2,000,000 + 1,000,000 reaches 3,000,000: step-up, and this customer has no channel.
      assert.equal(second.body.decision.stepUpRequired, true);
      assert.deepEqual(second.body.decision.reasons, ['daily_cumulative_threshold']);
      assert.equal(second.body.status, 'failed');
      assert.equal(second.body.result.reason, 'no_eligible_channel');
    });

    test('an enrolled customer gets a pending challenge on the chosen channel, with an expiry', async () => {
      const created = await client.createChallenge<any>(transferBody());
      assert.equal(created.status, 201);
      assert.equal(created.body.status, 'pending');
      assert.equal(created.body.channel, 'otp');
      assert.equal(created.body.result, null);
      assert.equal(new Date(created.body.expiresAt).getTime() - new Date(created.body.createdAt).getTime(), 300_000);
      assert.ok(manual.started.some((c) => c.id === created.body.id));
      const job = await server.running.context.queues.challengeExpiry.getJob(`exp-${created.body.id}`);
      assert.ok(job, 'expiry job scheduled');
      assert.ok((job!.opts.delay ?? 0) > 290_000);
    });

    test('cancel ends a pending challenge once; the channel is told to stop; terminal stays readable', async () => {
      const created = await client.createChallenge<any>(transferBody());
      const canceled = await client.cancelChallenge<any>(created.body.id);
      assert.equal(canceled.status, 200);
      assert.equal(canceled.body.status, 'canceled');
      assert.equal(canceled.body.result.reason, 'canceled_by_bank');
      assert.ok(manual.stopped.some((c) => c.id === created.body.id));
      const again = await client.cancelChallenge<any>(created.body.id);
      assert.equal(again.status, 200);
      assert.equal(again.body.status, 'canceled');
      const read = await client.getChallenge<any>(created.body.id);
      assert.equal(read.status, 200);
      assert.equal(read.body.status, 'canceled');
    });

    test('a decided challenge cannot be canceled and never changes again', async () => {
      const created = await client.createChallenge<any>(transferBody());
      const { changed } = await server.running.context.challenges.finish(tenantId, created.body.id, { status: 'approved', reason: 'code_verified', actor: 'channel:otp' });
      assert.equal(changed, true);
      const cancel = await client.cancelChallenge<any>(created.body.id);
      assert.equal(cancel.status, 409);
      assert.equal(cancel.body.code, 'challenge_not_pending');
      const second = await server.running.context.challenges.finish(tenantId, created.body.id, { status: 'denied', reason: 'x', actor: 'test' });
      assert.equal(second.changed, false);
      assert.equal(second.challenge.status, 'approved');
    });

    test('Idempotency-Key: same body replays, another body is 409, nothing is created twice', async () => {
      const body = transferBody();
      const key = `idem-${Date.now()}`;
      const first = await client.createChallenge<any>(body, { idempotencyKey: key });
      const second = await client.createChallenge<any>(body, { idempotencyKey: key });
      assert.equal(first.status, 201);
      assert.equal(second.status, 201);
      assert.equal(second.body.id, first.body.id);
      assert.equal(second.headers.get('idempotent-replayed'), 'true');
      const other = await client.createChallenge<any>({ ...body, locale: 'en-US' }, { idempotencyKey: key });
      assert.equal(other.status, 409);
      assert.equal(other.body.code, 'idempotency_key_reused');
    });

    test('bad input is a 400/422 problem and stores nothing', async () => {
      const count = async () => Number((await server.running.context.db.query<{ n: number }>('SELECT count(*)::int AS n FROM challenges')).rows[0]!.n);
      const before = await count();
      const cases: [unknown, number, string][] = [
        [{ ...transferBody(), surprise: true }, 400, 'validation_failed'],
        [transferBody({ transaction: { reference: 'x', type: 'transfer' } }), 400, 'validation_failed'],
        [transferBody({}, '12.5'), 422, 'invalid_amount'],
        [transferBody({}, '-1'), 400, 'validation_failed'],
        [transferBody({ channels: ['sms'] }), 400, 'validation_failed'],
        [transferBody({ callbackUrl: 'https://10.0.0.1/hook' }), 422, 'unsafe_callback_url'],
        [transferBody({ callbackUrl: 'http://bank.example/hook' }), 422, 'unsafe_callback_url'],
      ];
      for (const [body, status, code] of cases) {
        const response = await client.createChallenge<any>(body);
        assert.equal(response.status, status, JSON.stringify(response.body));
        assert.equal(response.body.code, code);
        assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/);
      }
      const malformed = await client.request<any>('POST', '/v1/challenges', undefined);
      assert.equal(malformed.status, 400);
      assert.equal(await count(), before);
    });

    test("another tenant's challenge is 404, exactly like a missing one", async () => {
      const created = await client.createChallenge<any>(transferBody());
      const other = await server.createTenant({ name: 'Other Bank' });
      const foreign = await other.client.getChallenge<any>(created.body.id);
      const missing = await other.client.getChallenge<any>('chl_doesnotexist000000000');
      assert.equal(foreign.status, 404);
      assert.equal(missing.status, 404);
      assert.deepEqual({ ...foreign.body, instance: undefined }, { ...missing.body, instance: undefined });
      const cancel = await other.client.cancelChallenge<any>(created.body.id);
      assert.equal(cancel.status, 404);
      assert.equal((await client.getChallenge<any>(created.body.id)).body.status, 'pending');
    });

    test('always-for types step up without an amount', async () => {
      const created = await client.createChallenge<any>({ customerId: 'cust-1001', transaction: { reference: 'CERT-1', type: 'certificate_reissue' } });
      assert.equal(created.status, 201);
      assert.deepEqual(created.body.decision.reasons, ['transaction_type']);
      assert.equal(created.body.status, 'pending');
    });

    test('an expiry job moves a pending challenge to expired/timeout', async () => {
      const created = await client.createChallenge<any>(transferBody());
      // Pull the expiry forward: the delayed job is promoted and runs now.
      await server.running.context.db.query(`UPDATE challenges SET expires_at = now() - interval '1 second' WHERE id = $1`, [created.body.id]);
      const job = await server.running.context.queues.challengeExpiry.getJob(`exp-${created.body.id}`);
      await job!.changeDelay(0);
      const expired = await eventually(async () => {
        const read = await client.getChallenge<any>(created.body.id);
        return read.body.status === 'expired' ? read.body : undefined;
      }, 10_000, 'expiry');
      assert.equal(expired.result.reason, 'timeout');
    });
  });
}
