// The one way stepup builds a Twilio REST client. With `apiBaseUrl` (TWILIO_API_BASE_URL) every
// request the official SDK makes to *.twilio.com (api., lookups., …) goes to that base URL instead,
// path and query unchanged: that is how the server talks to the bundled simulator (README.md, configuration, packages/telephony-simulator/README.md)
// while the production code path stays identical.
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type * as TwilioHttpResponse from 'twilio/lib/http/response.js';

export interface TwilioClientOptions {
  accountSid: string;
  authToken: string;
  /** e.g. http://127.0.0.1:8089; unset = the real Twilio. */
  apiBaseUrl?: string;
  /** Per-request timeout in ms (SDK default 30 s). */
  timeoutMs?: number;
}

/** Rewrites https://<product>.twilio.com/<path> to <apiBaseUrl>/<path>. */
export function rewriteTwilioUri(uri: string, apiBaseUrl: string): string {
  const original = new URL(uri);
  if (original.hostname !== 'twilio.com' && !original.hostname.endsWith('.twilio.com')) return uri;
  const base = new URL(apiBaseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  return `${base.origin}${prefix}${original.pathname}${original.search}`;
}

class RedirectingRequestClient extends twilio.RequestClient {
  constructor(
    private readonly apiBaseUrl: string,
    options: RequestClient.RequestClientOptions,
  ) {
    super(options);
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<TwilioHttpResponse.default<TData>> {
    return super.request({ ...opts, uri: rewriteTwilioUri(opts.uri, this.apiBaseUrl) });
  }
}

export function createTwilioClient({ accountSid, authToken, apiBaseUrl, timeoutMs }: TwilioClientOptions): twilio.Twilio {
  const clientOptions: RequestClient.RequestClientOptions = timeoutMs === undefined ? {} : { timeout: timeoutMs };
  if (apiBaseUrl === undefined || apiBaseUrl === '') {
    return twilio(accountSid, authToken, { httpClient: new twilio.RequestClient(clientOptions) });
  }
  new URL(apiBaseUrl); // fail fast on a malformed base URL
  return twilio(accountSid, authToken, { httpClient: new RedirectingRequestClient(apiBaseUrl, clientOptions) });
}
