// The OTP channel's section of the tenant policy (`channels.otp`, docs/policy-reference.md): fields,
// defaults and the failure bound. Composed into the document by src/policy/policy-schema.ts.
import { z } from 'zod';
import { consecutiveFailures, securityBounds, type PolicySection, type SectionValues } from '../../policy/policy-fields.ts';

const otpPolicyFields = {
  enabled: z.boolean(),
  // Per challenge, and consecutive per token before it locks.
  maxAttempts: consecutiveFailures,
  questionDerivation: z.enum(['payee_account', 'payee_account_amount']),
};

export type OtpPolicy = SectionValues<typeof otpPolicyFields>;

export const otpPolicy: PolicySection<typeof otpPolicyFields> = {
  fields: otpPolicyFields,
  defaults: { enabled: true, maxAttempts: 5, questionDerivation: 'payee_account' },
  withinBounds: (otp) => (otp.maxAttempts <= securityBounds.maxConsecutiveFailures ? otp : { ...otp, maxAttempts: securityBounds.maxConsecutiveFailures }),
};
