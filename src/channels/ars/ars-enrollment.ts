// Enrollment for the ARS channel (docs/ars-channel.md): the phone number (vetted, stored encrypted with a masked
// form and a keyed hash) and the knowledge secret (envelope-encrypted, never returned or logged),
// plus what GET/DELETE /v1/customers and the admin unlock need.
import { z } from 'zod';
import type { Db, Queryable } from '../../storage/db.ts';
import type { Envelope } from '../../crypto/envelope.ts';
import type { PolicyStore } from '../../tenants/policy-store.ts';
import { appendAudit } from '../../audit/audit-log.ts';
import { ProblemError } from '../../errors/problem.ts';
import { effectivePolicy } from '../../policy/policy-schema.ts';
import { arsCustomerStore } from './ars-customer-store.ts';
import { inNumberChangeCooldown, numberChangeCooldownEnd, type NumberVetter } from './number-vetting.ts';
import { secretPattern, secretWeakness } from './knowledge-secret.ts';
import { maskPhoneNumber } from './mask-phone-number.ts';
import type { NumberHasher, NumberNormalizer } from './ars-ports.ts';
import { numberIneligibleProblem } from './number-ineligible-problem.ts';
import { upsertCustomer } from '../../customers/customer-store.ts';
import { arsProblem } from './ars-problem-codes.ts';
import { numberChangeMarkRetentionMs, type NumberChangeMarks } from './number-change-marks.ts';
import type { PhoneChangeNotices } from './phone-change-notices.ts';
import type { Clock } from '../../time/clock.ts';
import { sectionOf } from '../../policy/policy-fields.ts';
import { arsPolicy } from './ars-policy.ts';

export const phoneContext = (tenantId: string, customerId: string) => `ars-phone:${tenantId}:${customerId}`;
export const secretContext = (tenantId: string, customerId: string) => `ars-knowledge-secret:${tenantId}:${customerId}`;


export interface PhoneEnrollment {
  number: string;
  lineType: string;
  callForwarding: boolean | null;
  eligible: true;
  reasons: string[];
  /** Only while a changed number is in its cooldown (docs/ars-channel.md): when ARS may call it again. */
  callableFrom?: string;
}

export interface ArsEnrollmentDeps {
  db: Db;
  envelope: Envelope;
  policies: PolicyStore;
  vetter: NumberVetter;
  /** Keyed hash of a number (number intelligence's, so caps and the stored hash agree). */
  hashNumber: NumberHasher;
  normalizeNumber: NumberNormalizer;
  /** Id of the master key the hash key derives from. */
  phoneHashKeyId: string;
  /** The number-change cooldown's memory across erasure. */
  marks: NumberChangeMarks;
  /** The calls to old numbers; absent without a voice provider (no call is placed then). */
  notices?: PhoneChangeNotices | undefined;
  clock: Clock;
}

/** The language of the call to the old number when the bank names none. */
export const defaultNoticeLocale = 'ko-KR';

export class ArsEnrollment {
  constructor(private readonly deps: ArsEnrollmentDeps) {}

  /** `<master key id>:<HMAC>`: comparable only with hashes under the same master key. */
  phoneHash(e164: string): string {
    return `${this.deps.phoneHashKeyId}:${this.deps.hashNumber(e164)}`;
  }

  async setPhone(tenantId: string, customerId: string, rawNumber: string, actor: string, locale = defaultNoticeLocale): Promise<PhoneEnrollment> {
    const { db, envelope, vetter, marks, notices, clock } = this.deps;
    const e164 = this.deps.normalizeNumber(rawNumber);
    if (!e164) throw arsProblem('invalid_number', 'number: not a phone number in international format (+<country code> …)', { reasons: ['invalid_number'] });
    const policy = sectionOf(effectivePolicy((await this.deps.policies.currentCached(tenantId)).document), arsPolicy);
    const now = clock();
    const existing = await arsCustomerStore.get(db, tenantId, customerId);
    const phoneHash = this.phoneHash(e164);
    // The stored number is compared itself (not its hash), so a master-key rotation never looks like a
    // number change (numberChangeCooldownDays). A first number is not a change, unless the customer
    // had one before an erasure (number-change-marks.ts): the cooldown survives erasure.
    const oldE164 = existing?.phone_enc ? envelope.decryptText(existing.phone_enc, phoneContext(tenantId, customerId)) : null;
    const changed = oldE164 !== null ? oldE164 !== e164 : await marks.changedSince(db, tenantId, customerId, new Date(now.getTime() - numberChangeMarkRetentionMs));
    const numberChangedAt = changed ? now : (existing?.number_changed_at ?? null);
    const vetting = await vetter.vet({ tenantId, customerId, e164, policy, purpose: 'enrollment', numberChangedAt });
    // Refused: nothing stored (docs/ars-channel.md); the vetter has audited the refusal with its sources.
    if (!vetting.eligible) throw numberIneligibleProblem(e164, vetting);
    const masked = maskPhoneNumber(e164);
    const noticeId = await db.tx(async (tx) => {
      await upsertCustomer(tx, tenantId, customerId);
      await arsCustomerStore.upsertPhone(tx, tenantId, customerId, {
        phoneEnc: envelope.encrypt(e164, phoneContext(tenantId, customerId)),
        phoneMasked: masked,
        phoneHash,
        lineType: vetting.lineType,
        callForwarding: vetting.callForwarding,
        changedAt: changed ? now : null,
      });
      if (changed) await marks.record(tx, tenantId, customerId, now);
      await appendAudit(tx, { tenantId, actor, action: 'ars.phone_enrolled', subject: customerId, data: { number: masked, lineType: vetting.lineType, callForwarding: vetting.callForwarding, changed } });
      // The old number hears of the change, unless it is itself a suspended (disputed) number.
      if (!changed || oldE164 === null || existing?.phone_suspended_at || !notices) return null;
      return notices.record(tx, { tenantId, customerId, locale, oldE164, newPhoneHash: phoneHash, newPhoneMasked: masked, changedAt: now });
    });
    if (noticeId) await notices!.schedule(tenantId, noticeId);
    // Only present during a cooldown: the first enrollment answers exactly the docs/ars-channel.md shape.
    const cooldownEnd = inNumberChangeCooldown(policy, numberChangedAt, now) ? numberChangeCooldownEnd(policy, numberChangedAt) : null;
    return { number: masked, lineType: vetting.lineType, callForwarding: vetting.callForwarding, eligible: true, reasons: [], ...(cooldownEnd ? { callableFrom: cooldownEnd.toISOString() } : {}) };
  }

