// The WebAuthn channel's section of the tenant policy (`channels.webauthn`, docs/policy-reference.md).
// Composed into the document by src/policy/policy-schema.ts.
import { z } from 'zod';
import type { PolicySection, SectionValues } from '../../policy/policy-fields.ts';

const webauthnPolicyFields = {
  enabled: z.boolean(),
  userVerification: z.enum(['required', 'preferred']),
  maxFailures: z.number().int().min(1).max(5, 'at most 5 consecutive failures (PSD2 RTS Art. 4(3)(b))'),
};

export type WebauthnPolicy = SectionValues<typeof webauthnPolicyFields>;

export const webauthnPolicy: PolicySection<typeof webauthnPolicyFields> = {
  name: 'webauthn',
  fields: webauthnPolicyFields,
  defaults: { enabled: true, userVerification: 'required', maxFailures: 3 },
  weakening: { enabled: 'any', userVerification: { ranks: ['required', 'preferred'] }, maxFailures: 'higher' },
};
