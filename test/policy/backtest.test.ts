// The backtest (docs/admin-api.md "Backtest") on a seeded history whose counts are worked out by hand
// below: the tenant's stored decisions of the last 3 days, replayed in time order under the current
// policy (the defaults) and a draft, with daily totals recomputed per customer and holds counted.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dbKinds } from '../support/databases.ts';
import { startTestServer, middayClockOffsetMs, type TestServer } from '../support/test-server.ts';
import { JumpClock } from '../../src/time/clock.ts';
import { runBacktest } from '../../src/backtest/run-backtest.ts';
import { seedDecisions, seededId, type SeededDecision } from '../support/seed-decisions.ts';
import { z } from 'zod';
import { replayDecisions } from '../../src/backtest/replay-decisions.ts';
import type { StoredDecision } from '../../src/backtest/decision-history.ts';
import { composePolicy } from '../../src/policy/policy-schema.ts';
import type { PolicySection } from '../../src/policy/policy-fields.ts';
import { channelModules, policySectionsOf } from '../../src/server/channel-modules.ts';

const hour = 3_600_000;

/** A stored decision `hoursAgo` before the test's now. */
type Seed = Omit<SeededDecision, 'at'> & { hoursAgo: number };

/*
 * "Now" is about noon in Seoul; the window is 3 days. Current policy: the defaults (daily threshold
 * 3,000,000; designated device exempt below 10,000,000; unregistered payee limit 1,000,000; risk 0.7;
 * certificate_reissue always; no hold). Draft: daily threshold 10,000,000, risk 0.9, ARS off, hold on
 * from 5,000,000 (approved and not_required).
 *
 * Time order, with the day's running total of each customer (money that moved) under each policy:
 *
 *  id   when          customer  stored                          CURRENT                               DRAFT
 *  d1   Y 08:00       D  2.5M   not_required, hold stopped      2.5M<3M: no. Stopped: total stays 0   no (total 0)
 *  d2   Y 08:30       D  1.0M   not_required                    0+1M<3M: no (total 1M)                 no
 *  a1   Y 09:00       A  2.0M   not_required                    2M<3M: no (A=2M)                       no (A=2M)
 *  c1   Y 09:30       C  certificate_reissue, approved, otp     transaction_type, otp                  transaction_type, otp
 *  a2   Y 10:00       A  2.0M   approved, ars                   4M>=3M daily_cumulative, ars (A=4M)    4M<10M: no -> not_required (A=4M)
 *  c2   Y 10:30       C  0.5M   risk 0.8, denied, FRAUD, ars    risk_score, ars (denied: C=0)          0.8<0.9, 0.5M<10M: no -> passes! (C=0.5M)
 *  a3   Y 11:00       A  4.0M   denied, FRAUD, ars              8M>=3M daily_cumulative, ars           8M<10M: no -> passes! (A=8M)
 *  c3   Y 11:30       C  2.0M   payee unregistered, approved    unregistered_payee (2M>1M), ars (C=2M) unregistered_payee, ARS off -> webauthn
 *  a4   T 09:00       A  1.5M   not_required                    new day: 1.5M<3M: no                   no
 *  b1   T 10:00       B  6.0M   designated device, not_req.     6M>=3M but designated and <10M: no     6M<10M: no; HOLD (6M>=5M, not_required)
 *  b2   T 11:00       B  5.0M   designated device, approved,    11M>=10M designated_device_high_value  same reason, webauthn; HOLD (5M>=5M, approved)
 *                               webauthn                        webauthn
 *  old  5 days ago    A  9.0M   approved, FRAUD                 outside the window                      -
 *  (another tenant's fraud-reported transfer: never read)
 *
 * CURRENT: 11 decisions; stepped up a2 a3 c1 c2 c3 b2 = 6; reasons daily_cumulative_threshold 2,
 *          transaction_type 1, risk_score 1, unregistered_payee_limit 1, designated_device_high_value 1;
 *          channels ars 4 (a2 a3 c2 c3), otp 1 (c1), webauthn 1 (b2); holds 0.
 * DRAFT:   stepped up c1 c3 b2 = 3; reasons transaction_type 1, unregistered_payee_limit 1,
 *          designated_device_high_value 1; channels otp 1, webauthn 2 (c3 moved off ARS, b2); holds 2 (b1, b2).
 *          Fraud-reported and let through: c2 (10:30), a3 (11:00), in time order.
 */
