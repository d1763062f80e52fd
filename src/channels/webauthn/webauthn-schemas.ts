// Request and response shapes of the WebAuthn routes (docs/webauthn-channel.md).
import { z } from 'zod';
import { customerIdSchema } from '../../http/schemas.ts';
import { pageLocales } from './registration-service.ts';
import { pageTokenPattern } from './page-token.ts';

export const webauthnCustomerParams = z.strictObject({ customerId: customerIdSchema });
export const credentialParams = z.strictObject({ customerId: customerIdSchema, credentialId: z.string().regex(/^[A-Za-z0-9_-]{16,1366}$/) });
export const pageTokenParams = z.strictObject({ token: z.string().regex(pageTokenPattern) });

export const createRegistrationLinkSchema = z.strictObject({
  locale: z.enum(pageLocales).default('ko-KR'),
  displayName: z.string().trim().min(1).max(64).optional(),
});

export const registrationLinkSchema = z.object({ url: z.string().describe('One-time page under /c/, 15 minutes'), expiresAt: z.string() });

export const credentialViewSchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  backedUp: z.boolean(),
  transports: z.array(z.string()),
});

const base64url = z.string().regex(/^[A-Za-z0-9_-]*$/).max(16_384);

/** What @simplewebauthn/browser sends back (fields the browser adds beyond these are dropped). */
export const registrationResponseSchema = z.strictObject({
  response: z.object({
    id: base64url,
    rawId: base64url,
    type: z.literal('public-key'),
    authenticatorAttachment: z.string().optional(),
    clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
    response: z.object({
      clientDataJSON: base64url,
      attestationObject: base64url,
      transports: z.array(z.string().max(32)).max(8).optional(),
      publicKeyAlgorithm: z.number().optional(),
      publicKey: base64url.optional(),
      authenticatorData: base64url.optional(),
    }),
  }),
});

export const authenticationResponseSchema = z.strictObject({
  response: z.object({
    id: base64url,
    rawId: base64url,
    type: z.literal('public-key'),
    authenticatorAttachment: z.string().optional(),
    clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
    response: z.object({
      clientDataJSON: base64url,
      authenticatorData: base64url,
      signature: base64url,
      userHandle: base64url.optional(),
    }),
  }),
});

export const registrationOptionsRequestSchema = z.strictObject({ payment: z.boolean().default(false) });
