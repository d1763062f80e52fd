// One Twilio webhook route (docs/reliability.md, docs/security.md): the form body parsed with limits,
// X-Twilio-Signature checked over PUBLIC_BASE_URL + path + query (403 otherwise), and a database or
// Redis outage answered 503 + Retry-After, which Twilio retries and then hands to the fallback URL;
// anything else unexpected is 500. Bodies (which hold `Digits`) are never logged.
import express, { type Request, type Response } from 'express';
import twilio from 'twilio';
import { z } from 'zod';
import type { Logger } from '../observability/logger.ts';
import { isDatabaseUnavailable } from '../http/problem-handler.ts';
import { isRedisUnavailable } from '../redis/redis-connections.ts';
import { onCallPath } from '../storage/connection-gate.ts';

export interface TwilioWebhookOptions {
  authToken: string;
  publicBaseUrl: string;
  logger: Logger;
  /** For the logs: "ARS", "notification call". */
  name: string;
}

/** A string field of the form body, or undefined. */
export const formField = (body: Record<string, unknown>, name: string): string | undefined => (typeof body[name] === 'string' ? (body[name] as string) : undefined);

/** A router for signed Twilio webhooks at `path`; `handle` runs only for a request Twilio signed. */
export function twilioWebhookRouter(path: string, options: TwilioWebhookOptions, handle: (req: Request, res: Response, body: Record<string, unknown>) => Promise<void>): express.Router {
  const router = express.Router();
  router.use(express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 100 }));
  router.post(path, (req: Request, res: Response) => {
    // A live call waits for this answer: its database work goes before the bank's (connection-gate.ts).
    onCallPath(() => signed(req, res)).catch((error: unknown) => {
      const unavailable = isDatabaseUnavailable(error) || isRedisUnavailable(error);
      options.logger[unavailable ? 'warn' : 'error']({ err: error, path: req.path }, unavailable ? `${options.name} webhook: dependency unavailable` : `${options.name} webhook failed`);
      if (res.headersSent) return;
      if (unavailable) res.status(503).set('retry-after', '5').type('text/plain').send('unavailable');
      else res.status(500).type('text/plain').send('error');
    });
  });

  async function signed(req: Request, res: Response): Promise<void> {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const signature = req.header('x-twilio-signature');
    if (!signature || !twilio.validateRequest(options.authToken, signature, options.publicBaseUrl + req.originalUrl, body as Record<string, string>)) {
      req.log?.warn({ path: req.path }, 'Twilio webhook with a missing or wrong signature');
      res.status(403).type('text/plain').send('forbidden');
      return;
    }
    await handle(req, res, body);
  }

  return router;
}

const endStatuses = ['completed', 'busy', 'no-answer', 'failed', 'canceled'];
const askQuery = z.coerce.number().int().min(1).max(1000);

/** What one kind of call answers at `/:tenantId/:<id>/:hook`: its ids, its end, and its TwiML. */
export interface CallHooks<Ids extends { hook: string }> {
  /** The path parameters (tenant, the call's own id, the hook), strictly. */
  params: z.ZodType<Ids>;
  /** The final status callback (completed, busy, no-answer, failed, canceled). */
  ended(ids: Ids, callSid: string, callStatus: string): Promise<void>;
  /**
   * TwiML for any other hook, or null for a hook that does not exist. `ask` is the `?ask=` question
   * number; a hook that needs one returns null without it.
   */
  twiml(ids: Ids, call: { callSid: string; ask: number | undefined; answeredBy: string | undefined; digits: string | undefined }): Promise<string | null>;
}

/** A router for one kind of call's signed webhooks: bound by its path ids and the CallSid; 404 for anything else. */
export function twilioCallRouter<Ids extends { hook: string }>(path: string, options: TwilioWebhookOptions, hooks: CallHooks<Ids>): express.Router {
  return twilioWebhookRouter(path, options, async (req, res, body) => {
    const params = hooks.params.safeParse(req.params);
    const callSid = formField(body, 'CallSid');
    if (!params.success || !callSid) {
      res.status(404).type('text/plain').send('not found');
      return;
    }
    if (params.data.hook === 'status') {
      const callStatus = formField(body, 'CallStatus') ?? '';
      if (endStatuses.includes(callStatus)) await hooks.ended(params.data, callSid, callStatus);
      res.status(204).end();
      return;
    }
    const ask = askQuery.safeParse(req.query.ask);
    const twiml = await hooks.twiml(params.data, { callSid, ask: ask.success ? ask.data : undefined, answeredBy: formField(body, 'AnsweredBy'), digits: formField(body, 'Digits') });
    if (twiml === null) res.status(404).type('text/plain').send('not found');
    else res.type('text/xml').send(twiml);
  });
}
