// Drives one answered call through its TwiML: fetch (signed, form-encoded, as Twilio), parse,
// interpret, follow Gather actions and Redirects, until the document runs out or the call ends.
import type { Logger } from 'pino';
import { voiceRequestParams } from './call-webhooks.ts';
import { sendSignedWebhook } from './signed-webhook.ts';
import type { SimulatorTiming } from './simulator-options.ts';
import type { HttpMethod, SimCall, TranscriptLine } from './simulator-state.ts';
import {
  interpretDocument,
  TwimlApplicationError,
  type GatherHandle,
  type GatherOptions,
  type InterpreterContext,
} from './twiml-interpreter.ts';
import { parseTwiml, TwimlParseError } from './twiml-parser.ts';

export type TwimlInstruction =
  | { kind: 'fetch'; url: string; method: HttpMethod; params: Record<string, string> }
  | { kind: 'inline'; twiml: string };

export interface TwimlRunnerDeps {
  call: SimCall;
  authToken: string;
  timing: SimulatorTiming;
  logger: Logger;
  /** Aborted when the call ends or this run is replaced by a redirect (Calls update). */
  signal: AbortSignal;
  beginGather(options: GatherOptions): GatherHandle;
  appendLine(line: Omit<TranscriptLine, 'at'>): void;
}

export type TwimlRunEnd = 'finished' | 'aborted' | { errorCode: number; message: string };

/** Resolves after `ms`, or early when any of the signals aborts. */
export function pause(ms: number, ...signals: (AbortSignal | undefined)[]): Promise<void> {
  const active = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  if (ms <= 0 || active.some((signal) => signal.aborted)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      for (const signal of active) signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    for (const signal of active) signal.addEventListener('abort', done, { once: true });
  });
}

async function fetchDocument(
  deps: TwimlRunnerDeps,
  instruction: Extract<TwimlInstruction, { kind: 'fetch' }>,
): Promise<string> {
  const params = { ...voiceRequestParams(deps.call, 'in-progress'), ...instruction.params };
  let response;
  try {
    response = await sendSignedWebhook({
      url: instruction.url,
      method: instruction.method,
      params,
      authToken: deps.authToken,
      timeoutMs: deps.timing.webhookTimeoutMs,
      signal: deps.signal,
    });
  } catch (error) {
    throw new TwimlApplicationError(11200, `HTTP retrieval failure: ${(error as Error).message}`);
  }
  if (response.status < 200 || response.status >= 300) {
    throw new TwimlApplicationError(11200, `HTTP retrieval failure: ${instruction.url} answered ${response.status}`);
  }
  return response.body;
}

function interpreterContext(deps: TwimlRunnerDeps, documentUrl: string | null): InterpreterContext {
  const { timing, signal } = deps;
  return {
    documentUrl,
    signal,
    gatherTimeoutScale: timing.gatherTimeoutScale,
    pauseScale: timing.pauseScale,
    say: async (text, language, voice, interrupt) => {
      deps.call.transcript.push(text);
      deps.appendLine({ kind: 'say', text, language, ...(voice === null ? {} : { voice }) });
      await pause(text.length * timing.sayMsPerChar, signal, interrupt);
    },
    play: (url) => {
      const text = `[play ${url}]`;
      deps.call.transcript.push(text);
      deps.appendLine({ kind: 'play', text });
    },
    wait: (ms, interrupt) => pause(ms, signal, interrupt),
    beginGather: (options) => deps.beginGather(options),
    record: (kind, text) => deps.appendLine({ kind, text }),
  };
}

/** Runs the call's TwiML from `first` on; never throws. */
export async function runTwiml(deps: TwimlRunnerDeps, first: TwimlInstruction): Promise<TwimlRunEnd> {
  let next: TwimlInstruction = first;
  try {
    for (let documents = 1; ; documents++) {
      if (deps.signal.aborted) return 'aborted';
      if (documents > deps.timing.maxDocumentsPerCall) {
        return { errorCode: 11200, message: `more than ${deps.timing.maxDocumentsPerCall} TwiML documents in one call` };
      }
      const documentUrl = next.kind === 'fetch' ? next.url : null;
      const xml = next.kind === 'fetch' ? await fetchDocument(deps, next) : next.twiml;
      if (deps.signal.aborted) return 'aborted';
      let root;
      try {
        root = parseTwiml(xml);
      } catch (error) {
        if (error instanceof TwimlParseError) throw new TwimlApplicationError(12100, `Document parse failure: ${error.message}`);
        throw error;
      }
      const outcome = await interpretDocument(root, interpreterContext(deps, documentUrl));
      if (deps.signal.aborted) return 'aborted';
      if (outcome.kind !== 'fetch') return 'finished';
      next = outcome;
    }
  } catch (error) {
    if (deps.signal.aborted) return 'aborted';
    if (error instanceof TwimlApplicationError) return { errorCode: error.code, message: error.message };
    deps.logger.error({ err: error, callSid: deps.call.sid }, 'TwiML run failed');
    return { errorCode: 11200, message: (error as Error).message };
  }
}
