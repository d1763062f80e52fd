// PUT /v1/customers/{customerId}/phone and /knowledge-secret (docs/ars-channel.md, contract): what the ARS
// channel needs to call the customer and check the answer. Responses never echo the full number
// or anything about the secret.
import { z } from 'zod';
import type { ArsEnrollment } from './ars-enrollment.ts';
import type { NotificationPhoneEnrollment } from './notification-phone.ts';
import { defineRoute, type RouteDefinition } from '../../http/route.ts';
import { problemBodySchema } from '../../http/schemas.ts';
import { customerParams } from '../../customers/customer-params.ts';

const phoneInput = z.strictObject({ number: z.string().min(3).max(32).describe('E.164 or international format, e.g. "+82 2-312-3456"') });
const arsPhoneInput = phoneInput.extend({
  locale: z.enum(['ko-KR', 'en-US']).optional().describe('The language of the call that tells the old number of a change (docs/ars-channel.md, "A changed number"); default ko-KR'),
});
const phoneView = z.object({
  number: z.string().describe('Masked, e.g. "+82 2-***-3456"'),
  lineType: z.string(),
  callForwarding: z.boolean().nullable().describe('null when no source could tell'),
  eligible: z.boolean(),
  reasons: z.array(z.string()),
  callableFrom: z.string().optional().describe('Only for a changed number: it is not called for numberChangeCooldownDays (ARS is not offered until then)'),
});
const phoneResponses = {
  200: { description: 'Stored; the number comes back masked', schema: phoneView },
  422: { description: 'Not eligible (`code` = first reason, all in `reasons`); nothing stored', schema: problemBodySchema.extend({ reasons: z.array(z.string()).optional() }) },
};
const secretInput = z.strictObject({ secret: z.string().max(64).describe('6–12 digits; never returned or logged') });

/** A PUT of a phone number for `store` (the ARS phone, the notification phone): same answers. */
const phoneRoute = <Body extends z.infer<typeof phoneInput>>(
  path: string,
  summary: string,
  body: z.ZodType<Body>,
  store: (tenantId: string, customerId: string, body: Body, actor: string) => Promise<unknown>,
) =>
  defineRoute({
    method: 'put',
    path,
    auth: { kind: 'bank' },
    summary,
    tags: ['customers'],
    params: customerParams,
    body,
    responses: phoneResponses,
    handler: async ({ params, body, bank }) => ({ status: 200, body: await store(bank!.tenantId, params.customerId, body, `bank:${bank!.keyId}`) }),
  });

export function arsEnrollmentRoutes(enrollment: ArsEnrollment, notificationPhones: NotificationPhoneEnrollment): RouteDefinition[] {
  return [
    phoneRoute(
      '/v1/customers/:customerId/phone',
      'Register the phone number ARS calls (vetted against the ARS policy; stored encrypted). A different number is a change: the cooldown starts and the old number is called (docs/ars-channel.md)',
      arsPhoneInput,
      (tenantId, customerId, body, actor) => enrollment.setPhone(tenantId, customerId, body.number, actor, body.locale),
    ),
    phoneRoute(
      '/v1/customers/:customerId/notification-phone',
      'Register a phone for the notification calls of held transfers only (landline or mobile; never forwarded, VoIP or premium; docs/holds.md)',
      phoneInput,
      (tenantId, customerId, body, actor) => notificationPhones.set(tenantId, customerId, body.number, actor),
    ),
    defineRoute({
      method: 'put',
      path: '/v1/customers/:customerId/knowledge-secret',
      auth: { kind: 'bank' },
      summary: "Set the customer's security number (ARS asks 4 of its digits per call); stored envelope-encrypted",
      tags: ['customers'],
      params: customerParams,
      body: secretInput,
      responses: { 204: { description: 'Stored' }, 422: { description: '`weak_secret`: repeated digits, runs or repeated blocks', schema: problemBodySchema } },
      handler: async ({ params, body, bank }) => {
        await enrollment.setSecret(bank!.tenantId, params.customerId, body.secret, `bank:${bank!.keyId}`);
        return { status: 204 };
      },
    }),
  ];
}
