import { z } from 'zod';
import { channelNames } from '../channels/channel.ts';
import { customerIdSchema } from '../http/schemas.ts';
import { transactionTypes } from './challenge-record.ts';
import { holdResponseSchema } from '../holds/hold-schemas.ts';

const printable = (max: number) => z.string().min(1).max(max).regex(/^[^\p{Cc}]*$/u, 'control characters are not allowed');

export const amountSchema = z.strictObject({
  value: z.string().regex(/^\d{1,19}(\.\d{1,4})?$/, 'a decimal string in major units, e.g. "3500000" or "12.50"'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code'),
});

export const payeeSchema = z.strictObject({
  name: printable(100),
  bank: printable(100).optional(),
  account: z.string().regex(/^[0-9][0-9 -]{0,38}[0-9]$/, 'digits, optionally grouped with - or spaces').refine((v) => v.replace(/\D/g, '').length >= 4, 'at least 4 digits'),
});

export const transactionSchema = z
  .strictObject({
    reference: printable(128),
    type: z.enum(transactionTypes),
    amount: amountSchema.optional(),
    payee: payeeSchema.optional(),
    description: printable(200).optional(),
  })
  .superRefine((transaction, ctx) => {
    if (transaction.type !== 'transfer') return;
    if (!transaction.amount) ctx.addIssue({ code: 'custom', path: ['amount'], message: 'required for a transfer' });
    if (!transaction.payee) ctx.addIssue({ code: 'custom', path: ['payee'], message: 'required for a transfer' });
  });

const createChallengeSchemaFor = (channelNames: readonly [string, ...string[]]) =>
  z.strictObject({
    customerId: customerIdSchema,
    transaction: transactionSchema,
    channels: z.array(z.enum(channelNames)).min(1).max(channelNames.length).refine((list) => new Set(list).size === list.length, 'channels must not repeat').optional(),
    context: z
      .strictObject({
        designatedDevice: z.boolean().optional(),
        riskScore: z.number().min(0).max(1).optional(),
        payeeRegistered: z.boolean().optional(),
        grade: z.string().regex(/^[a-z0-9_-]{1,32}$/).optional(),
        payeeRegisteredAt: z.iso.datetime({ offset: true }).optional().describe('When the customer registered this payee: a payee registered less than hold.newPayeeWithinSeconds ago is held whatever the amount (docs/holds.md)'),
      })
      .optional(),
    locale: z.enum(['ko-KR', 'en-US']).optional(),
    callbackUrl: z.url({ protocol: /^https?$/ }).max(2048).optional(),
  });

const maskedAmount = amountSchema;
const challengeResponseSchemaFor = (channelNames: readonly [string, ...string[]]) =>
  z.object({
    id: z.string(),
    status: z.enum(['pending', 'approved', 'denied', 'expired', 'canceled', 'failed', 'not_required']),
    customerId: z.string(),
    transaction: z.object({
      reference: z.string(),
      type: z.enum(transactionTypes),
      amount: maskedAmount.optional(),
      payee: z.object({ name: z.string(), bank: z.string().optional(), account: z.string().describe('masked: only the last group of digits is shown') }).optional(),
      description: z.string().optional(),
    }),
    transactionHash: z.string().describe('base64url SHA-256 of the canonical transaction (docs/receipts.md)'),
    decision: z.object({ stepUpRequired: z.boolean(), reasons: z.array(z.string()), channels: z.array(z.enum(channelNames)) }),
    channel: z.enum(channelNames).nullable(),
    channelDetails: z.record(z.string(), z.unknown()).nullable().describe('what the bank shows the customer, e.g. the OTP question'),
    customerUrl: z.string().nullable(),
    locale: z.string(),
    createdAt: z.string(),
    expiresAt: z.string(),
    completedAt: z.string().nullable(),
    result: z
      .object({
        channel: z.enum(channelNames).nullable(),
        reason: z.string(),
        receipt: z.string().describe('compact JWS (ES256), keys at /.well-known/jwks.json'),
        fraudReported: z.boolean().optional(),
        details: z
          .record(z.string(), z.unknown())
          .optional()
          .describe('why, beyond reason (absent when the reason says it all): number_ineligible → {"reasons": ["call_forwarding_active", …]}; call_cap_reached → {"cap": "customer_hour" | "number_day"}'),
      })
      .nullable(),
    hold: holdResponseSchema.nullable().describe('After approval: the hold on the transfer, or null when it is not held (docs/holds.md)'),
  });

/**
 * The challenge's request and response schemas for the channels a server has (its modules' names,
 * AppContext.policy.channelNames): `channels` may list them, `channel` names one.
 */
export function challengeSchemasFor(channelNames: readonly string[]) {
  const names = channelNames as readonly [string, ...string[]];
  return { create: createChallengeSchemaFor(names), response: challengeResponseSchemaFor(names) };
}

/** The shipped channels' schemas (documentation of routes that do not depend on the server's modules). */
const shipped = challengeSchemasFor(channelNames);
export const createChallengeSchema = shipped.create;
export type CreateChallengeInput = z.infer<typeof createChallengeSchema>;
export const challengeResponseSchema = shipped.response;

export const challengeIdParams = z.strictObject({ id: z.string().regex(/^chl_[A-Za-z0-9_-]{10,40}$/, 'a challenge id') });
