// The tenant policy document (docs/policy-reference.md): its shape, defaults from the paper, and per-customer
// security grades that override any field.
import { z } from 'zod';
import { currencyExponent } from '../money/currencies.ts';
import { distinct, policyMoney, securityBounds, type FieldMap, type PolicySection, type Weakening, type WeakeningMap } from './policy-fields.ts';
import { holdPolicyFields, holdDefaults, holdSectionIssues, holdWeakening, type HoldPolicy } from '../holds/hold-policy.ts';
import { keyProtectionDefaults, keyProtectionPolicyFields, keyProtectionWeakening, type KeyProtectionPolicy } from '../security/key-protection-policy.ts';
import { arsPolicy } from '../channels/ars/ars-policy.ts';
import { otpPolicy } from '../channels/otp/otp-policy.ts';
import { webauthnPolicy } from '../channels/webauthn/webauthn-policy.ts';

export const stepUpTransactionTypes = ['transfer', 'certificate_reissue', 'device_designation', 'payee_registration', 'limit_change', 'other'] as const;

/**
 * The built-in channels' sections (`channels.<name>`: fields, defaults, bounds), declared in each
 * channel's folder and by its module (docs/architecture.md, "How a channel plugs in"). They give the
 * document its static type; at run time the server composes the schema from its module list
 * (composePolicy), which may add sections this file never heard of.
 */
const channelSections = { ars: arsPolicy, webauthn: webauthnPolicy, otp: otpPolicy } satisfies Record<string, PolicySection>;
export type PolicyChannelName = keyof typeof channelSections;
export const policyChannelNames = Object.keys(channelSections) as PolicyChannelName[];
/** Each built-in channel's settings, as its section declares them. */
export type ChannelPolicies = { [Name in PolicyChannelName]: (typeof channelSections)[Name]['defaults'] };
/**
 * Any channel's section as the core sees it: whether it is on. Its other fields are its module's, who
 * reads them typed with sectionOf (src/policy/policy-fields.ts).
 */
export type ChannelSettings = { readonly enabled?: boolean; readonly [field: string]: unknown };
const builtInSections = channelSections as Record<string, PolicySection>;
const mapSections = <T>(sections: Record<string, PolicySection>, each: (section: PolicySection, name: string) => T): Record<string, T> =>
  Object.fromEntries(Object.entries(sections).map(([name, section]) => [name, each(section, name)]));

/** Security grades per tenant: a handful in practice; the cap keeps the document small. */
export const MAX_GRADES = 32;

const money = policyMoney;
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
const topFieldsFor = (channelNames: readonly [string, ...string[]]) => ({
  currency: z.string().refine((code) => currencyExponent(code) !== undefined, 'an ISO 4217 currency code'),
  timezone: z.string().refine(isTimeZone, 'an IANA time zone, e.g. Asia/Seoul'),
  challengeTtlSeconds: z.number().int().min(30).max(3600),
  channelOrder: z.array(z.enum(channelNames)).min(1).max(channelNames.length).refine((list) => new Set(list).size === list.length, 'channels must not repeat'),
});
type TopFields = ReturnType<typeof topFieldsFor>;

/** Which direction of each core field weakens security (docs/policy-reference.md "Which way weakens"). */
const topWeakening: WeakeningMap<TopFields> = { currency: 'any', timezone: 'any', challengeTtlSeconds: 'higher', channelOrder: 'any' };
const stepUpWeakening: WeakeningMap<typeof stepUpFields> = {
  dailyCumulativeThreshold: 'higher',
  alwaysFor: 'removed',
  designatedDeviceExemptBelow: 'higher',
  unregisteredPayeeLimit: 'higher',
  riskScoreThreshold: 'higher',
};

/**
 * Which change of the field at `path` weakens security, as its section declares; a field inside a
 * grade's overrides is declared like the base field. Undefined for a path that is not a field.
 */
function weakeningIn(sections: Record<string, PolicySection>, path: readonly string[]): Weakening | undefined {
  const [head, second, third, ...rest] = path;
  const own = <T extends object>(map: T, key: string | undefined) => (key !== undefined && Object.hasOwn(map, key) ? (map as Record<string, Weakening>)[key] : undefined);
  // keyProtection is the tenant's, not a customer's: no grade overrides it.
  if (head === 'grades') return second === undefined || third === 'keyProtection' ? undefined : weakeningIn(sections, path.slice(2));
  if (head === 'stepUp') return third === undefined ? own(stepUpWeakening, second) : undefined;
  if (head === 'hold') return third === undefined ? own(holdWeakening, second) : undefined;
  if (head === 'keyProtection') return third === undefined ? own(keyProtectionWeakening, second) : undefined;
  if (head === 'channels') {
    const section = second !== undefined && Object.hasOwn(sections, second) ? sections[second] : undefined;
    return section && rest.length === 0 ? own(section.weakening, third) : undefined;
  }
  return second === undefined ? own(topWeakening, head) : undefined;
}

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
  channels: mapSections(builtInSections, (section) => section.defaults) as PolicyDocument['channels'],
  channelOrder: ['ars', 'webauthn', 'otp'] as string[],
  hold: holdDefaults,
  keyProtection: keyProtectionDefaults,
};

