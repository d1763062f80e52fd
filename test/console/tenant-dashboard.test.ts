// The tenant dashboard's numbers (docs/admin-api.md "Dashboard"), on a seeded history counted by hand:
// per day in the policy's time zone, oldest first, days without challenges included as zeros.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dbKinds } from '../support/databases.ts';
import { startTestServer, middayClockOffsetMs, type TestServer } from '../support/test-server.ts';
import { seedDecisions } from '../support/seed-decisions.ts';
import { JumpClock } from '../../src/time/clock.ts';

const hour = 3_600_000;

for (const db of dbKinds) {
  describe(`tenant dashboard (${db})`, () => {
    let server: TestServer;
    const clock = new JumpClock(middayClockOffsetMs());
    before(async () => {
      server = await startTestServer({ db, clock: clock.now });
    });
    after(() => server.close());

    test('three days counted by hand', async () => {
      const { tenantId } = await server.createTenant();
      const other = await server.createTenant();
      const ago = (hours: number) => new Date(clock.now().getTime() - hours * hour);
      // "Now" is about noon in Seoul. Today (T): t1 approved by ARS; t2 denied by ARS, reported as fraud;
      // t3 not_required, its hold stopped; t4 failed by ARS, nobody answered (unreachable).
      // Yesterday (Y): y1 approved by passkey; y2 not_required; y3 expired on OTP. The day before: nothing.
      // Four days ago: outside the 3 days. Another tenant's challenge today: never counted.
      await seedDecisions(server.running.context.db, tenantId, [
        { id: 't1', customer: 'A', at: ago(1), status: 'approved', channel: 'ars', resultReason: 'ars_confirmed' },
        { id: 't2', customer: 'A', at: ago(2), status: 'denied', channel: 'ars', fraud: true, resultReason: 'customer_rejected' },
        { id: 't3', customer: 'B', at: ago(3), status: 'not_required', holdState: 'stopped' },
        { id: 't4', customer: 'C', at: ago(4), status: 'failed', channel: 'ars', resultReason: 'unreachable' },
        { id: 'y1', customer: 'A', at: ago(25), status: 'approved', channel: 'webauthn' },
        { id: 'y2', customer: 'B', at: ago(26), status: 'not_required' },
        { id: 'y3', customer: 'C', at: ago(27), status: 'expired', channel: 'otp' },
        { id: 'old', customer: 'A', at: ago(4 * 24), status: 'approved', channel: 'ars' },
      ]);
      await seedDecisions(server.running.context.db, other.tenantId, [{ id: 'x', customer: 'A', at: ago(1), status: 'denied', channel: 'ars', fraud: true }]);

      const answer = await server.admin('GET', `/admin/v1/tenants/${tenantId}/dashboard?days=3`);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(answer.body.timezone, 'Asia/Seoul');
      const [d2, y, t] = answer.body.series;
      assert.equal(answer.body.series.length, 3);
      const day = (hoursAgo: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Seoul' }).format(ago(hoursAgo));
      assert.deepEqual([d2.day, y.day, t.day], [day(48), day(24), day(0)]);
      // T: 4 challenges, 3 stepped up (all but t3) -> 0.75, all by ARS; ARS ended 3 (t1 t2 t4), answered 2
      // (not t4) -> 0.667, approved 1 of the 2 answered -> 0.5; 1 fraud report (t2), 1 hold stopped (t3).
      assert.deepEqual(t, {
        day: day(0), total: 4, byStatus: { approved: 1, denied: 1, not_required: 1, failed: 1 }, steppedUp: 3, stepUpRate: 0.75,
        byChannel: { ars: 3 }, ars: { ended: 3, answered: 2, approved: 1, answerRate: 0.667, approvalRate: 0.5 }, fraudReports: 1, holdsStopped: 1,
      });
      // Y: 3 challenges, 2 stepped up (y1 y3) -> 0.667, one passkey, one OTP; no ARS -> rates null.
      assert.deepEqual(y, {
        day: day(24), total: 3, byStatus: { approved: 1, not_required: 1, expired: 1 }, steppedUp: 2, stepUpRate: 0.667,
        byChannel: { webauthn: 1, otp: 1 }, ars: { ended: 0, answered: 0, approved: 0, answerRate: null, approvalRate: null }, fraudReports: 0, holdsStopped: 0,
      });
      assert.deepEqual(d2, {
        day: day(48), total: 0, byStatus: {}, steppedUp: 0, stepUpRate: 0,
        byChannel: {}, ars: { ended: 0, answered: 0, approved: 0, answerRate: null, approvalRate: null }, fraudReports: 0, holdsStopped: 0,
      });
      assert.equal((await server.admin('GET', `/admin/v1/tenants/${tenantId}/dashboard?days=91`)).status, 400);
    });
  });
}

test("a module's figures never take one of the day's own keys: a module named so stops the server", async () => {
  const { dashboardRoutes } = await import('../../src/dashboard/dashboard-routes.ts');
  const dashboard = { title: { 'en-US': 'Totals', 'ko-KR': '합계' }, figures: [], compute: async () => ({}) };
  const deps = { db: {}, tenants: {}, policies: {}, clock: () => new Date() } as never as Parameters<typeof dashboardRoutes>[0];
  assert.throws(() => dashboardRoutes({ ...deps, modules: [{ name: 'total', dashboard }] }), /the total module's dashboard figures would take the dashboard's own "total"/);
  assert.equal(dashboardRoutes({ ...deps, modules: [{ name: 'totals', dashboard }] }).length, 1);
});
