// The ARS channel's figures on the tenant dashboard (ChannelModule.dashboard; docs/admin-api.md
// "Dashboard"): per day, the ARS challenges that ended, how many reached the customer (did not end
// `unreachable`: nobody answered any call attempt) and how many were approved, with the answer and
// approval rates. Read from the challenges' outcomes the core counts, not from the call attempts.
import { consoleText, type ModuleDashboard } from '../channel-module.ts';

const endedStatuses = new Set(['approved', 'denied', 'expired', 'canceled', 'failed']);
const rate = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 1000) / 1000);

export const arsDashboard: ModuleDashboard = {
  title: consoleText('ARS answer and approval rates (%)', 'ARS 응답률과 승인률(%)'),
  figures: [
    { key: 'ended', kind: 'count', label: consoleText('ARS challenges ended', '종료된 ARS 인증'), chart: false },
    { key: 'answered', kind: 'count', label: consoleText('ARS challenges answered', '응답한 ARS 인증'), chart: false },
    { key: 'approved', kind: 'count', label: consoleText('ARS challenges approved', '승인된 ARS 인증'), chart: false },
    { key: 'answerRate', kind: 'rate', label: consoleText('ARS answered', 'ARS 응답'), chart: true },
    { key: 'approvalRate', kind: 'rate', label: consoleText('ARS approved (of answered)', 'ARS 승인(응답 중)'), chart: true },
  ],
  // One day in the dashboard's OpenAPI example (its story: 377 of the day's 502 step-ups went to ARS).
  example: { ended: 377, answered: 352, approved: 318, answerRate: 0.934, approvalRate: 0.903 },
  async compute(_host, { days, outcomes }) {
    const byDay = new Map(days.map((day) => [day, { ended: 0, answered: 0, approved: 0 }]));
    for (const outcome of outcomes) {
      const entry = byDay.get(outcome.day);
      if (!entry || !endedStatuses.has(outcome.status)) continue;
      entry.ended += outcome.count;
      if (outcome.resultReason !== 'unreachable') entry.answered += outcome.count;
      if (outcome.status === 'approved') entry.approved += outcome.count;
    }
    return Object.fromEntries(
      [...byDay].map(([day, counts]) => [day, { ...counts, answerRate: rate(counts.answered, counts.ended), approvalRate: rate(counts.approved, counts.answered) }]),
    );
  },
};
