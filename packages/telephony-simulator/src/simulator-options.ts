// Options of createSimulator, with the defaults applied where they are destructured.
import type { Logger } from 'pino';

export interface SimulatorOptions {
  /** The account the REST API accepts (Basic auth user) and that callbacks name. */
  accountSid: string;
  /** The REST API password and the key of every X-Twilio-Signature. */
  authToken: string;
  logger?: Logger;
  /** How long a call rings before it is answered or gives up (no-answer). Default 20 ms. */
  ringDelayMs?: number;
  /** Multiplies <Gather timeout> seconds; 1 is real time, 0.01 makes a 5 s timeout 50 ms. Default 1. */
  gatherTimeoutScale?: number;
  /** Multiplies <Pause length> seconds. Defaults to gatherTimeoutScale. */
  pauseScale?: number;
  /** Simulated speaking time of <Say>, per character (digits typed meanwhile barge in). Default 0. */
  sayMsPerChar?: number;
  /** Twilio gives up on a webhook after 15 s. */
  webhookTimeoutMs?: number;
  /** Upper bound of TwiML documents one call may fetch (guards against redirect loops). Default 500. */
  maxDocumentsPerCall?: number;
}

export interface SimulatorTiming {
  ringDelayMs: number;
  gatherTimeoutScale: number;
  pauseScale: number;
  sayMsPerChar: number;
  webhookTimeoutMs: number;
  maxDocumentsPerCall: number;
}

export function resolveTiming(options: SimulatorOptions): SimulatorTiming {
  const {
    ringDelayMs = 20,
    gatherTimeoutScale = 1,
    pauseScale = gatherTimeoutScale,
    sayMsPerChar = 0,
    webhookTimeoutMs = 15_000,
    maxDocumentsPerCall = 500,
  } = options;
  return { ringDelayMs, gatherTimeoutScale, pauseScale, sayMsPerChar, webhookTimeoutMs, maxDocumentsPerCall };
}
