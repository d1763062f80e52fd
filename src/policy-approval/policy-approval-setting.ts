// The tenant's maker-checker setting for policy (docs/admin-api.md "Maker-checker"): whether a policy
// change waits for other admins, how many, and for how long. On for new tenants.
import { z } from 'zod';

export const policyApprovalSchema = z.strictObject({
  required: z.boolean().describe('Policy changes wait as proposals until other admins approve them'),
  approvals: z.number().int().min(1).max(5).default(1).describe('How many admins other than the author must approve'),
  expiresAfterSeconds: z.number().int().min(300).max(2_592_000).default(86_400).describe('A proposal not approved within this time expires'),
});

export type PolicyApproval = z.output<typeof policyApprovalSchema>;

/** What a tenant created today gets unless its creator says otherwise. */
export const policyApprovalForNewTenants: PolicyApproval = { required: true, approvals: 1, expiresAfterSeconds: 86_400 };

/** Tenants created before maker-checker existed keep changing their policy at once until switched on. */
export const policyApprovalOff: PolicyApproval = { required: false, approvals: 1, expiresAfterSeconds: 86_400 };

/** True when `after` lowers dual control: switched off, fewer approvers, or proposals living longer. */
export function loosensPolicyApproval(before: PolicyApproval, after: PolicyApproval): boolean {
  if (!before.required) return false;
  return !after.required || after.approvals < before.approvals || after.expiresAfterSeconds > before.expiresAfterSeconds;
}
