// The simulated provider's numbering plan (libphonenumber-js/max: the default metadata cannot tell
// Korean 070 VoIP or 010 mobile from a fixed line): how the simulator normalises numbers and answers
// Lookup line_type_intelligence for numbers the control API never configured. The package owns it, as
// Twilio owns its own: the app's numbering plan (src/telephony/numbering-plan.ts) is not imported here.
import { parsePhoneNumberFromString, validatePhoneNumberLength, type NumberType } from 'libphonenumber-js/max';
import type { LineType } from './simulator-state.ts';

const e164Pattern = /^\+[1-9]\d{6,14}$/;

export interface ParsedNumber {
  e164: string;
  countryCode: string | null;
  callingCountryCode: string;
  nationalFormat: string;
  valid: boolean;
  type: NumberType;
}

/** `+82 2-312-3456` → `+8223123456`; undefined when it is not a phone number at all. */
export function normalizeNumber(raw: string, defaultCountry?: string): string | undefined {
  const trimmed = raw.trim();
  const parsed = parsePhoneNumberFromString(trimmed, defaultCountry?.toUpperCase() as never);
  if (parsed !== undefined) return parsed.number;
  const compact = trimmed.replace(/[\s().-]/g, '');
  return e164Pattern.test(compact) ? compact : undefined;
}

export function isE164(value: string): boolean {
  return e164Pattern.test(value);
}

export function parseNumber(e164: string): ParsedNumber | undefined {
  const parsed = parsePhoneNumberFromString(e164);
  if (parsed === undefined) return undefined;
  return {
    e164: parsed.number,
    countryCode: parsed.country ?? null,
    callingCountryCode: parsed.countryCallingCode,
    nationalFormat: parsed.formatNational(),
    valid: parsed.isValid(),
    type: parsed.getType(),
  };
}

/** Lookup v2 `validation_errors` for a number that is not valid. */
export function validationErrors(raw: string): string[] {
  const lengthProblem = validatePhoneNumberLength(raw);
  if (lengthProblem !== undefined) return [lengthProblem];
  return parsePhoneNumberFromString(raw)?.isValid() ? [] : ['INVALID_BUT_POSSIBLE'];
}

/**
 * Numbering plan type → Lookup line type. FIXED_LINE_OR_MOBILE (e.g. US numbers) cannot be told
 * apart offline, so it is `unknown`, as is anything the plan does not know.
 */
export function lineTypeFromPlan(e164: string): LineType {
  switch (parseNumber(e164)?.type) {
    case 'FIXED_LINE':
      return 'landline';
    case 'MOBILE':
      return 'mobile';
    case 'VOIP':
      return 'nonFixedVoip';
    case 'TOLL_FREE':
      return 'tollFree';
    case 'PREMIUM_RATE':
      return 'premium';
    case 'SHARED_COST':
      return 'sharedCost';
    case 'PERSONAL_NUMBER':
      return 'personal';
    case 'UAN':
      return 'uan';
    case 'VOICEMAIL':
      return 'voicemail';
    case 'PAGER':
      return 'pager';
    default:
      return 'unknown';
  }
}
