// Twilio's REST error body `{code, message, more_info, status}` and HTTP Basic auth with the
// account SID and auth token, answered like Twilio (20003, 401) when wrong.
import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info: string;
  status: number;
  detail?: string;
}

export class TwilioRestError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'TwilioRestError';
  }

  toBody(): TwilioErrorBody {
    return {
      code: this.code,
      message: this.message,
      more_info: `https://www.twilio.com/docs/errors/${this.code}`,
      status: this.status,
      ...(this.detail === undefined ? {} : { detail: this.detail }),
    };
  }
}

export function sendTwilioError(res: Response, error: TwilioRestError): void {
  res.status(error.status).json(error.toBody());
}

export const notFoundError = (path: string): TwilioRestError =>
  new TwilioRestError(404, 20404, `The requested resource ${path} was not found`);

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** HTTP Basic auth: user = account SID, password = auth token. */
export function basicAuth(accountSid: string, authToken: string): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.get('authorization') ?? '';
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    const decoded = match?.[1] === undefined ? '' : Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon < 0 ? '' : decoded.slice(0, colon);
    const password = colon < 0 ? '' : decoded.slice(colon + 1);
    // Evaluate both comparisons so the time taken does not tell which half was wrong.
    const userOk = sameSecret(user, accountSid);
    const passwordOk = sameSecret(password, authToken);
    if (userOk && passwordOk) {
      next();
      return;
    }
    res.set('WWW-Authenticate', 'Basic realm="Twilio API"');
    sendTwilioError(
      res,
      new TwilioRestError(401, 20003, 'Authenticate', 'Your AccountSid or AuthToken was incorrect.'),
    );
  };
}
