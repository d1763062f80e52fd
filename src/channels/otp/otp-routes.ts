// Bank routes of the OTP channel (docs/otp-channel.md otp-tokens, §5 POST /v1/challenges/{id}/otp).
import { challengeIdParams, challengeSchemasFor } from '../../challenges/challenge-schemas.ts';
import { channelNames as shippedChannels } from '../channel.ts';
import { publicChallenge } from '../../challenges/challenge-record.ts';
import { problemBodySchema } from '../../http/schemas.ts';
import { defineRoute, type RouteDefinition } from '../../http/route.ts';
import {
  createdOtpTokenSchema,
  createOtpTokenSchema,
  customerParams,
  otpSubmissionSchema,
  otpTokenListSchema,
  tokenParams,
} from './otp-schemas.ts';
import type { OtpSubmissionService } from './otp-submission.ts';
import { publicToken, type OtpTokenService } from './otp-token-service.ts';

const problem = (description: string) => ({ description, schema: problemBodySchema, contentType: 'application/problem+json' });

/** `channelNames`: the server's channels, which the submission's answer may name; the shipped ones by default. */
export function otpRoutes(deps: { tokens: OtpTokenService; submissions: OtpSubmissionService; channelNames?: readonly string[] }): RouteDefinition[] {
  const challengeResponseSchema = challengeSchemasFor(deps.channelNames ?? shippedChannels).response;
  return [
    defineRoute({
      method: 'post',
      path: '/v1/customers/:customerId/otp-tokens',
      auth: { kind: 'bank' },
      summary: "Import a token's seed (secretHex) or generate one (returned once as an otpauth URI and QR code)",
      tags: ['otp'],
      params: customerParams,
      body: createOtpTokenSchema,
      responses: {
        201: { description: 'The token (never its seed, except once when generated)', schema: createdOtpTokenSchema },
        409: problem('otp_token_limit_reached: the customer already holds 10 tokens (`limit`)'),
        422: problem('unsupported_suite: PIN (P) or session (S) suites, suites with neither counter (C) nor time step (T), or a question too short for the derivation'),
      },
      handler: async ({ params, body, bank }) => {
        const enrolled = await deps.tokens.enroll(bank!.tenantId, params.customerId, body);
        return {
          status: 201,
          body: {
            ...publicToken(enrolled.token),
            ...(enrolled.otpauthUri ? { otpauthUri: enrolled.otpauthUri, qrCodeDataUrl: enrolled.qrCodeDataUrl } : {}),
          },
          headers: { 'cache-control': 'no-store' },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/customers/:customerId/otp-tokens',
      auth: { kind: 'bank' },
      summary: "List the customer's OTP tokens (never a seed)",
      tags: ['otp'],
      params: customerParams,
      responses: { 200: { description: 'The tokens, oldest first', schema: otpTokenListSchema } },
      handler: async ({ params, bank }) => ({
        status: 200,
        body: { tokens: (await deps.tokens.list(bank!.tenantId, params.customerId)).map(publicToken) },
      }),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/customers/:customerId/otp-tokens/:tokenId',
      auth: { kind: 'bank' },
      summary: 'Delete an OTP token (its seed is erased)',
      tags: ['otp'],
      params: tokenParams,
      responses: { 204: { description: 'Deleted' }, 404: problem('No such token for this customer') },
      handler: async ({ params, bank }) => {
        await deps.tokens.remove(bank!.tenantId, params.customerId, params.tokenId);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/challenges/:id/otp',
      auth: { kind: 'bank' },
      summary: "Submit the code the customer's token shows for the challenge's question",
      tags: ['otp', 'challenges'],
      params: challengeIdParams,
      body: otpSubmissionSchema,
      responses: {
        200: { description: 'The challenge, approved', schema: challengeResponseSchema },
        409: problem('wrong_channel, challenge_not_pending, token_locked or token_removed'),
        422: problem('invalid_code with attemptsRemaining; at 0 the challenge is denied (too_many_failures)'),
      },
      handler: async ({ params, body, bank }) => ({
        status: 200,
        body: publicChallenge(await deps.submissions.submit(bank!.tenantId, params.id, body.code)),
      }),
    }),
  ];
}
