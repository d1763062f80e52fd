// The Twilio-compatible telephony simulator (README.md of @stepup/telephony-simulator) as an express app: a pure factory that
// does not listen. `npm run simulator` (main.ts) listens; the demo and tests mount it in-process.
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { pino, type Logger } from 'pino';
import { CallEngine } from './call-engine.ts';
import { callsRoutes } from './calls-routes.ts';
import { controlRoutes, sendProblem } from './control-routes.ts';
import { eventStream } from './event-stream.ts';
import { lookupRoutes } from './lookup-routes.ts';
import { resolveTiming, type SimulatorOptions } from './simulator-options.ts';
import { SimulatorState } from './simulator-state.ts';
import { softphoneRoutes } from './softphone-page.ts';
import { basicAuth, notFoundError, sendTwilioError, TwilioRestError } from './twilio-rest-errors.ts';

export type { SimulatorOptions } from './simulator-options.ts';

export interface Simulator {
  app: Express;
  state: SimulatorState;
  /** The call engine, for in-process use (e.g. `engine.pressDigits(sid, '2568')`). */
  engine: CallEngine;
  /** Stops running calls, pending callbacks and event streams. Does not close any server. */
  close(): void;
}

function isTwilioPath(path: string): boolean {
  return path.startsWith('/2010-04-01/') || path.startsWith('/v2/');
}

export function createSimulator(options: SimulatorOptions): Simulator {
  const { accountSid, authToken, logger = pino({ level: 'silent' }) } = options;
  if (!accountSid || !authToken) throw new Error('createSimulator: accountSid and authToken are required');
  const timing = resolveTiming(options);
  const state = new SimulatorState();
  const engine = new CallEngine({ state, authToken, timing, logger: logger.child({ component: 'telephony-simulator' }) });
  const events = eventStream(state);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  // Twilio REST subset: Basic auth, form-encoded bodies.
  const twilioAuth = basicAuth(accountSid, authToken);
  app.use(['/2010-04-01', '/v2'], twilioAuth, express.urlencoded({ extended: false, limit: '64kb' }));
  app.use(callsRoutes({ accountSid, state, engine }));
  app.use(lookupRoutes(state));

  // Control API, event stream, softphone.
  app.use('/sim', express.json({ limit: '16kb' }));
  app.use(controlRoutes({ state, engine }));
  app.use(events.router);
  app.use(softphoneRoutes());
  app.get('/', (_req, res) => {
    res.redirect('/sim/phone');
  });

  app.use((req: Request, res: Response) => {
    if (isTwilioPath(req.path)) sendTwilioError(res, notFoundError(req.path));
    else sendProblem(res, 404, 'not_found', 'Not found', `No route ${req.method} ${req.path}`);
  });

  app.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const status = (error as { status?: number }).status ?? 500;
    const parseFailure = (error as { type?: string }).type === 'entity.parse.failed';
    if (status >= 500) logger.error({ err: error, path: req.path }, 'simulator request failed');
    if (isTwilioPath(req.path)) {
      sendTwilioError(res, new TwilioRestError(status, status >= 500 ? 20500 : 20001, status >= 500 ? 'Internal Server Error' : 'Invalid request'));
    } else if (parseFailure) {
      sendProblem(res, 400, 'malformed_json', 'The body is not valid JSON');
    } else {
      sendProblem(res, status, status >= 500 ? 'internal_error' : 'validation_failed', status >= 500 ? 'Internal error' : 'The request is not valid');
    }
  });

  return {
    app,
    state,
    engine,
    close: () => {
      engine.close();
      events.closeAll();
    },
  };
}