const history: Seed[] = [
  { id: 'd1', customer: 'D', hoursAgo: 28, status: 'not_required', amount: 2_500_000, holdState: 'stopped' },
  { id: 'd2', customer: 'D', hoursAgo: 27.5, status: 'not_required', amount: 1_000_000 },
  { id: 'a1', customer: 'A', hoursAgo: 27, status: 'not_required', amount: 2_000_000 },
  { id: 'c1', customer: 'C', hoursAgo: 26.5, status: 'approved', type: 'certificate_reissue', channel: 'otp' },
  { id: 'a2', customer: 'A', hoursAgo: 26, status: 'approved', amount: 2_000_000, channel: 'ars' },
  { id: 'c2', customer: 'C', hoursAgo: 25.5, status: 'denied', amount: 500_000, context: { riskScore: 0.8 }, channel: 'ars', fraud: true },
  { id: 'a3', customer: 'A', hoursAgo: 25, status: 'denied', amount: 4_000_000, channel: 'ars', fraud: true },
  { id: 'c3', customer: 'C', hoursAgo: 24.5, status: 'approved', amount: 2_000_000, context: { payeeRegistered: false }, channel: 'ars' },
  { id: 'a4', customer: 'A', hoursAgo: 3, status: 'not_required', amount: 1_500_000 },
  { id: 'b1', customer: 'B', hoursAgo: 2, status: 'not_required', amount: 6_000_000, context: { designatedDevice: true } },
  { id: 'b2', customer: 'B', hoursAgo: 1, status: 'approved', amount: 5_000_000, context: { designatedDevice: true }, channel: 'webauthn' },
  { id: 'old', customer: 'A', hoursAgo: 5 * 24, status: 'approved', amount: 9_000_000, channel: 'ars', fraud: true },
];

const expected = (ids: (id: string) => string) => ({
  fraudReportedPassing: [ids('c2'), ids('a3')],
  fraudReportedPassingTotal: 2,
  decisions: 11,
  days: 3,
  steppedUp: { current: 6, draft: 3 },
  byReason: {
    current: { daily_cumulative_threshold: 2, transaction_type: 1, risk_score: 1, unregistered_payee_limit: 1, designated_device_high_value: 1 },
    draft: { transaction_type: 1, unregistered_payee_limit: 1, designated_device_high_value: 1 },
  },
  byChannel: { current: { ars: 4, otp: 1, webauthn: 1 }, draft: { otp: 1, webauthn: 2 } },
  holds: { current: 0, draft: 2 },
});

