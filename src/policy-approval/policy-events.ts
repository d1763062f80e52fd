// The events maker-checker sends to the tenant's default callback URL (docs/events.md "Policy events"),
// as the OpenAPI document's `webhooks` describes them. Signed and retried like every event.
import { z } from 'zod';
import { proposalView } from './proposal-routes.ts';

const change = proposalView.shape.diff;
const weakens = proposalView.shape.weakens;
const envelope = <T extends z.ZodType>(type: string, data: T) => z.object({ type: z.literal(type), timestamp: z.string(), data });

export const policyEventSchemas = {
  'policy.proposed': {
    summary: 'A policy change waits for approval (maker-checker): its diff and the fields it weakens',
    schema: envelope('policy.proposed', proposalView.omit({ document: true, backtest: true }).extend({ tenantId: z.string() })),
  },
  'policy.changed': {
    summary: 'A new policy version is in force: approved, applied at once (maker-checker off) or by break-glass',
    schema: envelope(
      'policy.changed',
      z.object({
        tenantId: z.string(),
        version: z.number().int(),
        previousVersion: z.number().int(),
        author: z.string(),
        changedAt: z.string(),
        proposalId: z.string().nullable(),
        approvedBy: z.array(z.string()),
        breakGlass: z.boolean(),
        diff: change,
        weakens,
      }),
    ),
  },
  'policy.break_glass': {
    summary: 'A superadmin applied a proposal alone, with a reason (sent besides policy.changed)',
    schema: envelope(
      'policy.break_glass',
      z.object({ tenantId: z.string(), proposalId: z.string(), version: z.number().int(), actor: z.string(), reason: z.string(), author: z.string(), at: z.string(), diff: change, weakens }),
    ),
  },
} satisfies Record<string, { summary: string; schema: z.ZodType }>;
