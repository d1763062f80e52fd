// The OTP channel's section of the tenant policy (`channels.otp`, docs/policy-reference.md): fields,
// defaults and the failure bound. Composed into the document by src/policy/policy-schema.ts.
import { z } from 'zod';
import { consecutiveFailures, securityBounds, type PolicySection, type SectionValues } from '../../policy/policy-fields.ts';

const otpPolicyFields = {
  enabled: z.boolean(),
  // Per challenge, and consecutive per token before it locks.
  maxAttempts: consecutiveFailures,
  // New OCRA tokens: payee and amount where the suite can carry both (QN16 and up), docs/otp-question-derivation.md.
  questionDerivation: z.enum(['payee_account', 'payee_account_amount']),
  // Weakens: lets tokens be imported that bind the payee only, so a code approves any amount to that payee.
  allowPayeeOnlyTokens: z.boolean(),
};

export type OtpPolicy = SectionValues<typeof otpPolicyFields>;

export const otpPolicy: PolicySection<typeof otpPolicyFields> = {
  name: 'otp',
  fields: otpPolicyFields,
  defaults: { enabled: true, maxAttempts: 5, questionDerivation: 'payee_account_amount', allowPayeeOnlyTokens: false },
  weakening: { enabled: 'any', maxAttempts: 'higher', questionDerivation: { ranks: ['payee_account_amount', 'payee_account'] }, allowPayeeOnlyTokens: 'turned_on' },
  withinBounds: (otp) => (otp.maxAttempts <= securityBounds.maxConsecutiveFailures ? otp : { ...otp, maxAttempts: securityBounds.maxConsecutiveFailures }),
};
