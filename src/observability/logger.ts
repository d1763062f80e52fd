import { pino, type Logger, type DestinationStream } from 'pino';

/**
 * Paths that may carry a secret, a full phone or account number, or knowledge digits. Request and
 * response bodies are never logged at all; these paths catch anything passed to the logger by hand.
 */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.signature',
  'req.headers["x-twilio-signature"]',
  'req.headers.cookie',
  '*.secret',
  '*.secretHex',
  '*.token',
  '*.password',
  '*.number',
  '*.phone',
  '*.account',
  '*.digits',
  '*.Digits',
  '*.code',
  '*.To',
  '*.From',
  '*.to',
  '*.from',
];

/** A run of 7+ digits (spaces, dots, dashes, parentheses allowed between them): a phone or account number. */
const longDigitRun = /\+?\d(?:[\s().-]?\d){6,}/g;
const scrub = (text: unknown) => (typeof text === 'string' ? text.replace(longDigitRun, '[digits]') : text);

/**
 * The `err` serializer. Errors of HTTP clients (axios inside the twilio SDK) carry their request:
 * the form body with the called number and the Authorization header with the Twilio auth token.
 * Only what names the failure is kept, and provider messages ("The 'To' number +82… is not valid")
 * lose their digit runs.
 */
export function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return scrub(typeof error === 'object' ? JSON.stringify(error) : String(error));
  const fields = error as Error & { code?: unknown; status?: unknown; moreInfo?: unknown; cause?: unknown };
  return {
    type: error.name,
    message: scrub(error.message),
    stack: scrub(error.stack),
    ...(typeof fields.code === 'string' || typeof fields.code === 'number' ? { code: fields.code } : {}),
    ...(typeof fields.status === 'number' ? { status: fields.status } : {}),
    ...(typeof fields.moreInfo === 'string' ? { moreInfo: fields.moreInfo } : {}),
    ...(fields.cause !== undefined ? { cause: serializeError(fields.cause) } : {}),
  };
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      serializers: { err: serializeError },
      redact: { paths: redactedPaths, censor: '[redacted]' },
      base: { service: 'stepup' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

export type { Logger };
