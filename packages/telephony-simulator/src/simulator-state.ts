// What the simulator holds: configured numbers and the calls placed to them. Plain data plus a
// change feed ('call', 'cleared') that the control API's event stream and the call engine listen to.
import { EventEmitter } from 'node:events';

/** Twilio Lookup v2 `line_type_intelligence.type` values. */
export const lineTypes = [
  'landline',
  'mobile',
  'fixedVoip',
  'nonFixedVoip',
  'personal',
  'tollFree',
  'premium',
  'sharedCost',
  'uan',
  'voicemail',
  'pager',
  'unknown',
] as const;
export type LineType = (typeof lineTypes)[number];

/**
 * How the simulated callee reacts to a call. `unknown`: a person answers, but answering-machine
 * detection cannot tell (Twilio's `AnsweredBy=unknown`).
 */
export const answerModes = ['human', 'machine', 'unknown', 'no-answer', 'busy', 'failed'] as const;
export type AnswerMode = (typeof answerModes)[number];

export interface SimNumber {
  number: string;
  /** Absent: derived from the numbering plan (libphonenumber-js/max) at lookup time. */
  lineType?: LineType;
  /** null: unknown (Lookup answers with an error code, as Twilio does outside supported countries). */
  callForwarding: boolean | null;
  answer: AnswerMode;
  carrierName?: string;
  mobileCountryCode?: string;
  mobileNetworkCode?: string;
}

/** The Call resource's status values (Twilio never stores `initiated`; it only reports it). */
export type CallStatus = 'queued' | 'ringing' | 'in-progress' | 'completed' | 'busy' | 'failed' | 'no-answer' | 'canceled';
export type HttpMethod = 'GET' | 'POST';
export type StatusCallbackEvent = 'initiated' | 'ringing' | 'answered' | 'completed';

export interface TranscriptLine {
  kind: 'say' | 'play' | 'pause' | 'digits' | 'error' | 'hangup';
  text: string;
  language?: string;
  voice?: string;
  at: string;
}

export interface SimCall {
  sid: string;
  accountSid: string;
  to: string;
  from: string;
  status: CallStatus;
  direction: 'outbound-api';
  answeredBy: string | null;
  dateCreated: Date;
  dateUpdated: Date;
  startTime: Date | null;
  answerTime: Date | null;
  endTime: Date | null;
  url: string | null;
  method: HttpMethod;
  twiml: string | null;
  statusCallback: string | null;
  statusCallbackMethod: HttpMethod;
  statusCallbackEvents: StatusCallbackEvent[];
  machineDetection: 'Enable' | 'DetectMessageEnd' | null;
  asyncAmd: boolean;
  asyncAmdStatusCallback: string | null;
  asyncAmdStatusCallbackMethod: HttpMethod;
  timeoutSeconds: number;
  /** Contract (§11): the text of each <Say>, plus "[play <url>]" for each <Play>. */
  transcript: string[];
  /** Richer log for the softphone: language for speech synthesis, digits pressed, errors. */
  lines: TranscriptLine[];
  awaitingDigits: boolean;
  /** Text of the <Say>s inside the current <Gather>, while it waits. */
  prompt: string | null;
  numDigits: number | null;
  finishOnKey: string | null;
  /** Digits typed into the current <Gather> so far. */
  pendingDigits: string;
  /** ISO time the current <Gather> times out (what was typed is then sent); null while its prompt plays. */
  submitAt: string | null;
  errors: { code: number; message: string }[];
}

export interface SimCallView {
  sid: string;
  /** The URL the call fetched its first TwiML from (names the app's attempt, for test harnesses). */
  url: string | null;
  to: string;
  from: string;
  status: CallStatus;
  answeredBy: string | null;
  transcript: string[];
  awaitingDigits: boolean;
  prompt: string | null;
  numDigits: number | null;
  finishOnKey: string | null;
  pendingDigits: string;
  submitAt: string | null;
  /** submitAt as milliseconds from when this view was made, so a page's countdown ignores clock skew. */
  submitInMs: number | null;
  lines: TranscriptLine[];
  errors: { code: number; message: string }[];
  createdAt: string;
  endedAt: string | null;
}

export function toCallView(call: SimCall): SimCallView {
  return {
    sid: call.sid,
    url: call.url,
    to: call.to,
    from: call.from,
    status: call.status,
    answeredBy: call.answeredBy,
    transcript: [...call.transcript],
    awaitingDigits: call.awaitingDigits,
    prompt: call.prompt,
    numDigits: call.numDigits,
    finishOnKey: call.finishOnKey,
    pendingDigits: call.pendingDigits,
    submitAt: call.submitAt,
    submitInMs: call.submitAt === null ? null : Math.max(0, Date.parse(call.submitAt) - Date.now()),
    lines: [...call.lines],
    errors: [...call.errors],
    createdAt: call.dateCreated.toISOString(),
    endedAt: call.endTime?.toISOString() ?? null,
  };
}

export const terminalStatuses: ReadonlySet<CallStatus> = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);

export class SimulatorState {
  readonly numbers = new Map<string, SimNumber>();
  readonly calls = new Map<string, SimCall>();
  readonly changes = new EventEmitter();

  constructor() {
    // Every open softphone page holds one listener.
    this.changes.setMaxListeners(0);
  }

  setNumber(config: SimNumber): SimNumber {
    this.numbers.set(config.number, config);
    return config;
  }

  getNumber(number: string): SimNumber | undefined {
    return this.numbers.get(number);
  }

  addCall(call: SimCall): void {
    this.calls.set(call.sid, call);
    this.notify(call);
  }

  getCall(sid: string): SimCall | undefined {
    return this.calls.get(sid);
  }

  /** Calls in creation order, optionally only those to one number. */
  listCalls(to?: string): SimCall[] {
    const all = [...this.calls.values()].sort((a, b) => a.dateCreated.getTime() - b.dateCreated.getTime());
    return to === undefined ? all : all.filter((call) => call.to === to);
  }

  /** Records that a call changed (bumps date_updated, tells listeners). */
  notify(call: SimCall): void {
    call.dateUpdated = new Date();
    this.changes.emit('call', call);
  }

  /** Forgets every number and call; the engine stops the calls still running. */
  clear(): void {
    this.changes.emit('cleared');
    this.numbers.clear();
    this.calls.clear();
  }
}
