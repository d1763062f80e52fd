// After approval: hold, tell, stop (docs/holds.md). A held challenge keeps its status; its `hold` moves
// from held to exactly one of released or stopped, with exactly one signed event, written with the
// change. Times come from a clock the test moves; the sweep is the clock-driven source of truth.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dbKinds } from '../support/databases.ts';
import { startTestServer, transferBody, type TestServer } from '../support/test-server.ts';
import { ManualChannel } from '../support/manual-channel.ts';
import type { StepupClient } from '../../src/client/stepup-client.ts';
import { auditActions, changePolicy, eventTypes, holdPolicy, movableClock, receiptClaims } from './hold-support.ts';

for (const db of dbKinds) {
  describe(`holds (${db})`, () => {
    let server: TestServer;
    let client: StepupClient;
    let tenantId: string;
    const time = movableClock();
    const manual = new ManualChannel('otp', new Set(['cust-1001', 'cust-held', 'cust-day', 'cust-new-payee']));

    before(async () => {
      server = await startTestServer({ db, channels: [manual], clock: time.clock });
      ({ client, tenantId } = await server.createTenant({ defaultCallbackUrl: 'http://127.0.0.1:9/never' }));
      await changePolicy(server, tenantId, (document) => (document.hold = holdPolicy()));
    });
    after(() => server.close());

    const holds = () => server.running.context.holds;
    const approve = async (id: string) => {
      const finished = await server.running.context.challenges.finish(tenantId, id, { status: 'approved', reason: 'manual_approved', actor: 'channel:otp' });
      assert.equal(finished.changed, true);
      return (await client.getChallenge<any>(id)).body;
    };
    /** A transfer of 3,500,000 to step-up, approved on the manual channel: held. */
    const heldApproval = async (customerId = 'cust-held') => {
      const created = await client.createChallenge<any>(transferBody({ customerId }));
      assert.equal(created.body.status, 'pending');
      assert.equal(created.body.hold, null, 'no hold while pending');
      return approve(created.body.id);
    };
    const stop = (id: string, body: unknown, as: StepupClient = client) => as.request<any>('POST', `/v1/challenges/${id}/stop`, body);

    test('an approved transfer at or above minAmount is held: state, times, a receipt with releaseAt, the approved event carries it', async () => {
      const approved = await heldApproval();
      assert.equal(approved.status, 'approved', 'the status is unchanged: terminal statuses never change');
      const { hold } = approved;
      assert.equal(hold.state, 'held');
      assert.deepEqual(hold.reasons, ['hold_min_amount']);
      const heldAt = Date.parse(hold.releaseAt) - 3600_000;
      assert.ok(Math.abs(heldAt - time.clock().getTime()) < 5000, 'released an hour after the approval, by the server clock');
      assert.equal(Date.parse(hold.stopClosesAt), Date.parse(hold.releaseAt) - 600_000);
      assert.equal(hold.releasedAt, null);
      assert.equal(hold.stoppedAt, null);
      assert.equal(hold.stoppedBy, null);
      assert.deepEqual(hold.notifications, []);
      assert.equal(receiptClaims(approved.result.receipt).releaseAt, hold.releaseAt, 'the receipt carries releaseAt');
      assert.deepEqual(await eventTypes(server, approved.id), ['challenge.approved']);
      const event = await server.running.context.db.query<{ payload: any }>('SELECT payload FROM webhook_deliveries WHERE challenge_id = $1', [approved.id]);
      assert.equal(event.rows[0]!.payload.data.hold.state, 'held');
    });

    test('a not_required transfer at or above minAmount is held at once, with releaseAt in its receipt', async () => {
      const created = await client.createChallenge<any>(transferBody({ customerId: `cust-nr-${Date.now()}` }, '1000000'));
      assert.equal(created.body.status, 'not_required');
      assert.equal(created.body.hold.state, 'held');
      assert.equal(receiptClaims(created.body.result.receipt).releaseAt, created.body.hold.releaseAt);
      const small = await client.createChallenge<any>(transferBody({ customerId: `cust-nr-${Date.now()}` }, '999999'));
      assert.equal(small.body.status, 'not_required');
      assert.equal(small.body.hold, null);
      assert.equal(receiptClaims(small.body.result.receipt).releaseAt, undefined);
    });

    test('the release job is queued for releaseAt, and PostgreSQL decides: a job woken early releases nothing', async () => {
      const approved = await heldApproval();
      const job = await holds().releaseJob(approved.id);
      assert.ok(job, 'a delayed release job');
      assert.ok(Math.abs(job.delay - 3600_000) < 5000, `delay ${job.delay}`);
      assert.equal(await holds().onReleaseJob({ tenantId, challengeId: approved.id }), 'not-due');
      assert.equal((await client.getChallenge<any>(approved.id)).body.hold.state, 'held');
      time.to(approved.hold.releaseAt, 1);
      assert.equal(await holds().onReleaseJob({ tenantId, challengeId: approved.id }), 'released');
      assert.equal(await holds().onReleaseJob({ tenantId, challengeId: approved.id }), 'not-held');
      assert.deepEqual(await eventTypes(server, approved.id), ['challenge.approved', 'challenge.hold_released']);
    });

    test('the sweep releases a hold whose job was lost, exactly once, at its time and not before', async () => {
      const approved = await heldApproval();
      await (await holds().releaseJob(approved.id))!.remove();
      time.to(approved.hold.releaseAt, -1000);
      await holds().sweep();
      assert.equal((await client.getChallenge<any>(approved.id)).body.hold.state, 'held', 'a second early: still held');
      time.to(approved.hold.releaseAt, 1);
      const first = await holds().sweep();
      assert.ok(first.released >= 1);
      await holds().sweep();
      const read = await client.getChallenge<any>(approved.id);
      assert.equal(read.body.status, 'approved');
      assert.equal(read.body.hold.state, 'released');
      assert.ok(Date.parse(read.body.hold.releasedAt) >= Date.parse(read.body.hold.releaseAt));
      assert.deepEqual(await eventTypes(server, approved.id), ['challenge.approved', 'challenge.hold_released']);
      const event = await server.running.context.db.query<{ payload: any }>(`SELECT payload FROM webhook_deliveries WHERE challenge_id = $1 AND event_type = 'challenge.hold_released'`, [approved.id]);
      assert.equal(event.rows[0]!.payload.data.hold.state, 'released', 'the event carries the challenge as the release left it');
      assert.ok((await auditActions(server, approved.id)).some((entry) => entry.action === 'challenge.hold_released' && entry.actor === 'system:hold-release'));
    });

    test('POST /v1/challenges/{id}/stop: stopped by the bank, one hold_stopped event, audited with the reason, never released after', async () => {
      const approved = await heldApproval();
      const stopped = await stop(approved.id, { reason: 'customer called the fraud line' });
      assert.equal(stopped.status, 200, JSON.stringify(stopped.body));
      assert.equal(stopped.body.status, 'approved');
      assert.equal(stopped.body.hold.state, 'stopped');
      assert.equal(stopped.body.hold.stoppedBy, 'bank');
      assert.ok(stopped.body.hold.stoppedAt);
      const again = await stop(approved.id, { reason: 'twice' });
      assert.equal(again.status, 200, 'stopping a stopped hold changes nothing');
      assert.equal(again.body.hold.stoppedAt, stopped.body.hold.stoppedAt);
      time.to(approved.hold.releaseAt, 1000);
      await holds().sweep();
      assert.equal(await holds().onReleaseJob({ tenantId, challengeId: approved.id }), 'not-held');
      assert.equal((await client.getChallenge<any>(approved.id)).body.hold.state, 'stopped');
      assert.deepEqual(await eventTypes(server, approved.id), ['challenge.approved', 'challenge.hold_stopped']);
      const audit = (await auditActions(server, approved.id)).filter((entry) => entry.action.startsWith('challenge.hold_'));
      assert.deepEqual(audit.map((entry) => [entry.action, entry.actor, entry.data.reason]), [['challenge.hold_stopped', 'bank', 'customer called the fraud line']]);
    });

    test('stop after stopClosesAt is 409 hold_stop_closed; after release 409 hold_released', async () => {
      const approved = await heldApproval();
      time.to(approved.hold.stopClosesAt, 0);
      const closed = await stop(approved.id, { reason: 'too late' });
      assert.equal(closed.status, 409);
      assert.equal(closed.body.code, 'hold_stop_closed');
      assert.equal((await client.getChallenge<any>(approved.id)).body.hold.state, 'held');
      time.to(approved.hold.releaseAt, 1);
      await holds().sweep();
      const released = await stop(approved.id, { reason: 'later still' });
      assert.equal(released.status, 409);
      assert.equal(released.body.code, 'hold_released');
      assert.deepEqual(await eventTypes(server, approved.id), ['challenge.approved', 'challenge.hold_released']);
    });

    test("another bank's challenge is 404, like one that does not exist; a challenge without a hold is 409 challenge_not_held", async () => {
      const approved = await heldApproval();
      const other = await server.createTenant();
      const foreign = await stop(approved.id, { reason: 'not mine' }, other.client);
      assert.equal(foreign.status, 404);
      assert.equal(foreign.body.code, 'not_found');
      const missing = await stop('chl_doesnotexist0000', { reason: 'nothing' });
      assert.equal(missing.status, 404);
      assert.deepEqual(Object.keys(foreign.body).sort(), Object.keys(missing.body).sort());
      assert.equal((await client.getChallenge<any>(approved.id)).body.hold.state, 'held');
      const pending = await client.createChallenge<any>(transferBody());
      const notHeld = await stop(pending.body.id, { reason: 'pending' });
      assert.equal(notHeld.status, 409);
      assert.equal(notHeld.body.code, 'challenge_not_held');
    });

    test('bad and missing fields are 400 naming the field; unknown fields are refused', async () => {
      const approved = await heldApproval();
      const cases: [unknown, string][] = [
        [{}, 'body.reason'],
        [{ reason: '' }, 'body.reason'],
        [{ reason: 42 }, 'body.reason'],
        [{ reason: 'x'.repeat(501) }, 'body.reason'],
        [{ reason: 'ok', by: 'customer' }, 'body'],
      ];
      for (const [body, path] of cases) {
        const refused = await stop(approved.id, body);
        assert.equal(refused.status, 400, JSON.stringify(body));
        assert.equal(refused.body.code, 'validation_failed');
        assert.deepEqual(refused.body.errors.map((error: any) => error.path), [path], JSON.stringify(refused.body.errors));
      }
      const noBody = await client.request<any>('POST', `/v1/challenges/${approved.id}/stop`);
      assert.equal(noBody.status, 400);
      assert.equal((await client.getChallenge<any>(approved.id)).body.hold.state, 'held');
    });

    test("a stopped transfer leaves the customer's daily total", async () => {
      const customerId = `cust-day-${Date.now()}`;
      const first = await client.createChallenge<any>(transferBody({ customerId }, '2000000'));
      assert.equal(first.body.status, 'not_required');
      assert.equal(first.body.hold.state, 'held');
      const stopped = await stop(first.body.id, { reason: 'mule account' });
      assert.equal(stopped.body.hold.state, 'stopped');
      // 2,000,000 stopped + 2,000,000 stays under 3,000,000: no step-up.
      const second = await client.createChallenge<any>(transferBody({ customerId }, '2000000'));
      assert.equal(second.body.status, 'not_required', JSON.stringify(second.body.decision));
      // A held (not stopped) transfer counts.
      const third = await client.createChallenge<any>(transferBody({ customerId }, '1000000'));
      assert.deepEqual(third.body.decision.reasons, ['daily_cumulative_threshold']);
    });

    test('a new payee is held whatever the amount (context.payeeRegisteredAt); an old one is not', async () => {
      const recently = new Date(time.clock().getTime() - 60_000).toISOString();
      const fresh = await client.createChallenge<any>(transferBody({ customerId: `cust-np-${Date.now()}`, context: { payeeRegisteredAt: recently } }, '10000'));
      assert.equal(fresh.status, 201, JSON.stringify(fresh.body));
      assert.equal(fresh.body.status, 'not_required');
      assert.deepEqual(fresh.body.hold.reasons, ['new_payee']);
      const longAgo = new Date(time.clock().getTime() - 30 * 86400_000).toISOString();
      const old = await client.createChallenge<any>(transferBody({ customerId: `cust-np-${Date.now()}`, context: { payeeRegisteredAt: longAgo } }, '10000'));
      assert.equal(old.body.hold, null);
      const bad = await client.createChallenge<any>(transferBody({ context: { payeeRegisteredAt: 'yesterday' } }, '10000'));
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.body.errors.map((error: any) => error.path), ['body.context.payeeRegisteredAt']);
    });

    test('a hold is not started for an end outside appliesTo, nor for a denied challenge', async () => {
      const denied = await client.createChallenge<any>(transferBody());
      await server.running.context.challenges.finish(tenantId, denied.body.id, { status: 'denied', reason: 'customer_rejected', actor: 'channel:otp' });
      assert.equal((await client.getChallenge<any>(denied.body.id)).body.hold, null);
    });

    test('dry-run shows whether the transfer would be held, and why', async () => {
      const path = `/admin/v1/tenants/${tenantId}/policy/dry-run`;
      const held = await server.admin('POST', path, { transaction: transferBody().transaction });
      assert.equal(held.status, 200, JSON.stringify(held.body));
      assert.deepEqual(held.body.hold, { ifStatus: 'approved', seconds: 3600, stopClosesBeforeSeconds: 600, reasons: ['hold_min_amount'] });
      const small = await server.admin('POST', path, { transaction: transferBody({}, '10000').transaction });
      assert.equal(small.body.hold, null);
      const newPayee = await server.admin('POST', path, { transaction: transferBody({}, '10000').transaction, context: { payeeRegisteredAt: time.clock().toISOString() } });
      assert.deepEqual(newPayee.body.hold, { ifStatus: 'not_required', seconds: 3600, stopClosesBeforeSeconds: 600, reasons: ['new_payee'] });
      const draftOff = await server.admin('POST', path, { transaction: transferBody().transaction, policy: { hold: { enabled: false } } });
      assert.equal(draftOff.body.hold, null);
    });
  });
}
