// The ARS channel's section of the tenant policy (`channels.ars`, docs/policy-reference.md): fields,
// defaults and the failure bound. Composed into the document by src/policy/policy-schema.ts.
import { z } from 'zod';
import { consecutiveFailures, distinct, securityBounds, type PolicySection, type SectionValues } from '../../policy/policy-fields.ts';

export const lineTypes = ['landline', 'mobile', 'fixedVoip', 'nonFixedVoip', 'tollFree', 'premium', 'sharedCost', 'personal', 'uan', 'voicemail', 'pager', 'unknown'] as const;
export type LineType = (typeof lineTypes)[number];

const arsPolicyFields = {
  enabled: z.boolean(),
  allowedLineTypes: distinct(z.enum(lineTypes), lineTypes.length).min(1),
  callForwarding: z.enum(['reject', 'allow_same_owner', 'allow']),
  forwardingUnknown: z.enum(['allow', 'reject']),
  // ISO 3166-1 has 249 alpha-2 codes.
  allowedCountries: distinct(z.string().regex(/^[A-Z]{2}$/, 'ISO 3166 alpha-2'), 249).min(1),
  numberChangeCooldownDays: z.number().int().min(0).max(365),
  secretPositions: z.number().int().min(2).max(6),
  maxAnswersPerCall: z.number().int().min(1).max(5),
  lockAfterConsecutiveFailures: consecutiveFailures,
  callAttempts: z.number().int().min(1).max(5),
  retryDelaysSeconds: z.array(z.number().int().min(5).max(3600)).max(4),
  ringTimeoutSeconds: z.number().int().min(5).max(120),
  answeringMachine: z.enum(['hangup']),
  // Up to 1000: high-volume Twilio accounts, and benchmarks that lift the limit.
  callsPerSecond: z.number().min(0.1).max(1000),
  maxCallsPerCustomerPerHour: z.number().int().min(1).max(100),
  maxCallsPerNumberPerDay: z.number().int().min(1).max(500),
};

export type ArsPolicy = SectionValues<typeof arsPolicyFields>;

export const arsPolicy: PolicySection<typeof arsPolicyFields> = {
  name: 'ars',
  fields: arsPolicyFields,
  defaults: {
    enabled: true,
    allowedLineTypes: ['landline'],
    callForwarding: 'reject',
    forwardingUnknown: 'allow',
    allowedCountries: ['KR'],
    numberChangeCooldownDays: 7,
    secretPositions: 4,
    maxAnswersPerCall: 3,
    lockAfterConsecutiveFailures: 5,
    callAttempts: 3,
    retryDelaysSeconds: [45, 90],
    ringTimeoutSeconds: 30,
    answeringMachine: 'hangup',
    callsPerSecond: 1,
    maxCallsPerCustomerPerHour: 3,
    maxCallsPerNumberPerDay: 10,
  },
  weakening: {
    enabled: 'any',
    allowedLineTypes: 'added',
    callForwarding: { ranks: ['reject', 'allow_same_owner', 'allow'] },
    forwardingUnknown: { ranks: ['reject', 'allow'] },
    allowedCountries: 'added',
    numberChangeCooldownDays: 'lower',
    secretPositions: 'lower',
    maxAnswersPerCall: 'higher',
    lockAfterConsecutiveFailures: 'higher',
    // When and how often a call is placed: reachability, not what the customer must prove.
    callAttempts: 'never',
    retryDelaysSeconds: 'never',
    ringTimeoutSeconds: 'never',
    answeringMachine: 'any',
    callsPerSecond: 'never',
    maxCallsPerCustomerPerHour: 'higher',
    maxCallsPerNumberPerDay: 'higher',
  },
  outOfBand: true,
  withinBounds: (ars) =>
    ars.lockAfterConsecutiveFailures <= securityBounds.maxConsecutiveFailures ? ars : { ...ars, lockAfterConsecutiveFailures: securityBounds.maxConsecutiveFailures },
};
