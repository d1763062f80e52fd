// The one way a phone number appears outside storage (API responses, audit, logs): country code,
// area/prefix group and last group kept, everything between shown as a fixed "***" (so not even the
// length of the hidden part shows) — "+82 2-***-3456" (docs/number-vetting.md).
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';


export function maskPhoneNumber(e164: string): string {
  const groups = parsePhoneNumberFromString(e164)?.formatInternational().split(' ') ?? [];
  const [countryCode, ...national] = groups;
  if (countryCode !== undefined && national.length >= 3) {
    return `${countryCode} ${national[0]}-***-${national.at(-1)}`;
  }
  if (countryCode !== undefined && national.length === 2) return `${countryCode} ***-${national[1]}`;
  // Unparseable or one national group: the last four digits at most, never more than half.
  const digits = e164.replace(/\D/g, '');
  const shown = Math.min(4, Math.floor(digits.length / 2));
  return `+${'*'.repeat(digits.length - shown)}${digits.slice(digits.length - shown)}`;
}
