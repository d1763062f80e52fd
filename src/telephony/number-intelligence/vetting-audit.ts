// Every vetting is audited (docs/number-vetting.md): tenant, customer, masked number, purpose, verdict, reasons and
// what each source answered — never the full number.
import { appendAudit } from '../../audit/audit-log.ts';
import type { Queryable } from '../../storage/db.ts';
import { maskPhoneNumber } from '../../channels/ars/mask-phone-number.ts';
import type { CombinedVetting } from './combine-vetting.ts';
import type { SourceAnswer } from './number-source.ts';

export const vettingAuditActor = 'system:number-intelligence';

export interface VettingAuditInput {
  tenantId: string;
  customerId: string;
  e164: string;
  purpose: 'enrollment' | 'call';
  requestId: string;
  verdict: CombinedVetting;
  answers: readonly SourceAnswer[];
}

/** A source's answer as audited: every field but the number, which it never holds. */
const auditedAnswer = (answer: SourceAnswer) => ({
  source: answer.source,
  valid: answer.valid,
  lineType: answer.lineType,
  country: answer.country,
  callForwarding: answer.callForwarding,
  ...(answer.forwardedToSameOwner === undefined ? {} : { forwardedToSameOwner: answer.forwardedToSameOwner }),
  ...(answer.simSwap === undefined ? {} : { simSwap: answer.simSwap }),
  errors: answer.errors,
  ...(answer.unavailable ? { unavailable: true } : {}),
  ...(answer.cachedParts ? { cachedParts: answer.cachedParts } : {}),
});

export async function appendVettingAudit(tx: Queryable, input: VettingAuditInput): Promise<void> {
  const { verdict } = input;
  await appendAudit(tx, {
    tenantId: input.tenantId,
    actor: vettingAuditActor,
    action: 'number.vetted',
    subject: input.customerId,
    data: {
      requestId: input.requestId,
      number: maskPhoneNumber(input.e164),
      purpose: input.purpose,
      eligible: verdict.eligible,
      reasons: verdict.reasons,
      lineType: verdict.lineType,
      country: verdict.country,
      callForwarding: verdict.callForwarding,
      forwardedToSameOwner: verdict.forwardedToSameOwner,
      simSwap: verdict.simSwap,
      sources: input.answers.map(auditedAnswer),
    },
  });
}
