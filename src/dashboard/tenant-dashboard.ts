// A tenant's last days in numbers (docs/admin-api.md "Dashboard"), per day in the policy's time zone:
// challenges by status, the step-up rate, the channel mix, ARS answer and approval rates, fraud reports
// and holds stopped. One grouped query over the tenant's challenges; the groups are few (days × statuses
// × channels × reasons), so they are folded here.
import type { Queryable } from '../storage/db.ts';

export interface DashboardDay {
  day: string;
  total: number;
  byStatus: Record<string, number>;
  /** Decisions that asked for a step-up (every status but not_required). */
  steppedUp: number;
  /** steppedUp / total, 0 on a day without challenges. */
  stepUpRate: number;
  /** Stepped-up challenges by the channel they went to ('none' when none was eligible). */
  byChannel: Record<string, number>;
  /** ARS challenges that ended: how many, how many reached the customer (not `unreachable`), how many approved. */
  ars: { ended: number; answered: number; approved: number; answerRate: number | null; approvalRate: number | null };
  fraudReports: number;
  holdsStopped: number;
}

export interface TenantDashboard {
  days: number;
  timezone: string;
  from: string;
  to: string;
  series: DashboardDay[];
}

interface GroupRow {
  day: string;
  status: string;
  channel: string | null;
  result_reason: string | null;
  fraud_reported: boolean;
  hold_state: string | null;
  n: number;
}

const endedStatuses = new Set(['approved', 'denied', 'expired', 'canceled', 'failed']);
const rate = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 1000) / 1000);

/** The calendar date of `at` in `timeZone`, as YYYY-MM-DD. */
const dateIn = (at: Date, timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);

export async function tenantDashboard(db: Queryable, input: { tenantId: string; timezone: string; days: number; now: Date }): Promise<TenantDashboard> {
  const { tenantId, timezone, days, now } = input;
  // The days shown: today and the days - 1 before it, in the tenant's zone.
  const dates = Array.from({ length: days }, (_, back) => dateIn(new Date(now.getTime() - (days - 1 - back) * 86_400_000), timezone));
  const from = new Date(now.getTime() - (days + 1) * 86_400_000);
  const result = await db.query<GroupRow>(
    `SELECT to_char(created_at AT TIME ZONE $3, 'YYYY-MM-DD') AS day, status, channel, result_reason, fraud_reported, hold_state, count(*)::int AS n
     FROM challenges WHERE tenant_id = $1 AND created_at >= $2 AND created_at <= $4
     GROUP BY 1, 2, 3, 4, 5, 6`,
    [tenantId, from, timezone, now],
  );
  const byDay = new Map(dates.map((day) => [day, { day, total: 0, byStatus: {} as Record<string, number>, steppedUp: 0, byChannel: {} as Record<string, number>, ars: { ended: 0, answered: 0, approved: 0 }, fraudReports: 0, holdsStopped: 0 }]));
  for (const row of result.rows) {
    const entry = byDay.get(row.day);
    if (!entry) continue;
    const n = Number(row.n);
    entry.total += n;
    entry.byStatus[row.status] = (entry.byStatus[row.status] ?? 0) + n;
    if (row.status !== 'not_required') {
      entry.steppedUp += n;
      const channel = row.channel ?? 'none';
      entry.byChannel[channel] = (entry.byChannel[channel] ?? 0) + n;
    }
    if (row.channel === 'ars' && endedStatuses.has(row.status)) {
      entry.ars.ended += n;
      if (row.result_reason !== 'unreachable') entry.ars.answered += n;
      if (row.status === 'approved') entry.ars.approved += n;
    }
    if (row.fraud_reported) entry.fraudReports += n;
    if (row.hold_state === 'stopped') entry.holdsStopped += n;
  }
  const series = [...byDay.values()].map((entry) => ({
    ...entry,
    stepUpRate: entry.total === 0 ? 0 : Math.round((entry.steppedUp / entry.total) * 1000) / 1000,
    ars: { ...entry.ars, answerRate: rate(entry.ars.answered, entry.ars.ended), approvalRate: rate(entry.ars.approved, entry.ars.answered) },
  }));
  return { days, timezone, from: from.toISOString(), to: now.toISOString(), series };
}
