// Request and response shapes of the OTP routes (docs/otp-channel.md otp-tokens, §5 POST /v1/challenges/{id}/otp).
import { z } from 'zod';
import { customerIdSchema } from '../../http/schemas.ts';
import { parseOcraSuite } from './ocra-suite.ts';

const label = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[^\p{Cc}:]*$/u, 'no control characters and no ":" (it separates issuer and account in otpauth URIs)');
const questionDerivation = z.enum(['payee_account', 'payee_account_amount']);
const totpAlgorithm = z.enum(['sha1', 'sha256', 'sha512']);
/** A seed as hex, 16–64 bytes (RFC 4226 R6: at least 128 bits; HMAC keys beyond the block size gain nothing). */
const secretHex = z.string().regex(/^(?:[0-9a-fA-F]{2}){16,64}$/, '16–64 bytes as hexadecimal');

export const createOcraTokenSchema = z.strictObject({
  type: z.literal('ocra'),
  suite: z
    .string()
    .max(64)
    .refine((suite) => parseOcraSuite(suite).ok, 'an OCRA suite (RFC 6287 §6), e.g. OCRA-1:HOTP-SHA1-6:QN08'),
  secretHex: secretHex.optional().describe("imports a hardware token's seed; without it the server generates one and returns it once"),
  counter: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional().describe('counter suites: the token\'s current counter (default 0)'),
  questionDerivation: questionDerivation
    .optional()
    .describe("how the question is derived from the transaction; default: the tenant policy's channels.otp.questionDerivation (payee_account_amount) where the suite's questions hold 16 characters or more, else payee_account. payee_account needs the policy's channels.otp.allowPayeeOnlyTokens"),
  label: label.optional(),
});

export const createTotpTokenSchema = z.strictObject({
  type: z.literal('totp'),
  algorithm: totpAlgorithm.optional().describe('default sha1'),
  digits: z.number().int().min(6).max(8).optional().describe('default 6'),
  period: z.number().int().min(15).max(300).optional().describe('seconds, default 30'),
  secretHex: secretHex.optional(),
  label: label.optional(),
});

export const createOtpTokenSchema = z.discriminatedUnion('type', [createOcraTokenSchema, createTotpTokenSchema]);
export type CreateOtpTokenInput = z.infer<typeof createOtpTokenSchema>;

export const otpTokenSchema = z.object({
  id: z.string(),
  type: z.enum(['ocra', 'totp']),
  suite: z.string().optional(),
  questionDerivation: questionDerivation.optional(),
  binds: z.array(z.enum(['payee_account', 'amount'])).optional().describe('OCRA: what a code is bound to (the payee account, and the amount with payee_account_amount)'),
  algorithm: totpAlgorithm.optional(),
  digits: z.number().optional(),
  period: z.number().optional(),
  label: z.string().nullable(),
  locked: z.boolean(),
  lockedAt: z.string().nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});

export const createdOtpTokenSchema = otpTokenSchema.extend({
  otpauthUri: z.string().optional().describe('generated seeds only, shown once: the seed for an authenticator app'),
  qrCodeDataUrl: z.string().optional().describe('generated seeds only, shown once: the otpauthUri as a PNG data URL'),
});

export const otpTokenListSchema = z.object({ tokens: z.array(otpTokenSchema) });

export const customerParams = z.strictObject({ customerId: customerIdSchema });
export const tokenParams = z.strictObject({
  customerId: customerIdSchema,
  tokenId: z.string().regex(/^tok_[A-Za-z0-9_-]{10,40}$/, 'a token id'),
});

export const otpSubmissionSchema = z.strictObject({
  // Decimal digits for truncated suites; the full HMAC in hex for OCRA suites with truncation 0.
  code: z.string().regex(/^[0-9A-Fa-f]{4,128}$/, 'the code the token shows'),
});
