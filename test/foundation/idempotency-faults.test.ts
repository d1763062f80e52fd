// test: slow, about 25 s
// Idempotency-Key under faults (docs/reliability.md, "Idempotency key and challenge are one unit"):
// whatever fails between claiming the key and answering, a retry with the same key ends with exactly
// one challenge — never a second one, never `409 idempotency_in_progress` for a day.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { dbKinds } from '../support/databases.ts';
import { FaultyDb } from '../support/faulty-db.ts';
import { ManualChannel } from '../support/manual-channel.ts';
import { startTestServer, transferBody, eventually, type TestServer } from '../support/test-server.ts';
import type { StepupClient } from '../../src/client/stepup-client.ts';

for (const db of dbKinds) {
  describe(`Idempotency-Key under faults (${db})`, () => {
    let server: TestServer;
    let client: StepupClient;
    let tenantId: string;
    let faulty: FaultyDb;
    const enrolled = new Set<string>();
    const manual = new ManualChannel('otp', enrolled);

    before(async () => {
      server = await startTestServer({ db, channels: [manual], wrapDb: (inner) => (faulty = new FaultyDb(inner)) });
      ({ client, tenantId } = await server.createTenant());
    });
    after(() => server.close());

    const challengesOf = async (customerId: string) =>
      (await server.running.context.db.query<{ id: string }>('SELECT id FROM challenges WHERE tenant_id = $1 AND customer_id = $2', [tenantId, customerId])).rows.map((row) => row.id);
    const newKey = () => `idem-${randomBytes(6).toString('hex')}`;

    for (const [kind, amount, enroll] of [['pending', '3500000', true], ['not_required', '10000', false]] as const) {
      test(`PostgreSQL goes away right after a ${kind} challenge is stored: the retry replays it`, async () => {
        const customerId = `cust-crash-${randomBytes(4).toString('hex')}`;
        if (enroll) enrolled.add(customerId);
        const body = transferBody({ customerId }, amount);
        const key = newKey();
        faulty.failAfterCommitOf(/INSERT INTO challenges/);
        const first = await client.createChallenge<any>(body, { idempotencyKey: key });
        assert.ok([201, 503].includes(first.status), `first: ${first.status} ${JSON.stringify(first.body)}`);
        assert.ok(faulty.isDown, 'the outage began after the challenge was stored');
        faulty.heal();

        const retry = await client.createChallenge<any>(body, { idempotencyKey: key });
        assert.equal(retry.status, 201, `retry: ${JSON.stringify(retry.body)}`);
        assert.equal(retry.body.status, kind);
        assert.equal(retry.headers.get('idempotent-replayed'), 'true');
        if (first.status === 201) assert.equal(retry.body.id, first.body.id);
        assert.deepEqual(await challengesOf(customerId), [retry.body.id], 'exactly one challenge');
      });
    }

    test('the channel fails to start after the challenge is stored: the retry returns that challenge, not a second one', async () => {
      const customerId = `cust-start-${randomBytes(4).toString('hex')}`;
      enrolled.add(customerId);
      const body = transferBody({ customerId });
      const key = newKey();
      manual.startFault = new Error('channel start failed (injected fault)');
      try {
        const first = await client.createChallenge<any>(body, { idempotencyKey: key });
        assert.equal(first.status, 500);
        const retry = await client.createChallenge<any>(body, { idempotencyKey: key });
        assert.equal(retry.status, 201, `retry: ${retry.status} ${JSON.stringify(retry.body)}`);
        assert.equal(retry.body.status, 'pending');
        assert.equal(retry.headers.get('idempotent-replayed'), 'true');
        assert.deepEqual(await challengesOf(customerId), [retry.body.id], 'exactly one challenge');
      } finally {
        manual.startFault = undefined;
      }
    });

    test('the process loses PostgreSQL right after claiming the key: the claim lapses within seconds and a retry creates the challenge once', async () => {
      const customerId = `cust-claim-${randomBytes(4).toString('hex')}`;
      enrolled.add(customerId);
      const body = transferBody({ customerId });
      const key = newKey();
      faulty.failAfterCommitOf(/INSERT INTO idempotency_keys/);
      const first = await client.createChallenge<any>(body, { idempotencyKey: key });
      assert.equal(first.status, 503);
      faulty.heal();
      assert.deepEqual(await challengesOf(customerId), [], 'nothing was stored');

      // Until the claim lapses a retry is told the request is in progress; then it runs once.
      const early = await client.createChallenge<any>(body, { idempotencyKey: key });
      assert.equal(early.status, 409);
      assert.equal(early.body.code, 'idempotency_in_progress');
      const created = await eventually(async () => {
        const retry = await client.createChallenge<any>(body, { idempotencyKey: key });
        if (retry.status === 409 && retry.body.code === 'idempotency_in_progress') return undefined;
        return retry;
      }, 20_000, 'the lapsed claim to be taken over');
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.status, 'pending');
      const replay = await client.createChallenge<any>(body, { idempotencyKey: key });
      assert.equal(replay.body.id, created.body.id);
      assert.deepEqual(await challengesOf(customerId), [created.body.id], 'exactly one challenge');
    });
  });
}
