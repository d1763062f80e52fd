// The tenant policy document (SPEC §7): its shape, defaults from the paper, and per-customer
// security grades that override any field.
import { z } from 'zod';
import { currencyExponent } from '../money/currencies.ts';

export const lineTypes = ['landline', 'mobile', 'fixedVoip', 'nonFixedVoip', 'tollFree', 'premium', 'sharedCost', 'personal', 'uan', 'voicemail', 'pager', 'unknown'] as const;
export type LineType = (typeof lineTypes)[number];
export const policyChannelNames = ['ars', 'webauthn', 'otp'] as const;
export const stepUpTransactionTypes = ['transfer', 'certificate_reissue', 'device_designation', 'payee_registration', 'limit_change', 'other'] as const;

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
  alwaysFor: z.array(z.enum(stepUpTransactionTypes)),
  designatedDeviceExemptBelow: money,
  unregisteredPayeeLimit: money,
  riskScoreThreshold: z.number().min(0).max(1),
};
const arsFields = {
  enabled: z.boolean(),
  allowedLineTypes: z.array(z.enum(lineTypes)).min(1),
  callForwarding: z.enum(['reject', 'allow_same_owner', 'allow']),
  forwardingUnknown: z.enum(['allow', 'reject']),
  allowedCountries: z.array(z.string().regex(/^[A-Z]{2}$/, 'ISO 3166 alpha-2')).min(1),
  numberChangeCooldownDays: z.number().int().min(0).max(365),
  secretPositions: z.number().int().min(2).max(6),
  maxAnswersPerCall: z.number().int().min(1).max(5),
  lockAfterConsecutiveFailures: z.number().int().min(1).max(20),
  callAttempts: z.number().int().min(1).max(5),
  retryDelaysSeconds: z.array(z.number().int().min(5).max(3600)).max(4),
  ringTimeoutSeconds: z.number().int().min(5).max(120),
  answeringMachine: z.enum(['hangup']),
  // Up to 1000: high-volume Twilio accounts, and benchmarks that lift the limit.
  callsPerSecond: z.number().min(0.1).max(1000),
  maxCallsPerCustomerPerHour: z.number().int().min(1).max(100),
  maxCallsPerNumberPerDay: z.number().int().min(1).max(500),
};
const webauthnFields = { enabled: z.boolean(), userVerification: z.enum(['required', 'preferred']), maxFailures: z.number().int().min(1).max(10) };
const otpFields = {
  enabled: z.boolean(),
  maxAttempts: z.number().int().min(1).max(20),
  questionDerivation: z.enum(['payee_account', 'payee_account_amount']),
};
const topFields = {
  currency: z.string().refine((code) => currencyExponent(code) !== undefined, 'an ISO 4217 currency code'),
  timezone: z.string().refine(isTimeZone, 'an IANA time zone, e.g. Asia/Seoul'),
  challengeTtlSeconds: z.number().int().min(30).max(3600),
  channelOrder: z.array(z.enum(policyChannelNames)).min(1).refine((list) => new Set(list).size === list.length, 'channels must not repeat'),
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
  grades: z.record(z.string().regex(/^[a-z0-9_-]{1,32}$/, 'grade names: a-z 0-9 _ -'), gradeOverrideSchema).default({}),
});

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

/** The policy for one customer: the base document with the grade's overrides (an unknown grade changes nothing). */
export function effectivePolicy(policy: PolicyDocument, grade?: string): PolicyDocument {
  const override = grade ? (policy.grades as Record<string, unknown> | undefined)?.[grade] : undefined;
  return override ? (deepMerge(policy, override) as PolicyDocument) : policy;
}

export const policyJsonSchema = () => z.toJSONSchema(policyDocumentSchema, { io: 'input', unrepresentable: 'any' });
