// The hold's public shape and the stop request (docs/holds.md): zod schemas that validate requests and
// generate the OpenAPI document.
import { z } from 'zod';
import { holdStates, stoppers } from './hold-record.ts';

export const holdResponseSchema = z.object({
  state: z.enum(holdStates),
  reasons: z.array(z.enum(['hold_min_amount', 'new_payee'])).describe('why the transfer is held'),
  releaseAt: z.string().describe('when the transfer is released (challenge.hold_released), unless stopped before'),
  stopClosesAt: z.string().describe('after this a stop is 409 hold_stop_closed'),
  releasedAt: z.string().nullable(),
  stoppedAt: z.string().nullable(),
  stoppedBy: z.enum(stoppers).nullable(),
  stopUrl: z.string().nullable().describe("the customer's stop page under /c/ (null when none was issued)"),
  notifications: z.array(z.object({ at: z.string(), channel: z.literal('call'), outcome: z.string() })).describe('notification calls placed and how they ended'),
});

export const stopHoldSchema = z.strictObject({
  reason: z
    .string()
    .min(1)
    .max(500)
    .regex(/^[^\p{Cc}]*$/u, 'control characters are not allowed')
    .describe('why the transfer is stopped (audited; not shown to the customer)'),
});
