// Events under faults (docs/reliability.md, "Events are written whole with their transition"): an
// event is recorded, payload and all, in the transaction of the change it reports, so PostgreSQL
// going away right after that commit can neither leave an event with an empty payload for the bank
// nor make the caller believe a change that happened did not.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { dbKinds } from '../support/databases.ts';
import { FaultyDb } from '../support/faulty-db.ts';
import { ManualChannel } from '../support/manual-channel.ts';
import { startTestServer, transferBody, type TestServer } from '../support/test-server.ts';
import type { StepupClient } from '../../src/client/stepup-client.ts';

// Never called: deliveries are checked where they wait (the outbox row is what the bank receives).
const callbackUrl = 'http://127.0.0.1:9/events';

for (const db of dbKinds) {
  describe(`events under faults (${db})`, () => {
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

    const eventsOf = async (challengeId: string) =>
      (await server.running.context.db.query<{ event_type: string; payload: any }>('SELECT event_type, payload FROM webhook_deliveries WHERE tenant_id = $1 AND challenge_id = $2', [tenantId, challengeId])).rows;
    const pendingChallenge = async () => {
      const customerId = `cust-evt-${randomBytes(4).toString('hex')}`;
      enrolled.add(customerId);
      const created = await client.createChallenge<any>(transferBody({ customerId, callbackUrl }));
      assert.equal(created.body.status, 'pending');
      return created.body;
    };
    /** The one event of the challenge carries the whole challenge as the transition left it. */
    const assertWholeEvent = async (challengeId: string, status: string) => {
      const events = await eventsOf(challengeId);
      assert.equal(events.length, 1);
      assert.equal(events[0]!.event_type, `challenge.${status}`);
      const { data } = events[0]!.payload;
      assert.equal(data.id, challengeId, `event data: ${JSON.stringify(data)}`);
      assert.equal(data.status, status);
      assert.ok(data.result?.receipt, 'the result and its receipt are in the event');
      assert.deepEqual(data, (await client.getChallenge<any>(challengeId)).body, 'the event is the challenge as stored');
    };

    test('finish: PostgreSQL goes away right after the transition commits; the event is whole and finish reports the change', async () => {
      const challenge = await pendingChallenge();
      faulty.failAfterCommitOf(/INSERT INTO webhook_deliveries/);
      const finished = await server.running.context.challenges
        .finish(tenantId, challenge.id, { status: 'approved', reason: 'code_verified', actor: 'channel:otp' })
        .then((result) => ({ result }), (error: unknown) => ({ error }));
      assert.ok(faulty.isDown, 'the outage began after the transition committed');
      faulty.heal();
      await assertWholeEvent(challenge.id, 'approved');
      assert.ok('result' in finished, `finish threw after the state changed: ${'error' in finished ? String(finished.error) : ''}`);
      assert.equal(finished.result.changed, true);
      assert.equal(finished.result.challenge.status, 'approved');
    });

    test('cancel over HTTP: PostgreSQL goes away right after the transition commits; the bank gets 200 and a whole event', async () => {
      const challenge = await pendingChallenge();
      faulty.failAfterCommitOf(/INSERT INTO webhook_deliveries/);
      const canceled = await client.cancelChallenge<any>(challenge.id);
      assert.ok(faulty.isDown);
      faulty.heal();
      await assertWholeEvent(challenge.id, 'canceled');
      assert.equal(canceled.status, 200, JSON.stringify(canceled.body));
      assert.equal(canceled.body.status, 'canceled');
    });

    test('create (no eligible channel): PostgreSQL goes away right after the failed challenge commits; its event is whole', async () => {
      const customerId = `cust-none-${randomBytes(4).toString('hex')}`;
      faulty.failAfterCommitOf(/INSERT INTO webhook_deliveries/);
      const created = await client.createChallenge<any>(transferBody({ customerId, callbackUrl }));
      assert.ok(faulty.isDown);
      faulty.heal();
      const [row] = (await server.running.context.db.query<{ id: string }>('SELECT id FROM challenges WHERE tenant_id = $1 AND customer_id = $2', [tenantId, customerId])).rows;
      assert.ok(row, 'the failed challenge was stored');
      await assertWholeEvent(row.id, 'failed');
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.result.reason, 'no_eligible_channel');
    });
  });
}
