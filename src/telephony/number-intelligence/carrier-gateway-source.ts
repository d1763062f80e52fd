// Source 3 (docs/number-vetting.md): the bank's own carrier gateway — Korean carriers answer forwarding inquiries
// to banks, not to Twilio. A signed POST (Standard Webhooks headers, the tenant's gateway secret) to
// the SSRF-vetted, pinned address; contract in docs/carrier-gateway.md. A timeout, an HTTP error or
// a malformed answer is "unknown" (the policy's forwardingUnknown decides), never "not forwarded".
import { z } from 'zod';
import { lineTypes } from '../../channels/ars/ars-policy.ts';
import { postPinned } from '../../events/pinned-post.ts';
import { standardWebhookHeaders } from '../../events/webhook-sender.ts';
import type { CarrierGatewayTarget } from './carrier-gateway-store.ts';
import { unknownAnswer, type NumberSource, type SourceAnswer, type SourceQuery } from './number-source.ts';

/** The gateway's answer. Unknown fields are ignored (the bank may add its own). */
export const carrierGatewayResponseSchema = z.object({
  callForwarding: z.boolean().nullable(),
  forwardedToSameOwner: z.boolean().nullable().optional(),
  lineType: z.enum(lineTypes).nullable().optional(),
  simSwap: z.boolean().nullable().optional(),
});

/** What stepup POSTs. */
export interface CarrierGatewayRequest {
  number: string;
  requestId: string;
  purpose: 'enrollment' | 'call';
}

export class CarrierGatewaySource implements NumberSource {
  readonly name = 'carrier_gateway' as const;

  constructor(private readonly target: CarrierGatewayTarget) {}

  async lookup(query: SourceQuery): Promise<SourceAnswer> {
    const request: CarrierGatewayRequest = { number: query.e164, requestId: query.requestId, purpose: query.purpose };
    const body = JSON.stringify(request);
    const result = await postPinned({
      url: this.target.url,
      headers: { 'content-type': 'application/json', accept: 'application/json', 'user-agent': 'stepup-carrier-gateway/1', ...standardWebhookHeaders(this.target.secret, query.requestId, body) },
      body,
      allowLoopback: this.target.allowLoopback,
      timeoutMs: this.target.timeoutMs,
      readBody: true,
      maxResponseBytes: 16 * 1024,
    });
    if (!result.ok) return unknownAnswer(this.name, [result.refused ? 'refused_address' : result.error === 'timeout' ? 'timeout' : 'unreachable']);
    if (result.statusCode < 200 || result.statusCode >= 300) return unknownAnswer(this.name, [`http_${result.statusCode}`]);
    let parsed: z.infer<typeof carrierGatewayResponseSchema>;
    try {
      parsed = carrierGatewayResponseSchema.parse(JSON.parse(result.body));
    } catch {
      return unknownAnswer(this.name, ['invalid_response']);
    }
    return {
      source: this.name,
      valid: null,
      lineType: parsed.lineType ?? 'unknown',
      country: null,
      callForwarding: parsed.callForwarding,
      ...(parsed.forwardedToSameOwner === undefined ? {} : { forwardedToSameOwner: parsed.forwardedToSameOwner }),
      ...(parsed.simSwap === undefined ? {} : { simSwap: parsed.simSwap }),
      errors: [],
    };
  }
}
