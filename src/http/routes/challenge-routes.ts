import { challengeIdParams, challengeSchemasFor } from '../../challenges/challenge-schemas.ts';
import { channelNames as shippedChannels } from '../../channels/channel.ts';
import { publicChallenge, type ChallengeRecord } from '../../challenges/challenge-record.ts';
import type { ChallengeService } from '../../challenges/challenge-service.ts';
import { withIdempotency } from '../../challenges/idempotency.ts';
import { canonicalJson, sha256Hex } from '../../crypto/hashing.ts';
import type { Db, Queryable } from '../../storage/db.ts';
import { defineRoute, type RouteDefinition } from '../route.ts';

/** What a channel answers for a customer with nothing enrolled on it, or a channel that was not asked. */
const nothingToVerifyWith = new Set(['not_enrolled', 'channel_disabled', 'channel_not_available']);

/**
 * The customer of a challenge that failed because no channel knows them (every channel tried said
 * `not_enrolled`): an unknown customer for the key's enumeration signal (docs/security.md).
 */
function unknownCustomerOf(answer: unknown): string | undefined {
  const challenge = answer as { status?: string; customerId?: string; result?: { reason?: string; details?: { unavailable?: { reason: string }[] } } } | undefined;
  if (challenge?.status !== 'failed' || challenge.result?.reason !== 'no_eligible_channel') return undefined;
  const reasons = (challenge.result.details?.unavailable ?? []).map((channel) => channel.reason);
  return reasons.includes('not_enrolled') && reasons.every((reason) => nothingToVerifyWith.has(reason)) ? challenge.customerId : undefined;
}

/** `channelNames`: the server's channels (its modules'); the shipped ones by default. */
export function challengeRoutes(deps: { db: Db; challenges: ChallengeService; stopUrlOf?: (record: ChallengeRecord) => string | null; channelNames?: readonly string[] }): RouteDefinition[] {
  const { create: createChallengeSchema, response: challengeResponseSchema } = challengeSchemasFor(deps.channelNames ?? shippedChannels);
  const challenge = { description: 'The challenge', schema: challengeResponseSchema };
  return [
    defineRoute({
      method: 'post',
      path: '/v1/challenges',
      auth: { kind: 'bank' },
      summary: 'Ask whether a transaction needs step-up and, if so, start verifying it',
      tags: ['challenges'],
      body: createChallengeSchema,
      headers: [{ name: 'Idempotency-Key', required: false, description: 'Same key + same body within 24 h returns the same response; another body is 409' }],
      responses: { 201: { description: 'Created: `pending`, `not_required` or `failed` (no eligible channel)', schema: challengeResponseSchema } },
      handler: async ({ body, bank, headers }) => {
        const key = headers['idempotency-key'];
        const result = await withIdempotency(
          deps.db,
          { tenantId: bank!.tenantId, key: Array.isArray(key) ? key[0] : key, requestHash: () => sha256Hex(canonicalJson(body)) },
          async (complete) => {
            // The key is completed in the transaction that stores the challenge (docs/reliability.md).
            const onStored = complete && ((q: Queryable, stored: ChallengeRecord) => complete(q, { status: 201, body: publicChallenge(stored) }));
            return { status: 201, body: deps.challenges.bankView(await deps.challenges.create(bank!.tenantId, body, { onStored })) };
          },
        );
        if (!result.replayed) return { status: result.status, body: result.body, unknownCustomer: unknownCustomerOf(result.body) };
        // The stored answer never holds the page link (docs/security.md, M1): a replay gets it afresh
        // while the page may still be used.
        const stored = result.body as { id?: string; channel?: string } | undefined;
        const replayedBody = stored?.channel === 'webauthn' && stored.id ? { ...stored, customerUrl: deps.challenges.bankView(await deps.challenges.get(bank!.tenantId, stored.id)).customerUrl } : result.body;
        return { status: result.status, body: replayedBody, headers: { 'idempotent-replayed': 'true' } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/challenges/:id',
      auth: { kind: 'bank' },
      summary: 'Read a challenge (terminal challenges stay readable)',
      tags: ['challenges'],
      params: challengeIdParams,
      responses: { 200: challenge },
      handler: async ({ params, bank }) => {
        const record = await deps.challenges.get(bank!.tenantId, params.id);
        return { status: 200, body: deps.challenges.bankView(record, { stopUrl: deps.stopUrlOf?.(record) ?? null }) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/challenges/:id/cancel',
      auth: { kind: 'bank' },
      summary: 'Cancel a pending challenge (a call in progress is hung up)',
      tags: ['challenges'],
      params: challengeIdParams,
      responses: { 200: challenge },
      handler: async ({ params, bank }) => ({ status: 200, body: deps.challenges.bankView(await deps.challenges.cancel(bank!.tenantId, params.id)) }),
    }),
  ];
}
