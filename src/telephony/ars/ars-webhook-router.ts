// Twilio's webhooks for ARS calls (docs/ars-channel.md, last paragraph): form-encoded, each one checked against
// X-Twilio-Signature over PUBLIC_BASE_URL + path + query (403 otherwise), then handed to the ARS
// call service, whose answer is rendered to TwiML. Bodies (which hold `Digits`) are never logged.
import express, { type Request, type Response } from 'express';
import twilio from 'twilio';
import { z } from 'zod';
import type { Logger } from '../../observability/logger.ts';
import type { ArsCallService, CallScript } from '../../channels/ars/ars-call-service.ts';
import type { FlowCatalog } from '../ivr/flow-catalog.ts';
import { renderStep } from './render-step.ts';
import { isDatabaseUnavailable } from '../../http/problem-handler.ts';
import { isRedisUnavailable } from '../../redis/redis-connections.ts';
import { rideOutOutage } from './ride-out-outage.ts';

const pathParams = z.strictObject({
  tenantId: z.string().regex(/^ten_[A-Za-z0-9_-]{8,32}$/),
  attemptId: z.string().regex(/^att_[A-Za-z0-9_-]{16,32}$/),
  hook: z.enum(['answer', 'gather', 'no-input', 'status']),
});
const askQuery = z.coerce.number().int().min(1).max(1000);

export interface ArsWebhookDeps {
  calls: ArsCallService;
  flows: FlowCatalog;
  authToken: string;
  publicBaseUrl: string;
  logger: Logger;
  /** How long a webhook waits out PostgreSQL or Redis being unavailable before its 503 (ARS_WEBHOOK_PATIENCE_MS). */
  patienceMs: number;
}

const isUnavailable = (error: unknown) => isDatabaseUnavailable(error) || isRedisUnavailable(error);

const field = (body: Record<string, unknown>, name: string): string | undefined => (typeof body[name] === 'string' ? (body[name] as string) : undefined);

export function arsWebhookRouter(deps: ArsWebhookDeps): express.Router {
  const router = express.Router();
  router.use(express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 100 }));

  router.post('/:tenantId/:attemptId/:hook', (req: Request, res: Response) => {
    handle(req, res).catch((error: unknown) => {
      // A database or Redis outage that outlasted the webhook's patience is 503 + Retry-After
      // (docs/reliability.md); anything else is 500. The attempt stays consistent (one tx).
      const unavailable = isUnavailable(error);
      deps.logger[unavailable ? 'warn' : 'error']({ err: error, path: req.path }, unavailable ? 'ARS webhook: dependency unavailable' : 'ARS webhook failed');
      if (res.headersSent) return;
      if (unavailable) res.status(503).set('retry-after', '5').type('text/plain').send('unavailable');
      else res.status(500).type('text/plain').send('error');
    });
  });

  async function handle(req: Request, res: Response): Promise<void> {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const signature = req.header('x-twilio-signature');
    const url = deps.publicBaseUrl + req.originalUrl;
    if (!signature || !twilio.validateRequest(deps.authToken, signature, url, body as Record<string, string>)) {
      req.log?.warn({ path: req.path }, 'Twilio webhook with a missing or wrong signature');
      res.status(403).type('text/plain').send('forbidden');
      return;
    }
    const params = pathParams.safeParse(req.params);
    const callSid = field(body, 'CallSid');
    if (!params.success || !callSid) {
      res.status(404).type('text/plain').send('not found');
      return;
    }
    const { tenantId, attemptId, hook } = params.data;
    const base = { tenantId, attemptId, callSid };
    const patiently = <T>(work: () => Promise<T>) => rideOutOutage(work, { patienceMs: deps.patienceMs, isTransient: isUnavailable });
    if (hook === 'status') {
      const callStatus = field(body, 'CallStatus') ?? '';
      if (['completed', 'busy', 'no-answer', 'failed', 'canceled'].includes(callStatus)) await patiently(() => deps.calls.callEnded({ ...base, callStatus }));
      res.status(204).end();
      return;
    }
    let script: CallScript;
    if (hook === 'answer') {
      script = await patiently(() => deps.calls.answered({ ...base, answeredBy: field(body, 'AnsweredBy') }));
    } else {
      const ask = askQuery.safeParse(req.query.ask);
      if (!ask.success) {
        res.status(404).type('text/plain').send('not found');
        return;
      }
      const digits = field(body, 'Digits');
      script = await patiently(() => (hook === 'gather' ? deps.calls.gathered({ ...base, ask: ask.data, digits }) : deps.calls.noInput({ ...base, ask: ask.data })));
    }
    res.type('text/xml').send(renderStep(script, { flows: deps.flows, publicBaseUrl: deps.publicBaseUrl, tenantId, attemptId }));
  }

  return router;
}
