// The tenant policy document (docs/policy-reference.md): its shape, defaults from the paper, and per-customer
// security grades that override any field.
import { z } from 'zod';
import { currencyExponent } from '../money/currencies.ts';

export const lineTypes = ['landline', 'mobile', 'fixedVoip', 'nonFixedVoip', 'tollFree', 'premium', 'sharedCost', 'personal', 'uan', 'voicemail', 'pager', 'unknown'] as const;
export type LineType = (typeof lineTypes)[number];
export const policyChannelNames = ['ars', 'webauthn', 'otp'] as const;
export const stepUpTransactionTypes = ['transfer', 'certificate_reissue', 'device_designation', 'payee_registration', 'limit_change', 'other'] as const;

/**
 * Bounds a tenant cannot loosen (docs/policy-reference.md "Security bounds"):
 * - PSD2 RTS (Delegated Regulation (EU) 2018/389) Art. 4(3)(b): at most 5 consecutive failed
 *   authentication attempts before the channel is blocked;
 * - NIST SP 800-63B §5.1.3.2: an out-of-band secret is valid for at most 10 minutes.
 */
export const securityBounds = { maxConsecutiveFailures: 5, maxOutOfBandLifetimeSeconds: 600 } as const;
/** Channels whose secret travels out of band (a phone call): their challenges live at most 600 s. */
export const outOfBandChannels: readonly (typeof policyChannelNames)[number][] = ['ars'];

const consecutiveFailures = z
  .number()
  .int()
  .min(1)
  .max(securityBounds.maxConsecutiveFailures, `at most ${securityBounds.maxConsecutiveFailures} consecutive failures (PSD2 RTS Art. 4(3)(b))`);

/** A list of distinct values, at most `max` long: a policy document cannot grow without bound. */
const distinct = <T extends z.ZodType>(item: T, max: number) =>
  z.array(item).max(max).refine((list) => new Set(list).size === list.length, 'values must not repeat');
/** Security grades per tenant: a handful in practice; the cap keeps the document small. */
export const MAX_GRADES = 32;

const money = z.string().regex(/^\d{1,19}(\.\d{1,4})?$/, 'a decimal string in major units of the policy currency');
const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

