// Building blocks of the policy document (docs/policy-reference.md), shared by its core fields and by
// the sections the channels declare in their folders (src/channels/<channel>/<channel>-policy.ts).
// Imports nothing but zod: a channel's policy file stays light to import.
import { z } from 'zod';

/**
 * Bounds a tenant cannot loosen (docs/policy-reference.md "Security bounds"):
 * - PSD2 RTS (Delegated Regulation (EU) 2018/389) Art. 4(3)(b): at most 5 consecutive failed
 *   authentication attempts before the channel is blocked;
 * - NIST SP 800-63B §5.1.3.2: an out-of-band secret is valid for at most 10 minutes.
 */
export const securityBounds = { maxConsecutiveFailures: 5, maxOutOfBandLifetimeSeconds: 600 } as const;

export const consecutiveFailures = z
  .number()
  .int()
  .min(1)
  .max(securityBounds.maxConsecutiveFailures, `at most ${securityBounds.maxConsecutiveFailures} consecutive failures (PSD2 RTS Art. 4(3)(b))`);

/** An amount in major units of the policy currency, as a decimal string (never a float). */
export const policyMoney = z.string().regex(/^\d{1,19}(\.\d{1,4})?$/, 'a decimal string in major units of the policy currency');

/** A list of distinct values, at most `max` long: a policy document cannot grow without bound. */
export const distinct = <T extends z.ZodType>(item: T, max: number) =>
  z.array(item).max(max).refine((list) => new Set(list).size === list.length, 'values must not repeat');

/** Field schemas without defaults: the full document adds the defaults, grade overrides make them optional. */
export type FieldMap = Record<string, z.ZodType>;

/** The values a FieldMap describes. */
export type SectionValues<Fields extends FieldMap> = { [Key in keyof Fields]: z.output<Fields[Key]> };

/**
 * Which change of a field lowers security (docs/policy-reference.md "Which way weakens"): a larger
 * number or amount (`higher`), a smaller one (`lower`), a switch turned on or off, a list gaining or
 * losing members, a move along `ranks` (strongest first), any change at all (`any`: no order of
 * strength, e.g. the channel order), or none (`never`: operational knobs such as ring time).
 * Proposals mark the fields a change moves the weak way (src/policy/policy-diff.ts).
 */
export type Weakening = 'higher' | 'lower' | 'turned_on' | 'turned_off' | 'added' | 'removed' | 'any' | 'never' | { ranks: readonly string[] };

/** One declaration per field: a section cannot add a field without saying which way weakens it. */
export type WeakeningMap<Fields extends FieldMap> = { [Key in keyof Fields]: Weakening };

/** A channel's section of the document (`channels.<name>`): what the channel module declares. */
export interface PolicySection<Fields extends FieldMap = FieldMap> {
  /** Its key in `channels`: the module's name (src/server/channel-modules.ts checks they agree). */
  name: string;
  fields: Fields;
  defaults: SectionValues<Fields>;
  /** Which direction of each field weakens security. */
  weakening: WeakeningMap<Fields>;
  /** The channel's secret travels out of band (a phone call): its challenges live at most 600 s. */
  outOfBand?: boolean;
  /**
   * The section held to the security bounds, for versions stored before a bound existed (they keep
   * their values in storage, capped where they take effect: the composed schema's `effective` and
   * sectionOf apply it). Returns `section` itself when within.
   */
  withinBounds?(section: SectionValues<Fields>): SectionValues<Fields>;
}

/**
 * A module's own section of a policy document, typed by the section's fields, without a cast
 * (docs/architecture.md, "How a channel plugs in"): the section's defaults where the document has
 * none (a version stored before the module was registered), held to the section's bounds.
 */
export function sectionOf<Fields extends FieldMap>(policy: { channels: object }, section: PolicySection<Fields>): SectionValues<Fields> {
  const stored = Object.hasOwn(policy.channels, section.name) ? (policy.channels as Record<string, SectionValues<Fields> | undefined>)[section.name] : undefined;
  if (stored === undefined) return section.defaults;
  return section.withinBounds ? section.withinBounds(stored) : stored;
}
