// A tenant's last days in numbers (docs/admin-api.md "Dashboard"), per day in the policy's time zone:
// challenges by status, the step-up rate, the channel mix, fraud reports and holds stopped, and each
// channel module's own figures (ChannelModule.dashboard: e.g. the ARS answer and approval rates) under
// its name. One grouped query over the tenant's challenges; the groups are few (days × statuses ×
// channels × reasons), so they are folded here, and each module is handed its channel's.
import type { Queryable } from '../storage/db.ts';
import type { ChannelHost, DashboardPeriod, ModuleDashboard } from '../channels/channel-module.ts';

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
  fraudReports: number;
  holdsStopped: number;
  /** Each module's figures, under its name (e.g. `ars`). */
  [module: string]: unknown;
}

export interface TenantDashboard {
  days: number;
  timezone: string;
  from: string;
  to: string;
  series: DashboardDay[];
}

/** A module whose figures the dashboard carries. */
export interface DashboardModule {
  name: string;
  dashboard: ModuleDashboard;
}

/** The keys of a day that are the dashboard's own: no module's figures may take one. */
export const coreDayKeys = ['day', 'total', 'byStatus', 'steppedUp', 'stepUpRate', 'byChannel', 'fraudReports', 'holdsStopped'];

interface GroupRow {
  day: string;
  status: string;
  channel: string | null;
  result_reason: string | null;
  fraud_reported: boolean;
  hold_state: string | null;
  n: number;
}

/** The calendar date of `at` in `timeZone`, as YYYY-MM-DD. */
const dateIn = (at: Date, timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);

export async function tenantDashboard(
  db: Queryable,
  input: { tenantId: string; timezone: string; days: number; now: Date },
  figuresOf?: { modules: readonly DashboardModule[]; host: ChannelHost },
): Promise<TenantDashboard> {
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
  const byDay = new Map(dates.map((day) => [day, { day, total: 0, byStatus: {} as Record<string, number>, steppedUp: 0, byChannel: {} as Record<string, number>, fraudReports: 0, holdsStopped: 0 }]));
  // Each channel's challenges by day, status and result reason: what its module is handed.
  const outcomes = new Map<string, Map<string, DashboardPeriod['outcomes'][number]>>();
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
    if (row.channel !== null) {
      const channelOutcomes = outcomes.get(row.channel) ?? outcomes.set(row.channel, new Map()).get(row.channel)!;
      const key = JSON.stringify([row.day, row.status, row.result_reason]);
      const outcome = channelOutcomes.get(key) ?? { day: row.day, status: row.status, resultReason: row.result_reason, count: 0 };
      outcome.count += n;
      channelOutcomes.set(key, outcome);
    }
    if (row.fraud_reported) entry.fraudReports += n;
    if (row.hold_state === 'stopped') entry.holdsStopped += n;
  }
  const figures = figuresOf
    ? await Promise.all(
        figuresOf.modules.map(async ({ name, dashboard }) => {
          const period: DashboardPeriod = { tenantId, timezone, days: dates, from, to: now, outcomes: [...(outcomes.get(name)?.values() ?? [])] };
          return { name, dashboard, values: await dashboard.compute(figuresOf.host, period) };
        }),
      )
    : [];
  const series = [...byDay.values()].map((entry) => {
    const day: DashboardDay = { ...entry, stepUpRate: entry.total === 0 ? 0 : Math.round((entry.steppedUp / entry.total) * 1000) / 1000 };
    // Only the figures a module declares, in its order: a count it leaves out is 0, a rate null.
    for (const { name, dashboard, values } of figures) {
      day[name] = Object.fromEntries(dashboard.figures.map((figure) => [figure.key, values[entry.day]?.[figure.key] ?? (figure.kind === 'count' ? 0 : null)]));
    }
    return day;
  });
  return { days, timezone, from: from.toISOString(), to: now.toISOString(), series };
}
