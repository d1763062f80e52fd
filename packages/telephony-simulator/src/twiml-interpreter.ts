// Runs one TwiML <Response> document verb by verb, with Twilio's semantics:
// - Say / Play / Pause are played in order; Say text goes to the call's transcript.
// - Gather waits for DTMF (digits typed during its nested Say/Play/Pause count and stop them:
//   barge-in); with
//   digits it requests `action` (default: the current document URL) and the answer replaces the
//   document; with none it falls through to the next verb, unless actionOnEmptyResult="true".
// - Redirect replaces the document; Hangup and Reject end the call; after the last verb the call ends.
// The interpreter knows nothing about HTTP or call state: the engine passes an InterpreterContext.
import { childElements, collapsedText, type TwimlElement } from './twiml-parser.ts';
import type { HttpMethod } from './simulator-state.ts';

export interface GatherOptions {
  numDigits: number | null;
  /** '' disables the finish key. */
  finishOnKey: string;
  timeoutMs: number;
  acceptsDtmf: boolean;
  prompt: string | null;
}

export interface GatherResult {
  digits: string;
  /** The finish key pressed, or '' when numDigits or the timeout ended the Gather. */
  finishedOnKey: string;
}

export interface GatherHandle {
  /** Aborted as soon as the Gather has its result (digits barge in over nested verbs). */
  readonly settled: AbortSignal;
  /** Aborted at the first key: Twilio stops the nested Say/Play there and starts the timeout. */
  readonly interrupted: AbortSignal;
  /** Starts the inter-digit timeout; called once the nested verbs have played. */
  arm(): void;
  /** null when the call was hung up or redirected meanwhile. */
  readonly result: Promise<GatherResult | null>;
}

export interface InterpreterContext {
  documentUrl: string | null;
  signal: AbortSignal;
  gatherTimeoutScale: number;
  pauseScale: number;
  say(text: string, language: string, voice: string | null, interrupt?: AbortSignal): Promise<void>;
  play(url: string): void;
  wait(ms: number, interrupt?: AbortSignal): Promise<void>;
  beginGather(options: GatherOptions): GatherHandle;
  record(kind: 'hangup', text: string): void;
}

export type InterpreterOutcome =
  | { kind: 'fetch'; url: string; method: HttpMethod; params: Record<string, string> }
  | { kind: 'end' }
  | { kind: 'hangup' };

/** An error Twilio reports as an application error (the call ends). */
export class TwimlApplicationError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'TwimlApplicationError';
  }
}

function methodOf(value: string | undefined, fallback: HttpMethod = 'POST'): HttpMethod {
  const upper = value?.toUpperCase();
  return upper === 'GET' || upper === 'POST' ? upper : fallback;
}

function resolveUrl(raw: string, documentUrl: string | null): string {
  try {
    const resolved = documentUrl === null ? new URL(raw) : new URL(raw, documentUrl);
    if (resolved.protocol !== 'http:' && resolved.protocol !== 'https:') throw new Error('not http');
    return resolved.href;
  } catch {
    throw new TwimlApplicationError(11100, `Invalid URL format: ${raw}`);
  }
}

function positiveInt(value: string | undefined): number | null {
  if (value === undefined || !/^\d+$/.test(value.trim())) return null;
  const parsed = Number.parseInt(value, 10);
  return parsed > 0 ? parsed : null;
}

function seconds(value: string | undefined, fallback: number): number {
  if (value === undefined || !/^\d+(\.\d+)?$/.test(value.trim())) return fallback;
  return Number.parseFloat(value);
}

/** Twilio's loop attribute: how many times; 0 means "until hung up", which we play once. */
function loopCount(value: string | undefined): number {
  return Math.min(positiveInt(value) ?? 1, 10);
}

