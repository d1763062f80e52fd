// What one number-intelligence source answers (docs/number-vetting.md "Number vetting"). Every part a source could
// not establish is unknown (`'unknown'` / `null`), never "no": a missing forwarding answer must not
// read as "not forwarded". Declared by the ARS channel: a vetting carries its sources' answers (for the audit).
import type { LineType } from './ars-policy.ts';

export const sourceNames = ['numbering_plan', 'twilio_lookup', 'carrier_gateway'] as const;
export type SourceName = (typeof sourceNames)[number];

/** The two halves of an answer, cached for different times (line type ~a day, forwarding minutes). */
export type AnswerPart = 'lineType' | 'forwarding';

export interface SourceAnswer {
  source: SourceName;
  /** false when the source holds the number to be invalid; null when it cannot tell. */
  valid: boolean | null;
  lineType: LineType;
  /** ISO 3166 alpha-2 of the number, null when unknown. */
  country: string | null;
  /** true / false when the source knows; null when it does not (unsupported country, outage, timeout). */
  callForwarding: boolean | null;
  /** With forwarding active: does it go to a line of the same subscriber (policy `allow_same_owner`)? */
  forwardedToSameOwner?: boolean | null;
  /** The SIM was swapped recently (mobile numbers; most countries, Korea included, do not answer). */
  simSwap?: boolean | null;
  /** Why parts are unknown (`timeout`, `http_503`, `lookup_error_60607`, …); empty when all answered. */
  errors: string[];
  /** The source could not be reached at all (outage, timeout): such an answer is never cached. */
  unavailable?: boolean;
  /** Parts served from the cache rather than asked now (set by the caching layer, for the audit). */
  cachedParts?: AnswerPart[];
}
