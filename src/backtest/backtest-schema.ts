// The backtest's answer as the admin API documents it (src/backtest/backtest-result.ts).
import { z } from 'zod';

const counts = z.record(z.string(), z.number().int());
const sideBySide = <T extends z.ZodType>(schema: T) => z.object({ current: schema, draft: schema });

export const backtestResultSchema = z.object({
  fraudReportedPassing: z.array(z.string()).describe('Challenges whose customer reported fraud that the draft would not have stepped up (at most 1,000)'),
  fraudReportedPassingTotal: z.number().int(),
  decisions: z.number().int().describe('Decisions replayed'),
  days: z.number().int(),
  from: z.string(),
  to: z.string(),
  currentVersion: z.number().int(),
  steppedUp: sideBySide(z.number().int()),
  byReason: sideBySide(counts),
  byChannel: sideBySide(counts),
  holds: sideBySide(z.number().int()),
});
