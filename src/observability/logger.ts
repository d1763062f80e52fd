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

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: redactedPaths, censor: '[redacted]' },
      base: { service: 'stepup' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

export type { Logger };