  async setSecret(tenantId: string, customerId: string, secret: string, actor: string): Promise<void> {
    if (!secretPattern.test(secret)) throw new ProblemError('validation_failed', 'secret: 6 to 12 digits', { errors: [{ path: 'secret', message: '6 to 12 digits' }] });
    const weakness = secretWeakness(secret);
    if (weakness) throw arsProblem('weak_secret', 'The security number is too easy to guess (repeated digits, runs or repeated blocks)', { weakness });
    const { db, envelope } = this.deps;
    await db.tx(async (tx) => {
      await upsertCustomer(tx, tenantId, customerId);
      await arsCustomerStore.upsertSecret(tx, tenantId, customerId, envelope.encrypt(secret, secretContext(tenantId, customerId)), secret.length);
      await appendAudit(tx, { tenantId, actor, action: 'ars.secret_enrolled', subject: customerId, data: { length: secret.length } });
    });
  }

  /** The ARS part of the enrollment summary (shape: arsCustomerSummary): masked number, whether a secret is set, lock state. */
  async describe(tenantId: string, customerId: string): Promise<Record<string, unknown>> {
    const row = await arsCustomerStore.get(this.deps.db, tenantId, customerId);
    return {
      phone: row?.phone_masked
        ? {
            number: row.phone_masked,
            lineType: row.line_type,
            callForwarding: row.call_forwarding ?? null,
            numberChangedAt: row.number_changed_at?.toISOString() ?? null,
            suspended: Boolean(row.phone_suspended_at),
            suspendedAt: row.phone_suspended_at?.toISOString() ?? null,
          }
        : null,
      ars: {
        knowledgeSecret: Boolean(row?.secret_enc),
        locked: Boolean(row?.locked_at),
        lockedAt: row?.locked_at?.toISOString() ?? null,
        consecutiveFailures: row?.consecutive_failures ?? 0,
      },
    };
  }

  /** Erases the customer's ARS data; a number erased is remembered as a change (the mark, nothing personal). */
  async erase(tx: Queryable, tenantId: string, customerId: string): Promise<void> {
    if (await arsCustomerStore.erase(tx, tenantId, customerId)) await this.deps.marks.record(tx, tenantId, customerId, this.deps.clock());
    await this.deps.notices?.erase(tx, tenantId, customerId);
  }

  async unlock(tx: Queryable, tenantId: string, customerId: string): Promise<string[]> {
    return (await arsCustomerStore.unlock(tx, tenantId, customerId)) ? ['ars'] : [];
  }
}

/** What ArsEnrollment.describe contributes to GET /v1/customers/{id}, for the OpenAPI document. */
export const arsCustomerSummary = {
  phone: z
    .object({
      number: z.string().describe('Masked, e.g. "+82 2-***-3456"'),
      lineType: z.string().nullable(),
      callForwarding: z.boolean().nullable().describe('As last vetted (at enrollment): true, false, or null when no source could tell; every call vets the number again'),
      numberChangedAt: z.string().nullable(),
      suspended: z.boolean().describe('true after the customer pressed 9 on the call to the old number ("I did not change it"): ARS refuses the number until the bank enrols a number again or an admin unlocks the customer'),
      suspendedAt: z.string().nullable(),
    })
    .nullable()
    .describe('The number ARS calls; null when none is registered'),
  ars: z.object({
    knowledgeSecret: z.boolean().describe('Whether a security number is set (never the number)'),
    locked: z.boolean(),
    lockedAt: z.string().nullable(),
    consecutiveFailures: z.number().int(),
  }),
};