const withDefaults = (fields: FieldMap, values: Record<string, unknown>) =>
  z.strictObject(Object.fromEntries(Object.entries(fields).map(([key, schema]) => [key, schema.default(values[key] as never)])));
const optionalAll = (fields: FieldMap) => z.strictObject(Object.fromEntries(Object.entries(fields).map(([key, schema]) => [key, schema.optional()])));

/** The policy document's schema and what follows from it, for one set of channel sections. */
export interface PolicySchema {
  /** The channels with a section, in the order they were given: what `channelOrder` may name. */
  channelNames: string[];
  /** Strict (unknown fields rejected); absent fields take the defaults. */
  schema: z.ZodType<PolicyDocument, unknown>;
  parse(json: unknown): { ok: true; policy: PolicyDocument } | { ok: false; errors: { path: string; message: string }[] };
  /** Which change of the field at `path` weakens security (docs/policy-reference.md "Which way weakens"). */
  weakeningOf(path: readonly string[]): Weakening | undefined;
  /** The defaults, every section's included. */
  defaultPolicy(): PolicyDocument;
  /**
   * The policy for one customer (the grade's overrides merged), held to the bounds every section
   * declares and to the out-of-band lifetime of its out-of-band sections (effectivePolicy's rules).
   */
  effective(policy: PolicyDocument, grade?: string): PolicyDocument;
}

/**
 * The policy document for these channel sections (the server passes its modules' sections,
 * src/server/channel-modules.ts): the core fields, a `channels.<name>` object per section and the
 * names `channelOrder` may list, the grades' overrides, and the lifetime bound for out-of-band channels.
 */
export function composePolicy(sections: Record<string, PolicySection>): PolicySchema {
  const names = Object.keys(sections);
  if (names.length === 0) throw new Error('a policy needs at least one channel section');
  const topFields = topFieldsFor(names as [string, ...string[]]);
  const outOfBand = names.filter((name) => sections[name]!.outOfBand);
  const sectionDefaults = mapSections(sections, (section) => section.defaults);
  const documentDefaults = { ...defaults, channels: sectionDefaults as PolicyDocument['channels'] };

  const gradeOverrideSchema = optionalAll(topFields).extend({
    stepUp: optionalAll(stepUpFields).optional(),
    channels: z.strictObject(mapSections(sections, (section) => optionalAll(section.fields).optional())).optional(),
    hold: optionalAll(holdPolicyFields).optional(),
  });

  const policyDocumentObject = withDefaults(topFields, documentDefaults).extend({
    stepUp: withDefaults(stepUpFields, defaults.stepUp).prefault({}),
    channels: z.strictObject(mapSections(sections, (section) => withDefaults(section.fields, section.defaults).prefault({}))).prefault({}),
    hold: withDefaults(holdPolicyFields, holdDefaults).prefault({}),
    keyProtection: withDefaults(keyProtectionPolicyFields, keyProtectionDefaults).prefault({}),
    grades: z
      .record(z.string().regex(/^[a-z0-9_-]{1,32}$/, 'grade names: a-z 0-9 _ -'), gradeOverrideSchema)
      .refine((grades) => Object.keys(grades).length <= MAX_GRADES, `at most ${MAX_GRADES} grades`)
      .default({}),
  }).superRefine((document, context) => {
    // The lifetime bound depends on which channels can be chosen, so the base document and every
    // grade (merged over it) are checked as a whole.
    /** Adds an issue and returns false when `effective` lets an out-of-band challenge live too long. */
    const check = (effective: PolicyDocument, path: (string | number)[]): boolean => {
      if (!outOfBandLifetimeExceeded(effective, outOfBand)) return true;
      context.addIssue({
        code: 'custom',
        path: [...path, 'challengeTtlSeconds'],
        message: `at most ${securityBounds.maxOutOfBandLifetimeSeconds} s while an out-of-band channel (${outOfBand.join(', ')}) is enabled and listed in channelOrder (NIST SP 800-63B §5.1.3.2)`,
      });
      return false;
    };
    const base = document as unknown as PolicyDocument;
    /** The hold's fields that depend on each other (docs/holds.md), for the base or a merged grade. */
    const checkHold = (effective: PolicyDocument, path: (string | number)[]) => {
      for (const issue of holdSectionIssues(effective.hold)) context.addIssue({ code: 'custom', path: [...path, 'hold', issue.field], message: issue.message });
    };
    checkHold(base, []);
    for (const grade of Object.keys(document.grades ?? {})) {
      const override = (document.grades as Record<string, { hold?: unknown }>)[grade]?.hold;
      // A grade that overrides no hold field inherits the base's hold, already checked.
      if (override) checkHold(mergeGrade(base, grade), ['grades', grade]);
    }
    // A base that already fails would fail for every grade too: one issue is enough.
    if (!check(base, [])) return;
    for (const grade of Object.keys(document.grades ?? {})) check(mergeGrade(base, grade), ['grades', grade]);
  });
  const schema = policyDocumentObject as unknown as z.ZodType<PolicyDocument, unknown>;
  return {
    channelNames: names,
    schema,
    parse(json) {
      const parsed = schema.safeParse(json);
      if (parsed.success) return { ok: true, policy: parsed.data };
      return { ok: false, errors: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })) };
    },
    weakeningOf: (path) => weakeningIn(sections, path),
    defaultPolicy: () => structuredClone({ ...documentDefaults, grades: {} }) as PolicyDocument,
    effective: (policy, grade) => withinSecurityBounds(mergeGrade(completed(policy), grade), sections, outOfBand),
  };
}

