// Control API (no auth: a localhost development tool), the simulated callees' side:
//   PUT    /sim/numbers/{e164}      how the number looks up and answers
//   GET    /sim/numbers[/{e164}]    configured numbers;  DELETE /sim/numbers/{e164}
//   GET    /sim/calls?to={e164}     calls (creation order) with transcript, awaitingDigits, prompt
//   GET    /sim/calls/{sid}
//   POST   /sim/calls/{sid}/digits  {"digits": "2568"}: DTMF into the current <Gather> (409 if none)
//   POST   /sim/calls/{sid}/hangup  the callee hangs up
//   DELETE /sim/state               forget every number and call
// Errors are RFC 9457 problem+json.
import express, { type Response, type Router } from 'express';
import { z } from 'zod';
import type { CallEngine } from './call-engine.ts';
import { isE164, normalizeNumber } from './numbering-plan.ts';
import { answerModes, lineTypes, toCallView, type SimNumber, type SimulatorState } from './simulator-state.ts';

export const numberConfigSchema = z.strictObject({
  lineType: z.enum(lineTypes).optional(),
  callForwarding: z.boolean().nullable().default(null),
  answer: z.enum(answerModes).default('human'),
  carrierName: z.string().max(100).optional(),
  mobileCountryCode: z.string().regex(/^\d{3}$/).optional(),
  mobileNetworkCode: z.string().regex(/^\d{2,3}$/).optional(),
});

const digitsSchema = z.strictObject({
  digits: z.string().regex(/^[0-9*#]{1,64}$/, 'digits may contain 0-9, * and # only'),
});

export function sendProblem(res: Response, status: number, code: string, title: string, detail?: string, extra: Record<string, unknown> = {}): void {
  res
    .status(status)
    .type('application/problem+json')
    .send(
      JSON.stringify({
        type: `https://stepup.dev/problems/${code.replace(/_/g, '-')}`,
        title,
        status,
        code,
        ...(detail === undefined ? {} : { detail }),
        ...extra,
      }),
    );
}

/** Numbers in a query string lose their '+' to form decoding ("+82..." arrives as " 82..."). */
function numberFromQuery(raw: string): string | undefined {
  const repaired = /^\s*\d/.test(raw) ? `+${raw.trim()}` : raw;
  return normalizeNumber(repaired);
}

function numberFromPath(raw: string): string | undefined {
  const e164 = normalizeNumber(raw.startsWith('+') ? raw : `+${raw.trim()}`);
  return e164 !== undefined && isE164(e164) ? e164 : undefined;
}

export interface ControlRoutesDeps {
  state: SimulatorState;
  engine: CallEngine;
}

export function controlRoutes({ state, engine }: ControlRoutesDeps): Router {
  const router = express.Router();

  const invalidNumber = (res: Response, raw: string): void =>
    sendProblem(res, 400, 'validation_failed', 'The request is not valid', `${raw} is not an E.164 phone number`);

  router.put('/sim/numbers/:number', (req, res) => {
    const number = numberFromPath(String(req.params.number));
    if (number === undefined) return invalidNumber(res, String(req.params.number));
    const parsed = numberConfigSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      const errors = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
      return sendProblem(res, 400, 'validation_failed', 'The request is not valid', errors[0]?.message, { errors });
    }
    const config: SimNumber = { number, ...parsed.data };
    res.json(state.setNumber(config));
  });

  router.get('/sim/numbers', (_req, res) => {
    res.json([...state.numbers.values()]);
  });

  router.get('/sim/numbers/:number', (req, res) => {
    const number = numberFromPath(String(req.params.number));
    const config = number === undefined ? undefined : state.getNumber(number);
    if (config === undefined) return sendProblem(res, 404, 'not_found', 'Not found', 'No such number');
    res.json(config);
  });

  router.delete('/sim/numbers/:number', (req, res) => {
    const number = numberFromPath(String(req.params.number));
    if (number === undefined) return invalidNumber(res, String(req.params.number));
    state.numbers.delete(number);
    res.status(204).end();
  });

  router.get('/sim/calls', (req, res) => {
    const rawTo = typeof req.query.to === 'string' ? req.query.to : undefined;
    const to = rawTo === undefined ? undefined : numberFromQuery(rawTo);
    if (rawTo !== undefined && to === undefined) return invalidNumber(res, rawTo);
    res.json(state.listCalls(to).map(toCallView));
  });

  router.get('/sim/calls/:sid', (req, res) => {
    const call = state.getCall(String(req.params.sid));
    if (call === undefined) return sendProblem(res, 404, 'not_found', 'Not found', 'No such call');
    res.json(toCallView(call));
  });

  router.post('/sim/calls/:sid/digits', (req, res) => {
    const parsed = digitsSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      return sendProblem(res, 400, 'validation_failed', 'The request is not valid', parsed.error.issues[0]?.message);
    }
    const sid = String(req.params.sid);
    const outcome = engine.pressDigits(sid, parsed.data.digits);
    if (outcome === 'not_found') return sendProblem(res, 404, 'not_found', 'Not found', 'No such call');
    if (outcome === 'not_awaiting') {
      return sendProblem(res, 409, 'not_awaiting_digits', 'The call is not waiting for digits', 'No <Gather> is collecting DTMF on this call right now');
    }
    const call = state.getCall(sid);
    res.json(call === undefined ? null : toCallView(call));
  });

  router.post('/sim/calls/:sid/hangup', (req, res) => {
    const call = state.getCall(String(req.params.sid));
    if (call === undefined) return sendProblem(res, 404, 'not_found', 'Not found', 'No such call');
    engine.hangUpByCallee(call);
    res.json(toCallView(call));
  });

  router.delete('/sim/state', (_req, res) => {
    state.clear();
    res.status(204).end();
  });

  return router;
}