async function playSimpleVerb(verb: TwimlElement, ctx: InterpreterContext, interrupt?: AbortSignal): Promise<void> {
  switch (verb.name) {
    case 'Say': {
      const text = collapsedText(verb);
      const language = verb.attributes.language ?? 'en-US';
      for (let i = 0; i < loopCount(verb.attributes.loop) && !interrupt?.aborted; i++) {
        await ctx.say(text, language, verb.attributes.voice ?? null, interrupt);
      }
      return;
    }
    case 'Play': {
      const url = collapsedText(verb);
      for (let i = 0; i < loopCount(verb.attributes.loop) && !interrupt?.aborted; i++) ctx.play(url);
      return;
    }
    case 'Pause':
      await ctx.wait(seconds(verb.attributes.length, 1) * 1000 * ctx.pauseScale, interrupt);
      return;
    default:
      // Twilio rejects other nouns inside <Gather> (error 12200); we skip them.
      return;
  }
}

function promptOf(gather: TwimlElement): string | null {
  const texts = childElements(gather)
    .filter((child) => child.name === 'Say')
    .map(collapsedText)
    .filter((text) => text !== '');
  return texts.length === 0 ? null : texts.join(' ');
}

async function runGather(
  gather: TwimlElement,
  ctx: InterpreterContext,
): Promise<InterpreterOutcome | 'next'> {
  const attrs = gather.attributes;
  const input = (attrs.input ?? 'dtmf').toLowerCase().split(/\s+/);
  const finishOnKey = attrs.finishOnKey ?? '#';
  const handle = ctx.beginGather({
    numDigits: positiveInt(attrs.numDigits),
    finishOnKey: /^[0-9*#]$/.test(finishOnKey) ? finishOnKey : '',
    timeoutMs: seconds(attrs.timeout, 5) * 1000 * ctx.gatherTimeoutScale,
    acceptsDtmf: input.includes('dtmf'),
    prompt: promptOf(gather),
  });
  for (const nested of childElements(gather)) {
    if (handle.interrupted.aborted || ctx.signal.aborted) break;
    await playSimpleVerb(nested, ctx, handle.interrupted);
  }
  handle.arm();
  const result = await handle.result;
  if (result === null || ctx.signal.aborted) return { kind: 'end' };
  const emptyResult = result.digits === '';
  if (emptyResult && attrs.actionOnEmptyResult !== 'true') return 'next';
  // No action and no document URL (inline Twiml): nowhere to report to, so fall through.
  if (attrs.action === undefined && ctx.documentUrl === null) return 'next';
  const url = resolveUrl(attrs.action ?? (ctx.documentUrl as string), ctx.documentUrl);
  return {
    kind: 'fetch',
    url,
    method: methodOf(attrs.method),
    params: { Digits: result.digits, FinishedOnKey: result.finishedOnKey, msg: 'Gather End' },
  };
}

/** Executes a parsed document; returns what the call does next. */
export async function interpretDocument(root: TwimlElement, ctx: InterpreterContext): Promise<InterpreterOutcome> {
  if (root.name !== 'Response') throw new TwimlApplicationError(12100, `Document root is <${root.name}>, not <Response>`);
  for (const verb of childElements(root)) {
    if (ctx.signal.aborted) return { kind: 'end' };
    switch (verb.name) {
      case 'Say':
      case 'Play':
      case 'Pause':
        await playSimpleVerb(verb, ctx);
        break;
      case 'Gather': {
        const outcome = await runGather(verb, ctx);
        if (outcome !== 'next') return outcome;
        break;
      }
      case 'Redirect': {
        const target = collapsedText(verb);
        if (target === '') throw new TwimlApplicationError(11100, 'Redirect without a URL');
        return { kind: 'fetch', url: resolveUrl(target, ctx.documentUrl), method: methodOf(verb.attributes.method), params: {} };
      }
      case 'Hangup':
        ctx.record('hangup', '[hangup]');
        return { kind: 'hangup' };
      case 'Reject':
        // On an outbound-api call the callee has already answered: Reject ends it like Hangup.
        ctx.record('hangup', `[reject ${verb.attributes.reason ?? 'rejected'}]`);
        return { kind: 'hangup' };
      default:
        // Verbs the simulator does not implement (Dial, Record, Connect, ...) are skipped.
        break;
    }
  }
  return { kind: 'end' };
}
