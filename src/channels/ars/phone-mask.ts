// How a customer's number is shown to banks and admins (SPEC §4): country code and area code, the
// middle masked, the last group kept — "+82 2-***-3456". The full number never leaves storage.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

export function maskPhone(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return `${e164.slice(0, 3)}***${e164.slice(-2)}`;
  const groups = parsed.formatInternational().split(/[\s-]+/).slice(1);
  const last = groups.length > 1 ? groups[groups.length - 1]! : parsed.nationalNumber.slice(-4);
  const first = groups.length > 2 ? `${groups[0]}-` : '';
  return `+${parsed.countryCallingCode} ${first}***-${last}`;
}
