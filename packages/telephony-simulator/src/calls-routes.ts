// Twilio REST: POST /2010-04-01/Accounts/{sid}/Calls.json (create), GET on it (list, newest first,
// filtered by To, From and Status), GET (fetch) and POST (update: Status=completed|canceled hangs
// up, Url/Twiml redirects) on /Calls/{callSid}.json.
// Form-encoded parameters, Twilio's JSON shapes and error codes.
import express, { type Request, type Response, type Router } from 'express';
import type { CallEngine } from './call-engine.ts';
import { callUri, newCallSid, toCallResource } from './call-resource.ts';
import { isE164, normalizeNumber } from './numbering-plan.ts';
import type { HttpMethod, SimCall, SimulatorState, StatusCallbackEvent } from './simulator-state.ts';
import { terminalStatuses } from './simulator-state.ts';
import type { TwimlInstruction } from './twiml-runner.ts';
import { notFoundError, sendTwilioError, TwilioRestError } from './twilio-rest-errors.ts';

type FormBody = Record<string, string | string[] | undefined>;

const statusCallbackEvents: readonly StatusCallbackEvent[] = ['initiated', 'ringing', 'answered', 'completed'];

function single(body: FormBody, name: string): string | undefined {
  const value = body[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

function all(body: FormBody, name: string): string[] {
  const value = body[name];
  const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
  // TwiML-style "initiated ringing" and comma lists are accepted too.
  return values.flatMap((entry) => entry.split(/[\s,]+/)).filter((entry) => entry !== '');
}

const invalidParameter = (message: string): TwilioRestError => new TwilioRestError(400, 20001, message);

function method(body: FormBody, name: string): HttpMethod {
  const value = single(body, name)?.toUpperCase() ?? 'POST';
  if (value !== 'GET' && value !== 'POST') throw invalidParameter(`${name} must be GET or POST`);
  return value;
}

function httpUrl(value: string | undefined, code: number, name: string): string | null {
  if (value === undefined) return null;
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.href;
  } catch {
    // reported below
  }
  throw new TwilioRestError(400, code, `${name} is not a valid URL: ${value}`);
}

/** Url or Twiml, as given to create or update; undefined when neither is present. */
function instructionFrom(body: FormBody): TwimlInstruction | undefined {
  const twiml = single(body, 'Twiml');
  const url = httpUrl(single(body, 'Url'), 21205, 'Url');
  if (url !== null) return { kind: 'fetch', url, method: method(body, 'Method'), params: {} };
  if (twiml !== undefined) return { kind: 'inline', twiml };
  return undefined;
}

function parseCreate(body: FormBody, accountSid: string, state: SimulatorState): { call: SimCall; instruction: TwimlInstruction } {
  const rawTo = single(body, 'To');
  if (rawTo === undefined) throw new TwilioRestError(400, 21201, "No 'To' number is specified");
  const to = normalizeNumber(rawTo);
  if (to === undefined || (!isE164(to) && state.getNumber(to) === undefined)) {
    throw new TwilioRestError(400, 21211, `Invalid 'To' Phone Number: ${rawTo}`);
  }
  const rawFrom = single(body, 'From');
  if (rawFrom === undefined) throw new TwilioRestError(400, 21213, "No 'From' number is specified");
  const from = normalizeNumber(rawFrom);
  if (from === undefined) throw new TwilioRestError(400, 21212, `Invalid 'From' Phone Number: ${rawFrom}`);
  const instruction = instructionFrom(body);
  if (instruction === undefined) throw new TwilioRestError(400, 21205, 'Url parameter is required');
  const events = all(body, 'StatusCallbackEvent');
  const unknownEvent = events.find((event) => !statusCallbackEvents.includes(event as StatusCallbackEvent));
  if (unknownEvent !== undefined) throw new TwilioRestError(400, 21626, `Invalid 'StatusCallbackEvent': ${unknownEvent}`);
  const machineDetection = single(body, 'MachineDetection') ?? null;
  if (machineDetection !== null && machineDetection !== 'Enable' && machineDetection !== 'DetectMessageEnd') {
    throw invalidParameter('MachineDetection must be Enable or DetectMessageEnd');
  }
  const timeout = Number.parseInt(single(body, 'Timeout') ?? '60', 10);
  const now = new Date();
  const call: SimCall = {
    sid: newCallSid(),
    accountSid,
    to,
    from,
    status: 'queued',
    direction: 'outbound-api',
    answeredBy: null,
    dateCreated: now,
    dateUpdated: now,
    startTime: null,
    answerTime: null,
    endTime: null,
    url: instruction.kind === 'fetch' ? instruction.url : null,
    method: instruction.kind === 'fetch' ? instruction.method : 'POST',
    twiml: instruction.kind === 'inline' ? instruction.twiml : null,
    statusCallback: httpUrl(single(body, 'StatusCallback'), 21609, 'StatusCallback'),
    statusCallbackMethod: method(body, 'StatusCallbackMethod'),
    statusCallbackEvents: [...new Set(events)] as StatusCallbackEvent[],
    machineDetection,
    asyncAmd: single(body, 'AsyncAmd') === 'true',
    asyncAmdStatusCallback: httpUrl(single(body, 'AsyncAmdStatusCallback'), 21609, 'AsyncAmdStatusCallback'),
    asyncAmdStatusCallbackMethod: method(body, 'AsyncAmdStatusCallbackMethod'),
    timeoutSeconds: Number.isFinite(timeout) ? Math.min(Math.max(timeout, 1), 600) : 60,
    transcript: [],
    lines: [],
    awaitingDigits: false,
    prompt: null,
    numDigits: null,
    finishOnKey: null,
    pendingDigits: '',
    submitAt: null,
    errors: [],
  };
  return { call, instruction };
}

function applyUpdate(call: SimCall, body: FormBody, engine: CallEngine): void {
  const statusCallback = httpUrl(single(body, 'StatusCallback'), 21609, 'StatusCallback');
  if (statusCallback !== null) call.statusCallback = statusCallback;
  if (single(body, 'StatusCallbackMethod') !== undefined) call.statusCallbackMethod = method(body, 'StatusCallbackMethod');
  const status = single(body, 'Status');
  if (status !== undefined && status !== 'completed' && status !== 'canceled') {
    throw invalidParameter('Status must be completed or canceled');
  }
  const instruction = instructionFrom(body);
  if (instruction !== undefined) {
    if (terminalStatuses.has(call.status)) throw new TwilioRestError(400, 21220, 'Call is not in-progress. Cannot redirect.');
    if (status === undefined) engine.redirect(call, instruction);
  }
  if (status !== undefined) engine.hangUpFromApi(call, status);
}

export interface CallsRoutesDeps {
  accountSid: string;
  state: SimulatorState;
  engine: CallEngine;
}

export function callsRoutes({ accountSid, state, engine }: CallsRoutesDeps): Router {
  const router = express.Router();
  const prefix = '/2010-04-01/Accounts/:accountSid';

  const handle =
    (handler: (req: Request, res: Response) => void) =>
    (req: Request, res: Response): void => {
      try {
        if (req.params.accountSid !== accountSid) throw notFoundError(req.path);
        handler(req, res);
      } catch (error) {
        if (error instanceof TwilioRestError) sendTwilioError(res, error);
        else throw error;
      }
    };

  const findCall = (req: Request): SimCall => {
    const call = state.getCall(String(req.params.callSid));
    if (call === undefined || call.accountSid !== accountSid) throw notFoundError(req.path);
    return call;
  };

  router.post(
    `${prefix}/Calls.json`,
    handle((req, res) => {
      const { call, instruction } = parseCreate((req.body ?? {}) as FormBody, accountSid, state);
      state.addCall(call);
      engine.start(call, instruction);
      res.status(201).location(callUri(accountSid, call.sid)).json(toCallResource(call));
    }),
  );

  router.get(
    `${prefix}/Calls.json`,
    handle((req, res) => {
      const query = req.query as Record<string, string | undefined>;
      const to = query.To === undefined ? undefined : normalizeNumber(query.To);
      const from = query.From === undefined ? undefined : normalizeNumber(query.From);
      const pageSize = Math.min(1000, Math.max(1, Number(query.PageSize ?? 50) || 50));
      const calls = state
        .listCalls(to)
        .filter((call) => call.accountSid === accountSid && (from === undefined || call.from === from) && (query.Status === undefined || call.status === query.Status))
        .reverse()
        .slice(0, pageSize);
      const uri = `/2010-04-01/Accounts/${accountSid}/Calls.json?PageSize=${pageSize}&Page=0`;
      res.json({ calls: calls.map(toCallResource), end: Math.max(0, calls.length - 1), first_page_uri: uri, next_page_uri: null, page: 0, page_size: pageSize, previous_page_uri: null, start: 0, uri });
    }),
  );

  router.get(
    `${prefix}/Calls/:callSid.json`,
    handle((req, res) => {
      res.json(toCallResource(findCall(req)));
    }),
  );

  router.post(
    `${prefix}/Calls/:callSid.json`,
    handle((req, res) => {
      const call = findCall(req);
      applyUpdate(call, (req.body ?? {}) as FormBody, engine);
      res.json(toCallResource(call));
    }),
  );

  return router;
}