/**
 * The built-in channels' document: its types, the defaults of a tenant that never stored a policy, and
 * the schema where no server is at hand (a server's is composed from its modules, AppContext.policy).
 */
const builtIn = composePolicy(builtInSections);
export const builtInPolicy: PolicySchema = builtIn;
/** Channels whose secret travels out of band (a phone call): their challenges live at most 600 s. */
export const outOfBandChannels: readonly PolicyChannelName[] = policyChannelNames.filter((name) => channelSections[name].outOfBand);
export const weakeningOf = builtIn.weakeningOf;


function outOfBandLifetimeExceeded(policy: PolicyDocument, outOfBand: readonly string[]): boolean {
  return canUseOutOfBand(policy, outOfBand) && policy.challengeTtlSeconds > securityBounds.maxOutOfBandLifetimeSeconds;
}

/** True when a challenge under this policy may go to an out-of-band channel. */
function canUseOutOfBand(policy: PolicyDocument, outOfBand: readonly string[]): boolean {
  return outOfBand.some((channel) => policy.channels[channel]?.enabled === true && policy.channelOrder.includes(channel));
}

export interface PolicyDocument {
  currency: string;
  timezone: string;
  challengeTtlSeconds: number;
  stepUp: typeof defaults.stepUp;
  /** The built-in sections, typed; any module's section by its name (a server's modules may add sections). */
  channels: ChannelPolicies & { readonly [name: string]: ChannelSettings | undefined };
  /** Channels by name: the built-in ones, or any module's with a section (composePolicy checks the names). */
  channelOrder: string[];
  /** After approval: hold, tell, stop (docs/holds.md). */
  hold: HoldPolicy;
  /** When a bank API key's own traffic is signalled, and whether that suspends it (docs/security.md). */
  keyProtection: KeyProtectionPolicy;
  grades?: Record<string, unknown>;
}

/** The built-in channels' document, strict (unknown fields rejected); absent fields take the defaults. */
export const policyDocumentSchema = builtIn.schema;

export const defaultPolicy = (): PolicyDocument => builtIn.defaultPolicy();

export const parsePolicy = (json: unknown) => builtIn.parse(json);

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

/** A version stored before holds (or key protection) existed runs with their defaults. */
const completed = (policy: PolicyDocument): PolicyDocument =>
  policy.hold && policy.keyProtection ? policy : { ...policy, hold: policy.hold ?? holdDefaults, keyProtection: policy.keyProtection ?? keyProtectionDefaults };

/**
 * The policy for one customer: the base document with the grade's overrides (an unknown grade
 * changes nothing), held to the security bounds. A version stored before the bounds existed keeps
 * its values in storage (versions are history), but they are capped here, where they take effect.
 * These are the built-in sections' bounds: where a server is at hand, its composed schema's
 * `effective` holds every module's section to its own (AppContext.policy); a module reading its own
 * section through sectionOf gets it capped either way.
 */
export const effectivePolicy = (policy: PolicyDocument, grade?: string): PolicyDocument => builtIn.effective(policy, grade);

/** Each section held to the bounds it declares (`withinBounds`), and the lifetime bound of the out-of-band ones. */
function withinSecurityBounds(policy: PolicyDocument, sections: Record<string, PolicySection>, outOfBand: readonly string[]): PolicyDocument {
  const ttlTooLong = outOfBandLifetimeExceeded(policy, outOfBand);
  const current = policy.channels as Record<string, Record<string, unknown>>;
  const bounded = mapSections(sections, (section, name) => (current[name] === undefined ? undefined : (section.withinBounds?.(current[name] as never) ?? current[name])));
  if (!ttlTooLong && Object.keys(sections).every((name) => bounded[name] === current[name])) return policy;
  const channels = { ...current };
  for (const [name, section] of Object.entries(bounded)) if (section !== undefined) channels[name] = section;
  return {
    ...policy,
    challengeTtlSeconds: ttlTooLong ? securityBounds.maxOutOfBandLifetimeSeconds : policy.challengeTtlSeconds,
    channels: channels as PolicyDocument['channels'],
  };
}

export const policyJsonSchema = () => z.toJSONSchema(policyDocumentSchema, { io: 'input', unrepresentable: 'any' });