// Field schemas without defaults: used by both the full document and grade overrides.
const stepUpFields = {
  dailyCumulativeThreshold: money,
  alwaysFor: distinct(z.enum(stepUpTransactionTypes), stepUpTransactionTypes.length),
  designatedDeviceExemptBelow: money,
  unregisteredPayeeLimit: money,
  riskScoreThreshold: z.number().min(0).max(1),
};
const arsFields = {
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
const webauthnFields = { enabled: z.boolean(), userVerification: z.enum(['required', 'preferred']), maxFailures: z.number().int().min(1).max(5, 'at most 5 consecutive failures (PSD2 RTS Art. 4(3)(b))') };
const otpFields = {
  enabled: z.boolean(),
  // Per challenge, and consecutive per token before it locks.
  maxAttempts: consecutiveFailures,
  questionDerivation: z.enum(['payee_account', 'payee_account_amount']),
};
const topFields = {
  currency: z.string().refine((code) => currencyExponent(code) !== undefined, 'an ISO 4217 currency code'),
  timezone: z.string().refine(isTimeZone, 'an IANA time zone, e.g. Asia/Seoul'),
  challengeTtlSeconds: z.number().int().min(30).max(3600),
  channelOrder: z.array(z.enum(policyChannelNames)).min(1).max(policyChannelNames.length).refine((list) => new Set(list).size === list.length, 'channels must not repeat'),
};

export const defaults = {
  currency: 'KRW',
  timezone: 'Asia/Seoul',
  challengeTtlSeconds: 300,
  stepUp: {
    dailyCumulativeThreshold: '3000000',
    alwaysFor: ['certificate_reissue', 'device_designation', 'payee_registration', 'limit_change'] as (typeof stepUpTransactionTypes)[number][],
    designatedDeviceExemptBelow: '10000000',
    unregisteredPayeeLimit: '1000000',
    riskScoreThreshold: 0.7,
  },
  channels: {
    ars: {
      enabled: true,
      allowedLineTypes: ['landline'] as LineType[],
      callForwarding: 'reject' as const,
      forwardingUnknown: 'allow' as const,
      allowedCountries: ['KR'],
      numberChangeCooldownDays: 7,
      secretPositions: 4,
      maxAnswersPerCall: 3,
      lockAfterConsecutiveFailures: 5,
      callAttempts: 3,
      retryDelaysSeconds: [45, 90],
      ringTimeoutSeconds: 30,
      answeringMachine: 'hangup' as const,
      callsPerSecond: 1,
      maxCallsPerCustomerPerHour: 3,
      maxCallsPerNumberPerDay: 10,
    },
    webauthn: { enabled: true, userVerification: 'required' as const, maxFailures: 3 },
    otp: { enabled: true, maxAttempts: 5, questionDerivation: 'payee_account' as const },
  },
  channelOrder: ['ars', 'webauthn', 'otp'] as (typeof policyChannelNames)[number][],
};

type FieldMap = Record<string, z.ZodType>;
const withDefaults = (fields: FieldMap, values: Record<string, unknown>) =>
  z.strictObject(Object.fromEntries(Object.entries(fields).map(([key, schema]) => [key, schema.default(values[key] as never)])));
const optionalAll = (fields: FieldMap) => z.strictObject(Object.fromEntries(Object.entries(fields).map(([key, schema]) => [key, schema.optional()])));

const gradeOverrideSchema = optionalAll(topFields).extend({
  stepUp: optionalAll(stepUpFields).optional(),
  channels: z
    .strictObject({ ars: optionalAll(arsFields).optional(), webauthn: optionalAll(webauthnFields).optional(), otp: optionalAll(otpFields).optional() })
    .optional(),
});

const policyDocumentObject = withDefaults(topFields, defaults).extend({
  stepUp: withDefaults(stepUpFields, defaults.stepUp).prefault({}),
  channels: z
    .strictObject({
      ars: withDefaults(arsFields, defaults.channels.ars).prefault({}),
      webauthn: withDefaults(webauthnFields, defaults.channels.webauthn).prefault({}),
      otp: withDefaults(otpFields, defaults.channels.otp).prefault({}),
    })
    .prefault({}),
  grades: z
    .record(z.string().regex(/^[a-z0-9_-]{1,32}$/, 'grade names: a-z 0-9 _ -'), gradeOverrideSchema)
    .refine((grades) => Object.keys(grades).length <= MAX_GRADES, `at most ${MAX_GRADES} grades`)
    .default({}),
}).superRefine((document, context) => {
  // The lifetime bound depends on which channels can be chosen, so the base document and every
  // grade (merged over it) are checked as a whole.
  /** Adds an issue and returns false when `effective` lets an out-of-band challenge live too long. */
  const check = (effective: PolicyDocument, path: (string | number)[]): boolean => {
    if (!outOfBandLifetimeExceeded(effective)) return true;
    context.addIssue({
      code: 'custom',
      path: [...path, 'challengeTtlSeconds'],
      message: `at most ${securityBounds.maxOutOfBandLifetimeSeconds} s while an out-of-band channel (${outOfBandChannels.join(', ')}) is enabled and listed in channelOrder (NIST SP 800-63B §5.1.3.2)`,
    });
    return false;
  };
  const base = document as unknown as PolicyDocument;
  // A base that already fails would fail for every grade too: one issue is enough.
  if (!check(base, [])) return;
  for (const grade of Object.keys(document.grades ?? {})) check(mergeGrade(base, grade), ['grades', grade]);
});

function outOfBandLifetimeExceeded(policy: PolicyDocument): boolean {
  return canUseOutOfBand(policy) && policy.challengeTtlSeconds > securityBounds.maxOutOfBandLifetimeSeconds;
}

/** True when a challenge under this policy may go to an out-of-band channel. */
function canUseOutOfBand(policy: PolicyDocument): boolean {
  return outOfBandChannels.some((channel) => policy.channels[channel].enabled && policy.channelOrder.includes(channel));
}

export interface PolicyDocument {
  currency: string;
  timezone: string;
  challengeTtlSeconds: number;
  stepUp: typeof defaults.stepUp;
  channels: {
    ars: Omit<typeof defaults.channels.ars, 'callForwarding' | 'forwardingUnknown'> & { callForwarding: 'reject' | 'allow_same_owner' | 'allow'; forwardingUnknown: 'allow' | 'reject' };
    webauthn: { enabled: boolean; userVerification: 'required' | 'preferred'; maxFailures: number };
    otp: { enabled: boolean; maxAttempts: number; questionDerivation: 'payee_account' | 'payee_account_amount' };
  };
  channelOrder: (typeof policyChannelNames)[number][];
  grades?: Record<string, unknown>;
}

/** Strict (unknown fields rejected); absent fields take the defaults. */
export const policyDocumentSchema = policyDocumentObject as unknown as z.ZodType<PolicyDocument, unknown>;

export const defaultPolicy = (): PolicyDocument => structuredClone({ ...defaults, grades: {} }) as PolicyDocument;

export function parsePolicy(json: unknown): { ok: true; policy: PolicyDocument } | { ok: false; errors: { path: string; message: string }[] } {
  const parsed = policyDocumentSchema.safeParse(json);
  if (parsed.success) return { ok: true, policy: parsed.data };
  return { ok: false, errors: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })) };
}

function deepMerge(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (Array.isArray(override) || typeof override !== 'object' || override === null) return override;
  const result: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(override)) result[key] = deepMerge(result[key], value);
  return result;
}

function mergeGrade(policy: PolicyDocument, grade?: string): PolicyDocument {
  const override = grade ? (policy.grades as Record<string, unknown> | undefined)?.[grade] : undefined;
  return override ? (deepMerge(policy, override) as PolicyDocument) : policy;
}

/**
 * The policy for one customer: the base document with the grade's overrides (an unknown grade
 * changes nothing), held to the security bounds. A version stored before the bounds existed keeps
 * its values in storage (versions are history), but they are capped here, where they take effect.
 */
export function effectivePolicy(policy: PolicyDocument, grade?: string): PolicyDocument {
  return withinSecurityBounds(mergeGrade(policy, grade));
}

function withinSecurityBounds(policy: PolicyDocument): PolicyDocument {
  const { maxConsecutiveFailures, maxOutOfBandLifetimeSeconds } = securityBounds;
  const { ars, otp } = policy.channels;
  const ttlTooLong = outOfBandLifetimeExceeded(policy);
  if (ars.lockAfterConsecutiveFailures <= maxConsecutiveFailures && otp.maxAttempts <= maxConsecutiveFailures && !ttlTooLong) return policy;
  return {
    ...policy,
    challengeTtlSeconds: ttlTooLong ? maxOutOfBandLifetimeSeconds : policy.challengeTtlSeconds,
    channels: {
      ...policy.channels,
      ars: { ...ars, lockAfterConsecutiveFailures: Math.min(ars.lockAfterConsecutiveFailures, maxConsecutiveFailures) },
      otp: { ...otp, maxAttempts: Math.min(otp.maxAttempts, maxConsecutiveFailures) },
    },
  };
}

export const policyJsonSchema = () => z.toJSONSchema(policyDocumentSchema, { io: 'input', unrepresentable: 'any' });