for (const db of dbKinds) {
  describe(`policy backtest (${db})`, () => {
    let server: TestServer;
    const clock = new JumpClock(middayClockOffsetMs());
    before(async () => {
      server = await startTestServer({ db, clock: clock.now });
    });
    after(() => server.close());

    const seed = (tenantId: string, rows: Seed[]) =>
      seedDecisions(server.running.context.db, tenantId, rows.map(({ hoursAgo, ...row }) => ({ ...row, at: new Date(clock.now().getTime() - hoursAgo * hour) })));

    function draftOf(document: any) {
      const draft = structuredClone(document);
      draft.stepUp.dailyCumulativeThreshold = '10000000';
      draft.stepUp.riskScoreThreshold = 0.9;
      draft.channels.ars.enabled = false;
      draft.hold = { ...draft.hold, enabled: true, minAmount: '5000000' };
      return draft;
    }

    test('counts match the hand count; fraud-reported challenges the draft lets through come first', async () => {
      const { tenantId } = await server.createTenant();
      const other = await server.createTenant();
      await seed(tenantId, history);
      await seed(other.tenantId, [{ id: 'x', customer: 'A', hoursAgo: 2, status: 'denied', amount: 100, channel: 'ars', fraud: true }]);
      const current = await server.admin('GET', `/admin/v1/tenants/${tenantId}/policy`);
      const answer = await server.admin('POST', `/admin/v1/tenants/${tenantId}/policy/backtest`, { document: draftOf(current.body.document), days: 3 });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const { from, to, currentVersion, ...counts } = answer.body;
      assert.deepEqual(counts, expected((id) => seededId(tenantId, id)));
      assert.equal(Object.keys(answer.body)[0], 'fraudReportedPassing');
      assert.equal(currentVersion, 0);
      assert.equal(new Date(to).getTime() - new Date(from).getTime(), 3 * 24 * hour);

      // Read in pages of two (keyset: created_at, id), the replay is the same.
      const paged = await runBacktest(server.running.context, {
        tenantId,
        current: { version: 0, document: current.body.document, author: 'system', createdAt: new Date(0) },
        draft: draftOf(current.body.document),
        days: 3,
        pageSize: 2,
      });
      assert.deepEqual({ ...paged, from: undefined, to: undefined, currentVersion: undefined }, { ...counts, from: undefined, to: undefined, currentVersion: undefined });

      // A draft equal to the current policy changes nothing, and lets no fraud through that the current one stopped.
      const same = await server.admin('POST', `/admin/v1/tenants/${tenantId}/policy/backtest`, { document: current.body.document, days: 3 });
      assert.deepEqual(same.body.steppedUp, { current: 6, draft: 6 });
      assert.deepEqual(same.body.fraudReportedPassing, []);
    });

    test('an invalid draft is refused with its problems named under document', async () => {
      const { tenantId } = await server.createTenant();
      const refused = await server.admin('POST', `/admin/v1/tenants/${tenantId}/policy/backtest`, { document: { stepUp: { riskScoreThreshold: 2 } } });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.code, 'validation_failed');
      assert.equal(refused.body.errors[0].path, 'document.stepUp.riskScoreThreshold');
      const unknown = await server.admin('POST', `/admin/v1/tenants/${tenantId}/policy/backtest`, { document: {}, days: 3, extra: true });
      assert.equal(unknown.status, 400);
    });

    test("a proposal carries the backtest of its draft over the tenant's last 30 days", async () => {
      const created = await server.admin('POST', '/admin/v1/tenants', { name: 'Backtest Bank' });
      const tenantId = created.body.id as string;
      await seed(tenantId, history);
      const current = await server.admin('GET', `/admin/v1/tenants/${tenantId}/policy`);
      const proposal = await server.admin('PUT', `/admin/v1/tenants/${tenantId}/policy`, draftOf(current.body.document), { 'if-match': '"v0"' });
      assert.equal(proposal.status, 202);
      // 30 days: the 5-day-old fraud report is in the window too (the draft lets it through: 9M<10M, first of its day).
      assert.equal(proposal.body.backtest.days, 30);
      assert.equal(proposal.body.backtest.decisions, 12);
      assert.deepEqual(proposal.body.backtest.fraudReportedPassing, ['old', 'c2', 'a3'].map((id) => seededId(tenantId, id)));
    });
  });
}

test("the replay holds a module's section to that module's bounds: the server's composed schema, not the built-in one", async () => {
  // A section the built-in document never heard of, whose bounds turn it off when its line is longer
  // than they allow (a version stored before the bound existed keeps its value, capped where it takes effect).
  const kiteFields = { enabled: z.boolean(), lineMetres: z.number().int().min(1).max(100) };
  const kitePolicy: PolicySection<typeof kiteFields> = {
    name: 'kite',
    fields: kiteFields,
    defaults: { enabled: false, lineMetres: 10 },
    weakening: { enabled: 'turned_off', lineMetres: 'higher' },
    withinBounds: (kite) => (kite.lineMetres <= 100 ? kite : { ...kite, enabled: false }),
  };
  const policy = composePolicy({ ...policySectionsOf(channelModules), kite: kitePolicy });
  const current = policy.defaultPolicy();
  assert.deepEqual(current.channels.kite, { enabled: false, lineMetres: 10 }, "the composed defaults hold the module's section");
  const listing = (lineMetres: number) => ({ ...current, channels: { ...current.channels, kite: { enabled: true, lineMetres } }, channelOrder: ['kite', 'ars'] });
  const within = listing(50);
  const beyond = listing(500);
  // A certificate reissue is always stepped up; stored without a channel, it goes to the first one a side offers.
  const decision: StoredDecision = { id: 'chl_1', customerId: 'A', status: 'not_required', transactionType: 'certificate_reissue', amountMinor: undefined, currency: undefined, context: {}, channel: null, fraudReported: false, holdState: null, createdAt: new Date('2026-11-29T03:00:00Z') };
  const replay = async (draft: typeof current) => {
    async function* decisions() {
      yield decision;
    }
    return replayDecisions(decisions(), { policy, current, currentVersion: 0, draft, days: 1, from: new Date('2026-11-29T00:00:00Z'), to: new Date('2026-11-30T00:00:00Z') });
  };
  assert.deepEqual((await replay(within)).byChannel, { current: { ars: 1 }, draft: { kite: 1 } });
  assert.deepEqual((await replay(beyond)).byChannel, { current: { ars: 1 }, draft: { ars: 1 } }, 'beyond its bounds, the kite is off');
});
