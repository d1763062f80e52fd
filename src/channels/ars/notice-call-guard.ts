// Asked before every call that only tells (docs/holds.md "The notification phone", docs/ars-channel.md
// "A changed number"): the held transfer's notification call and the call to an old number. The number
// is vetted again — forwarding can be switched on at any time, and a thief who forwards the customer's
// old number takes the warning call himself — as a notification number (landline or mobile; never
// forwarded, VoIP or premium), a number inside the ARS change cooldown is not told anything, and the
// call is taken from the same budgets as ARS calls (per customer and per number).
import type { PolicyStore } from '../../tenants/policy-store.ts';
import { effectivePolicy } from '../../policy/policy-schema.ts';
import type { CallCaps, NumberVetter } from './number-vetting.ts';
import { notificationPolicy } from './notification-phone.ts';
import { sectionOf } from '../../policy/policy-fields.ts';
import { arsPolicy } from './ars-policy.ts';

export type NoticeCallRefusal = 'number_ineligible' | 'number_recently_changed' | 'call_cap_reached';

export interface NoticeCall {
  tenantId: string;
  customerId: string;
  /** E.164. */
  to: string;
  /** When this number replaced the customer's ARS phone; null for a number that did not (the cooldown does not apply). */
  numberChangedAt: Date | null;
}

export interface NoticeCallGuard {
  admit(call: NoticeCall): Promise<{ admitted: true } | { admitted: false; outcome: NoticeCallRefusal }>;
}

export function noticeCallGuard(deps: { vetter: NumberVetter; caps: CallCaps; policies: PolicyStore }): NoticeCallGuard {
  return {
    async admit({ tenantId, customerId, to, numberChangedAt }) {
      const ars = sectionOf(effectivePolicy((await deps.policies.currentCached(tenantId)).document), arsPolicy);
      const policy = { ...notificationPolicy(ars), numberChangeCooldownDays: ars.numberChangeCooldownDays };
      const vetting = await deps.vetter.vet({ tenantId, customerId, e164: to, policy, purpose: 'call', numberChangedAt });
      if (!vetting.eligible) return { admitted: false, outcome: vetting.reasons.includes('number_recently_changed') ? 'number_recently_changed' : 'number_ineligible' };
      const cap = await deps.caps.reserve({ tenantId, customerId, e164: to, policy });
      return cap.allowed ? { admitted: true } : { admitted: false, outcome: 'call_cap_reached' };
    },
  };
}
