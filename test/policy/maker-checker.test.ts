// Maker-checker for policy (docs/admin-api.md "Maker-checker"), replayed from outside over HTTP: the
// insider who holds one tenant-scoped policy-admin token (or two tokens of the same name) changes
// nothing alone; a second admin approves; expired and stale proposals cannot be approved; a superadmin
// may break glass alone, with a reason, audited and signalled. Time moves on the server's JumpClock.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Webhook } from 'standardwebhooks';
import { dbKinds } from '../support/databases.ts';
import { startTestServer, middayClockOffsetMs, eventually, type TestServer } from '../support/test-server.ts';
import { eventSink } from '../support/event-sink.ts';
import { JumpClock } from '../../src/time/clock.ts';
import { policyEventSchemas } from '../../src/policy-approval/policy-events.ts';

type Sink = Awaited<ReturnType<typeof eventSink>>;

for (const db of dbKinds) {
  describe(`policy maker-checker (${db})`, () => {
    let server: TestServer;
    let sink: Sink;
    const clock = new JumpClock(middayClockOffsetMs());
    before(async () => {
      sink = await eventSink();
      server = await startTestServer({ db, clock: clock.now, env: { POLICY_CACHE_MS: '0' } });
    });
    after(async () => {
      await server.close();
      sink.server.close();
    });

    /** A tenant as a superadmin creates it: maker-checker on by default (nothing in the body asks for it). */
    async function newTenant() {
      const created = await server.admin('POST', '/admin/v1/tenants', { name: 'Insider Bank', allowLoopbackCallbacks: true, defaultCallbackUrl: sink.url });
      assert.equal(created.status, 201);
      assert.deepEqual(created.body.policyApproval, { required: true, approvals: 1, expiresAfterSeconds: 86400 });
      return created.body as { id: string; webhookSecret: string };
    }

    async function token(name: string, role: string, tenantId?: string) {
      const issued = await server.admin('POST', '/admin/v1/tokens', { name, role, ...(tenantId ? { tenantId } : {}) });
      assert.equal(issued.status, 201);
      const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
        const response = await fetch(server.url + path, {
          method,
          headers: { authorization: `Bearer ${issued.body.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await response.text();
        return { status: response.status, body: text ? JSON.parse(text) : null };
      };
      return { id: issued.body.id as string, call };
    }

    const policyPath = (tenantId: string) => `/admin/v1/tenants/${tenantId}/policy`;
    const proposalPath = (tenantId: string, id: string, action = '') => `/admin/v1/tenants/${tenantId}/policy/proposals/${id}${action ? `/${action}` : ''}`;

    /** The insider's change: the daily threshold to 100,000,000 KRW and ARS off. */
    async function insiderDraft(tenantId: string) {
      const current = await server.admin('GET', policyPath(tenantId));
      const draft = structuredClone(current.body.document);
      draft.stepUp.dailyCumulativeThreshold = '100000000';
      draft.channels.ars.enabled = false;
      draft.channels.otp.maxAttempts = 3;
      return { draft, etag: `"v${current.body.version}"` };
    }

    /** The tenant's events of `type`, each verified with the tenant's webhook secret (Standard Webhooks). */
    /** A new tenant, its maker and checker (two policy-admins), and the insider's draft over version 0. */
    async function makerAndChecker(name: string) {
      const tenant = await newTenant();
      const [maker, checker] = await Promise.all([token(`maker-${name}`, 'policy-admin', tenant.id), token(`checker-${name}`, 'policy-admin', tenant.id)]);
      return { tenant, maker, checker, ...(await insiderDraft(tenant.id)) };
    }

    const events = (tenantId: string, webhookSecret: string, type: string) =>
      sink.received
        .filter((event) => (JSON.parse(event.body) as { data: { tenantId?: string } }).data.tenantId === tenantId)
        .map((event) => new Webhook(webhookSecret).verify(event.body, event.headers) as { type: string; data: Record<string, any> })
        .filter((event) => event.type === type)
        // Each as the OpenAPI document's `webhooks` declares it.
        .map((event) => (policyEventSchemas[type as keyof typeof policyEventSchemas].schema.parse(event), event));

    test('one admin alone changes nothing; a second token of the same actor cannot approve; another admin can', async () => {
      const tenant = await newTenant();
      const insider = await token('insider', 'policy-admin', tenant.id);
      const insiderAgain = await token('insider', 'policy-admin', tenant.id);
      const { draft, etag } = await insiderDraft(tenant.id);

      const proposed = await insider.call('PUT', policyPath(tenant.id), draft, { 'if-match': etag });
      assert.equal(proposed.status, 202, JSON.stringify(proposed.body));
      const proposal = proposed.body;
      assert.equal(proposal.state, 'proposed');
      assert.equal(proposal.baseVersion, 0);
      assert.equal(proposal.author, 'admin:insider');
      assert.equal(new Date(proposal.expiresAt).getTime() - new Date(proposal.createdAt).getTime(), 86_400_000);
      assert.deepEqual(
        proposal.diff.map((change: any) => [change.path, change.before, change.after, change.weakens]),
        [
          ['stepUp.dailyCumulativeThreshold', '3000000', '100000000', true],
          ['channels.ars.enabled', true, false, true],
          ['channels.otp.maxAttempts', 5, 3, false],
        ],
      );
      assert.deepEqual(proposal.weakens, ['stepUp.dailyCumulativeThreshold', 'channels.ars.enabled']);
      assert.ok(proposal.backtest && typeof proposal.backtest.decisions === 'number', 'the proposal carries its backtest');

      // Nothing changed: the policy is still version 0.
      assert.equal((await server.admin('GET', policyPath(tenant.id))).body.version, 0);

      // The requester never counts, whatever token it uses.
      const self = await insider.call('POST', proposalPath(tenant.id, proposal.id, 'approve'), {});
      assert.equal(self.status, 403);
      assert.equal(self.body.code, 'approver_not_distinct');
      const sameActor = await insiderAgain.call('POST', proposalPath(tenant.id, proposal.id, 'approve'), {});
      assert.equal(sameActor.status, 403);
      assert.equal(sameActor.body.code, 'approver_not_distinct');
      // A viewer and an operator cannot approve; another tenant's admin does not even see it.
      const viewer = await token('viewer-1', 'viewer', tenant.id);
      assert.equal((await viewer.call('POST', proposalPath(tenant.id, proposal.id, 'approve'), {})).status, 403);
      const other = await newTenant();
      const outsider = await token('outsider', 'policy-admin', other.id);
      assert.equal((await outsider.call('POST', proposalPath(tenant.id, proposal.id, 'approve'), {})).status, 404);
      // A policy-admin may not break glass.
      const glass = await insider.call('POST', proposalPath(tenant.id, proposal.id, 'approve'), { breakGlass: true, reason: 'urgent' });
      assert.equal(glass.status, 403);
      assert.equal((await server.admin('GET', policyPath(tenant.id))).body.version, 0);

      const checker = await token('checker', 'policy-admin', tenant.id);
      const approved = await checker.call('POST', proposalPath(tenant.id, proposal.id, 'approve'), {});
      assert.equal(approved.status, 200, JSON.stringify(approved.body));
      assert.equal(approved.body.state, 'approved');
      assert.equal(approved.body.appliedVersion, 1);
      assert.deepEqual(approved.body.approvals.map((a: any) => a.actor), ['admin:checker']);
      const now = await server.admin('GET', policyPath(tenant.id));
      assert.equal(now.body.version, 1);
      assert.equal(now.body.document.stepUp.dailyCumulativeThreshold, '100000000');
      // Approving twice does nothing more.
      const again = await server.admin('POST', proposalPath(tenant.id, proposal.id, 'approve'), {});
      assert.equal(again.status, 409);
      assert.equal(again.body.code, 'proposal_closed');

      // The audit keeps the diff, and the bank hears of the proposal and the change.
      const audit = await server.admin('GET', `/admin/v1/audit?tenantId=${tenant.id}`);
      const updated = audit.body.entries.find((entry: any) => entry.action === 'policy.updated');
      assert.equal(updated.data.version, 1);
      assert.deepEqual(updated.data.weakens, ['stepUp.dailyCumulativeThreshold', 'channels.ars.enabled']);
      assert.equal(updated.data.diff.length, 3);
      assert.deepEqual(updated.data.approvedBy, ['admin:checker']);
      assert.ok(audit.body.entries.some((entry: any) => entry.action === 'policy.proposed' && entry.data.diff.length === 3));
      const refused = audit.body.entries.filter((entry: any) => entry.action === 'policy.approval_refused');
      assert.ok(refused.length >= 2, 'refused approvals are audited');
      await eventually(async () => (events(tenant.id, tenant.webhookSecret, 'policy.changed').length === 1 ? true : undefined), 10_000, 'policy.changed');
      const [proposedEvent] = events(tenant.id, tenant.webhookSecret, 'policy.proposed');
      assert.equal(proposedEvent!.data.id, proposal.id);
      assert.deepEqual(proposedEvent!.data.weakens, proposal.weakens);
      const [changed] = events(tenant.id, tenant.webhookSecret, 'policy.changed');
      assert.equal(changed!.data.version, 1);
      assert.equal(changed!.data.proposalId, proposal.id);
      assert.equal(changed!.data.breakGlass, false);
    });

    test('an expired proposal cannot be approved (just past its boundary)', async () => {
      const { tenant, maker, checker, draft, etag } = await makerAndChecker('exp');
      const proposal = (await maker.call('PUT', policyPath(tenant.id), draft, { 'if-match': etag })).body;
      const untilExpiry = new Date(proposal.expiresAt).getTime() - clock.now().getTime();
      // A second before the boundary it is still open; a second after, it is not.
      clock.advance(untilExpiry - 1000);
      assert.equal((await server.admin('GET', proposalPath(tenant.id, proposal.id))).body.state, 'proposed');
      clock.advance(2000);
      const late = await checker.call('POST', proposalPath(tenant.id, proposal.id, 'approve'), {});
      assert.equal(late.status, 409);
      assert.equal(late.body.code, 'proposal_expired');
      const shown = await server.admin('GET', proposalPath(tenant.id, proposal.id));
      assert.equal(shown.body.state, 'expired');
      assert.equal((await server.admin('GET', policyPath(tenant.id))).body.version, 0);
    });

    test('a stale proposal (the policy moved on) cannot be approved: 409 proposal_stale', async () => {
      const { tenant, maker, checker, draft, etag } = await makerAndChecker('stale');
      const first = (await maker.call('PUT', policyPath(tenant.id), draft, { 'if-match': etag })).body;
      const tighter = structuredClone(draft);
      tighter.stepUp.dailyCumulativeThreshold = '1000000';
      tighter.channels.ars.enabled = true;
      const second = (await maker.call('PUT', policyPath(tenant.id), tighter, { 'if-match': etag })).body;
      assert.deepEqual(second.weakens, []);
      assert.equal((await checker.call('POST', proposalPath(tenant.id, second.id, 'approve'), {})).status, 200);
      const stale = await checker.call('POST', proposalPath(tenant.id, first.id, 'approve'), {});
      assert.equal(stale.status, 409);
      assert.equal(stale.body.code, 'proposal_stale');
      const current = await server.admin('GET', policyPath(tenant.id));
      assert.equal(current.body.version, 1);
      assert.equal(current.body.document.stepUp.dailyCumulativeThreshold, '1000000');
      assert.equal((await server.admin('GET', proposalPath(tenant.id, first.id))).body.state, 'stale');
    });

    test('reject and withdraw end a proposal; only its author withdraws', async () => {
      const { tenant, maker, checker, draft, etag } = await makerAndChecker('rw');
      const a = (await maker.call('PUT', policyPath(tenant.id), draft, { 'if-match': etag })).body;
      const b = (await maker.call('PUT', policyPath(tenant.id), draft, { 'if-match': etag })).body;
      const rejected = await checker.call('POST', proposalPath(tenant.id, a.id, 'reject'), { reason: 'ARS stays on' });
      assert.equal(rejected.status, 200);
      assert.equal(rejected.body.state, 'rejected');
      assert.equal((await checker.call('POST', proposalPath(tenant.id, a.id, 'approve'), {})).body.code, 'proposal_closed');
      const notAuthor = await checker.call('POST', proposalPath(tenant.id, b.id, 'withdraw'), {});
      assert.equal(notAuthor.status, 403);
      const withdrawn = await maker.call('POST', proposalPath(tenant.id, b.id, 'withdraw'), {});
      assert.equal(withdrawn.status, 200);
      assert.equal(withdrawn.body.state, 'withdrawn');
      const listed = await server.admin('GET', `/admin/v1/tenants/${tenant.id}/policy/proposals`);
      assert.deepEqual(listed.body.proposals.map((p: any) => p.state).sort(), ['rejected', 'withdrawn']);
      assert.equal((await server.admin('GET', policyPath(tenant.id))).body.version, 0);
    });

    test('break-glass: a superadmin alone, only with a reason; audited and sent as policy.break_glass', async () => {
      const tenant = await newTenant();
      const { draft, etag } = await insiderDraft(tenant.id);
      const proposal = (await server.admin('PUT', policyPath(tenant.id), draft, { 'if-match': etag })).body;
      const alone = await server.admin('POST', proposalPath(tenant.id, proposal.id, 'approve'), {});
      assert.equal(alone.status, 403);
      assert.equal(alone.body.code, 'approver_not_distinct');
      const noReason = await server.admin('POST', proposalPath(tenant.id, proposal.id, 'approve'), { breakGlass: true });
      assert.equal(noReason.status, 400);
      const glass = await server.admin('POST', proposalPath(tenant.id, proposal.id, 'approve'), { breakGlass: true, reason: 'ARS provider outage, incident INC-1042' });
      assert.equal(glass.status, 200, JSON.stringify(glass.body));
      assert.equal(glass.body.state, 'approved');
      assert.equal(glass.body.breakGlass.reason, 'ARS provider outage, incident INC-1042');
      assert.equal((await server.admin('GET', policyPath(tenant.id))).body.version, 1);
      const audit = await server.admin('GET', `/admin/v1/audit?tenantId=${tenant.id}`);
      const entry = audit.body.entries.find((e: any) => e.action === 'policy.break_glass');
      assert.equal(entry.data.reason, 'ARS provider outage, incident INC-1042');
      assert.equal(entry.data.diff.length, 3);
      const signalled = await eventually(async () => events(tenant.id, tenant.webhookSecret, 'policy.break_glass')[0], 10_000, 'policy.break_glass');
      assert.equal(signalled.data.reason, 'ARS provider outage, incident INC-1042');
      assert.equal(signalled.data.actor, 'admin:bootstrap');
      assert.equal(signalled.data.version, 1);
    });

    test('two approvals required: the first is recorded, the same admin cannot count twice, the second applies it', async () => {
      const created = await server.admin('POST', '/admin/v1/tenants', { name: 'Two Keys Bank', policyApproval: { required: true, approvals: 2, expiresAfterSeconds: 3600 } });
      const tenantId = created.body.id as string;
      const [maker, first, firstAgain, second] = await Promise.all([
        token('maker-two', 'policy-admin', tenantId),
        token('checker-two-a', 'policy-admin', tenantId),
        token('checker-two-a', 'policy-admin', tenantId),
        token('checker-two-b', 'superadmin', tenantId),
      ]);
      const { draft, etag } = await insiderDraft(tenantId);
      const proposal = (await maker.call('PUT', policyPath(tenantId), draft, { 'if-match': etag })).body;
      assert.equal(proposal.approvalsRequired, 2);
      assert.equal(new Date(proposal.expiresAt).getTime() - new Date(proposal.createdAt).getTime(), 3_600_000);
      const one = await first.call('POST', proposalPath(tenantId, proposal.id, 'approve'), {});
      assert.equal(one.status, 200);
      assert.equal(one.body.state, 'proposed');
      assert.deepEqual(one.body.approvals.map((a: any) => a.actor), ['admin:checker-two-a']);
      assert.equal((await server.admin('GET', policyPath(tenantId))).body.version, 0, 'one approval of two changes nothing');
      const twice = await firstAgain.call('POST', proposalPath(tenantId, proposal.id, 'approve'), {});
      assert.equal(twice.status, 403);
      assert.equal(twice.body.code, 'approver_not_distinct');
      const two = await second.call('POST', proposalPath(tenantId, proposal.id, 'approve'), {});
      assert.equal(two.status, 200);
      assert.equal(two.body.state, 'approved');
      assert.deepEqual(two.body.approvals.map((a: any) => a.actor), ['admin:checker-two-a', 'admin:checker-two-b']);
      assert.equal((await server.admin('GET', policyPath(tenantId))).body.version, 1);
    });

    test('a tenant without maker-checker changes at once, and the audit still carries the diff', async () => {
      const created = await server.admin('POST', '/admin/v1/tenants', { name: 'Solo Bank', policyApproval: { required: false } });
      assert.equal(created.status, 201);
      assert.equal(created.body.policyApproval.required, false);
      const { draft, etag } = await insiderDraft(created.body.id);
      const written = await server.admin('PUT', policyPath(created.body.id), draft, { 'if-match': etag });
      assert.equal(written.status, 200);
      assert.equal(written.body.version, 1);
      const audit = await server.admin('GET', `/admin/v1/audit?tenantId=${created.body.id}`);
      const entry = audit.body.entries.find((e: any) => e.action === 'policy.updated');
      assert.deepEqual(entry.data.weakens, ['stepUp.dailyCumulativeThreshold', 'channels.ars.enabled']);
      // Switching maker-checker off again is a superadmin's change of the tenant, audited with its diff.
      const scoped = await token('scoped-super', 'superadmin', created.body.id);
      const on = await scoped.call('PUT', `/admin/v1/tenants/${created.body.id}`, { policyApproval: { required: true, approvals: 1, expiresAfterSeconds: 3600 } });
      assert.equal(on.status, 200);
      const off = await scoped.call('PUT', `/admin/v1/tenants/${created.body.id}`, { policyApproval: { required: false } });
      assert.equal(off.status, 403, 'a tenant-scoped superadmin cannot switch dual control off');
    });

    if (db === 'postgres') {
      test('two checkers approving at once: exactly one wins', async () => {
        const tenant = await newTenant();
        const maker = await token('maker-race', 'policy-admin', tenant.id);
        const checkers = await Promise.all([token('checker-race-a', 'policy-admin', tenant.id), token('checker-race-b', 'superadmin', tenant.id)]);
        for (let round = 0; round < 5; round += 1) {
          const current = await server.admin('GET', policyPath(tenant.id));
          const draft = structuredClone(current.body.document);
          draft.stepUp.riskScoreThreshold = 0.5 + round / 100;
          const proposal = (await maker.call('PUT', policyPath(tenant.id), draft, { 'if-match': `"v${current.body.version}"` })).body;
          const answers = await Promise.all(checkers.map((checker) => checker.call('POST', proposalPath(tenant.id, proposal.id, 'approve'), {})));
          assert.deepEqual(answers.map((a) => a.status).sort(), [200, 409], JSON.stringify(answers.map((a) => a.body)));
          assert.equal(answers.find((a) => a.status === 409)!.body.code, 'proposal_closed');
          const versions = await server.admin('GET', `/admin/v1/tenants/${tenant.id}/policy/versions`);
          assert.equal(versions.body.versions.length, round + 1);
        }
      });
    }
  });
}
