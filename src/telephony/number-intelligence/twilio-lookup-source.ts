// Source 2 (docs/number-vetting.md): Twilio Lookup v2 through the official SDK — line_type_intelligence, and
// call_forwarding / sim_swap, which Twilio answers only in some countries (not Korea). A data
// package that is absent or carries an error_code is unknown, never "no"; a Lookup outage is an
// unknown answer, not a crash.
import type twilio from 'twilio';
import { lineTypes, type LineType } from '../../channels/ars/ars-policy.ts';
import { unknownAnswer, type NumberSource, type SourceAnswer, type SourceQuery } from './number-source.ts';

/** The parts of a Lookup v2 PhoneNumberInstance this source reads (the SDK's camelCase view). */
export interface LookupResult {
  valid?: boolean | null;
  countryCode?: string | null;
  lineTypeIntelligence?: { type?: string | null; errorCode?: number | null } | null;
  callForwarding?: { callForwardingEnabled?: boolean | null; errorCode?: number | null } | null;
  /** The SDK leaves `last_sim_swap` in Twilio's snake_case. */
  simSwap?: { lastSimSwap?: { swapped_in_period?: boolean | null; swappedInPeriod?: boolean | null } | null; errorCode?: number | null } | null;
}

const isLineType = (value: unknown): value is LineType => typeof value === 'string' && (lineTypes as readonly string[]).includes(value);
const hasError = (errorCode: number | null | undefined) => errorCode !== null && errorCode !== undefined;

/** Maps a Lookup answer to a source answer; anything absent, malformed or errored stays unknown. */
export function lookupAnswer(result: LookupResult): SourceAnswer {
  const errors: string[] = [];
  const lti = result.lineTypeIntelligence;
  if (lti && hasError(lti.errorCode)) errors.push(`line_type_intelligence_${lti.errorCode}`);
  const lineType = lti && !hasError(lti.errorCode) && isLineType(lti.type) ? lti.type : 'unknown';

  const forwarding = result.callForwarding;
  if (forwarding && hasError(forwarding.errorCode)) errors.push(`call_forwarding_${forwarding.errorCode}`);
  const enabled = forwarding && !hasError(forwarding.errorCode) ? forwarding.callForwardingEnabled : undefined;

  const sim = result.simSwap;
  if (sim && hasError(sim.errorCode)) errors.push(`sim_swap_${sim.errorCode}`);
  const swapped = sim && !hasError(sim.errorCode) ? (sim.lastSimSwap?.swapped_in_period ?? sim.lastSimSwap?.swappedInPeriod) : undefined;

  return {
    source: 'twilio_lookup',
    valid: typeof result.valid === 'boolean' ? result.valid : null,
    lineType,
    country: typeof result.countryCode === 'string' && /^[A-Z]{2}$/.test(result.countryCode) ? result.countryCode : null,
    callForwarding: typeof enabled === 'boolean' ? enabled : null,
    simSwap: typeof swapped === 'boolean' ? swapped : null,
    errors,
  };
}

export class TwilioLookupSource implements NumberSource {
  readonly name = 'twilio_lookup' as const;

  constructor(private readonly client: Pick<twilio.Twilio, 'lookups'>) {}

  async lookup(query: SourceQuery): Promise<SourceAnswer> {
    const fields = [
      ...(query.parts.has('lineType') ? ['line_type_intelligence'] : []),
      ...(query.parts.has('forwarding') ? ['call_forwarding', 'sim_swap'] : []),
    ];
    try {
      const result = await this.client.lookups.v2.phoneNumbers(query.e164).fetch({ fields: fields.join(',') });
      return lookupAnswer(result as LookupResult);
    } catch (error) {
      // RestException carries the HTTP status; a network failure or timeout has none.
      const status = (error as { status?: unknown }).status;
      return unknownAnswer('twilio_lookup', [typeof status === 'number' ? `http_${status}` : 'unreachable']);
    }
  }
}
