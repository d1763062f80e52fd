// The notification phone (docs/holds.md, "The notification phone"): a number the customer enrols only to be
// told about held transfers, for customers without an ARS phone. A notification is not a verification,
// so a mobile is fine too; but never a forwarded, VoIP or premium number (the vetter's strict sources,
// with the tenant's ARS countries and forwarding rules). Stored encrypted, shown masked, vetted again
// before nothing else: the call only tells and offers `9`.
import { z } from 'zod';
import type { Db, Queryable } from '../../storage/db.ts';
import type { Envelope } from '../../crypto/envelope.ts';
import type { PolicyStore } from '../../tenants/policy-store.ts';
import { appendAudit } from '../../audit/audit-log.ts';
import { effectivePolicy } from '../../policy/policy-schema.ts';
import { upsertCustomer } from '../../customers/customer-store.ts';
import { arsProblem } from './ars-problem-codes.ts';
import type { NumberNormalizer } from './ars-ports.ts';
import type { ArsPolicy } from './ars-policy.ts';
import { arsCustomerStore } from './ars-customer-store.ts';
import { phoneContext, type PhoneEnrollment } from './ars-enrollment.ts';
import { maskPhoneNumber } from './mask-phone-number.ts';
import { numberIneligibleProblem } from './number-ineligible-problem.ts';
import type { NumberVetter } from './number-vetting.ts';
import { sectionOf } from '../../policy/policy-fields.ts';
import { arsPolicy } from './ars-policy.ts';

const notificationContext = (tenantId: string, customerId: string) => `notification-phone:${tenantId}:${customerId}`;

/** The ARS policy as it applies to a notification call's number: landline or mobile, no cooldown (nothing is verified). */
export const notificationPolicy = (ars: ArsPolicy): ArsPolicy => ({ ...ars, allowedLineTypes: ['landline', 'mobile'], callForwarding: 'reject', numberChangeCooldownDays: 0 });

export class NotificationPhoneEnrollment {
  constructor(private readonly deps: { db: Db; envelope: Envelope; policies: PolicyStore; vetter: NumberVetter; normalizeNumber: NumberNormalizer }) {}

  async set(tenantId: string, customerId: string, rawNumber: string, actor: string): Promise<PhoneEnrollment> {
    const { db, envelope, vetter } = this.deps;
    const e164 = this.deps.normalizeNumber(rawNumber);
    if (!e164) throw arsProblem('invalid_number', 'number: not a phone number in international format (+<country code> …)', { reasons: ['invalid_number'] });
    const policy = notificationPolicy(sectionOf(effectivePolicy((await this.deps.policies.currentCached(tenantId)).document), arsPolicy));
    const vetting = await vetter.vet({ tenantId, customerId, e164, policy, purpose: 'enrollment' });
    if (!vetting.eligible) throw numberIneligibleProblem(e164, vetting);
    const masked = maskPhoneNumber(e164);
    await db.tx(async (tx) => {
      await upsertCustomer(tx, tenantId, customerId);
      await tx.query(
        `INSERT INTO ars_notification_phones (tenant_id, customer_id, phone_enc, phone_masked, line_type, call_forwarding) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (tenant_id, customer_id) DO UPDATE SET phone_enc = EXCLUDED.phone_enc, phone_masked = EXCLUDED.phone_masked,
           line_type = EXCLUDED.line_type, call_forwarding = EXCLUDED.call_forwarding, updated_at = now()`,
        [tenantId, customerId, envelope.encrypt(e164, notificationContext(tenantId, customerId)), masked, vetting.lineType, vetting.callForwarding],
      );
      await appendAudit(tx, { tenantId, actor, action: 'ars.notification_phone_enrolled', subject: customerId, data: { number: masked, lineType: vetting.lineType, callForwarding: vetting.callForwarding } });
    });
    return { number: masked, lineType: vetting.lineType, callForwarding: vetting.callForwarding, eligible: true, reasons: [] };
  }

  async describe(tenantId: string, customerId: string): Promise<Record<string, unknown>> {
    const result = await this.deps.db.query<{ phone_masked: string; line_type: string }>('SELECT phone_masked, line_type FROM ars_notification_phones WHERE tenant_id = $1 AND customer_id = $2', [tenantId, customerId]);
    const row = result.rows[0];
    return { notificationPhone: row ? { number: row.phone_masked, lineType: row.line_type } : null };
  }

  async erase(tx: Queryable, tenantId: string, customerId: string): Promise<void> {
    await tx.query('DELETE FROM ars_notification_phones WHERE tenant_id = $1 AND customer_id = $2', [tenantId, customerId]);
  }
}

/** The summary's part (GET /v1/customers/{id}) for OpenAPI. */
export const notificationPhoneSummary = {
  notificationPhone: z
    .object({ number: z.string().describe('Masked'), lineType: z.string() })
    .nullable()
    .describe('A phone enrolled only for the notification calls of held transfers (docs/holds.md); null when none'),
};

/** A number a notification call may ring, with when it replaced the customer's ARS phone (null: it did not). */
export interface NotificationNumber {
  to: string;
  numberChangedAt: Date | null;
}

/**
 * Where the notification call of a held transfer may ring (E.164, decrypted only to dial), first
 * choice first: the ARS phone (unless the customer disputed it: docs/ars-channel.md "A changed number"),
 * then the notification phone; empty when the customer has neither. The ARS phone carries its change
 * time: inside the change cooldown the call guard refuses it and the notification phone is rung instead.
 */
export async function notificationNumbersOf(q: Queryable, envelope: Envelope, tenantId: string, customerId: string): Promise<NotificationNumber[]> {
  const numbers: NotificationNumber[] = [];
  const ars = await arsCustomerStore.get(q, tenantId, customerId);
  if (ars?.phone_enc && !ars.phone_suspended_at) numbers.push({ to: envelope.decryptText(ars.phone_enc, phoneContext(tenantId, customerId)), numberChangedAt: ars.number_changed_at ?? null });
  const result = await q.query<{ phone_enc: string }>('SELECT phone_enc FROM ars_notification_phones WHERE tenant_id = $1 AND customer_id = $2', [tenantId, customerId]);
  const row = result.rows[0];
  if (row) numbers.push({ to: envelope.decryptText(row.phone_enc, notificationContext(tenantId, customerId)), numberChangedAt: null });
  return numbers;
}
