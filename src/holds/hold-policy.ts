// The policy's `hold` section (docs/holds.md, docs/policy-reference.md): after an approval, the transfer
// takes effect only after a delay, the customer is called at once, and can stop it until shortly before.
// Imports only zod and the policy's field helpers, like a channel's section: the policy schema reads it
// at import time.
import { z } from 'zod';
import { distinct, policyMoney, type SectionValues, type WeakeningMap } from '../policy/policy-fields.ts';

/** The bounds of docs/policy-reference.md: a hold lasts 1 minute to 3 days, with at most 3 calls. */
export const holdBounds = { minSeconds: 60, maxSeconds: 259_200, maxNotificationCalls: 3, maxNewPayeeWithinSeconds: 2_592_000 } as const;

/** Ends of a challenge that may be held: the two that let money move. */
export const holdableStatuses = ['approved', 'not_required'] as const;
export type HoldableStatus = (typeof holdableStatuses)[number];

export const holdPolicyFields = {
  enabled: z.boolean(),
  minAmount: policyMoney,
  seconds: z.number().int().min(holdBounds.minSeconds).max(holdBounds.maxSeconds),
  appliesTo: distinct(z.enum(holdableStatuses), holdableStatuses.length).min(1),
  stopClosesBeforeSeconds: z.number().int().min(0).max(holdBounds.maxSeconds),
  notifyCallsAfterSeconds: z
    .array(z.number().int().min(0).max(holdBounds.maxSeconds))
    .max(holdBounds.maxNotificationCalls, `at most ${holdBounds.maxNotificationCalls} notification calls`)
    .refine((list) => list.every((value, i) => i === 0 || value > list[i - 1]!), 'in ascending order, without repeats'),
  newPayeeWithinSeconds: z.number().int().min(0).max(holdBounds.maxNewPayeeWithinSeconds),
};

export type HoldPolicy = SectionValues<typeof holdPolicyFields>;

/** Which direction of each hold field weakens security (docs/policy-reference.md "Which way weakens"). */
export const holdWeakening: WeakeningMap<typeof holdPolicyFields> = {
  enabled: 'turned_off',
  minAmount: 'higher',
  seconds: 'lower',
  appliesTo: 'removed',
  // The stop closes earlier: less time for the customer to stop a transfer.
  stopClosesBeforeSeconds: 'higher',
  notifyCallsAfterSeconds: 'any',
  newPayeeWithinSeconds: 'lower',
};

/**
 * Off by default (a bank turns it on when it executes transfers only on `challenge.hold_released`).
 * The figures follow Korea's delayed-transfer service (at least 3 hours, cancel until 30 minutes
 * before) and Singapore's 12-hour cooling-off for new payees.
 */
export const holdDefaults: HoldPolicy = {
  enabled: false,
  minAmount: '1000000',
  seconds: 10_800,
  appliesTo: ['approved', 'not_required'],
  stopClosesBeforeSeconds: 1800,
  notifyCallsAfterSeconds: [0, 5400],
  newPayeeWithinSeconds: 43_200,
};

/** What is wrong between the fields of one (merged) hold section: a stop window and calls inside the hold. */
export function holdSectionIssues(hold: HoldPolicy | undefined): { field: keyof HoldPolicy; message: string }[] {
  // Fields out of their own bounds are reported by their schemas; nothing more to say about them together.
  if (!hold || !holdPolicyFields.seconds.safeParse(hold.seconds).success || !holdPolicyFields.notifyCallsAfterSeconds.safeParse(hold.notifyCallsAfterSeconds).success) return [];
  const issues: { field: keyof HoldPolicy; message: string }[] = [];
  if (hold.stopClosesBeforeSeconds >= hold.seconds) {
    issues.push({ field: 'stopClosesBeforeSeconds', message: `must be less than hold.seconds (${hold.seconds}): the customer needs time to stop the transfer` });
    return issues;
  }
  const stopWindow = hold.seconds - hold.stopClosesBeforeSeconds;
  if (hold.notifyCallsAfterSeconds.some((after) => after >= stopWindow)) {
    issues.push({ field: 'notifyCallsAfterSeconds', message: `each call must come before the stop closes (${stopWindow} s after the end)` });
  }
  return issues;
}
