// @stepup/telephony-simulator/testing: fixtures for tests that drive the simulator (the package's own and
// the app's): the simulator on an ephemeral port, the official twilio SDK pointed at it, and a tiny "app
// server" that serves TwiML and records every webhook (with its signature checked by
// twilio.validateRequest, exactly as a production app would).
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type Request } from 'express';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type * as TwilioHttpResponse from 'twilio/lib/http/response.js';
import { createSimulator, type Simulator, type SimulatorOptions } from './create-simulator.ts';

export const accountSid = 'AC0123456789abcdef0123456789abcdef';
export const authToken = 'test-auth-token-0123456789';

async function listen(app: express.Express): Promise<{ server: Server; baseUrl: string }> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, baseUrl: `http://127.0.0.1:${port}` });
    });
  });
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Sends every request the SDK makes to https://<product>.twilio.com/<path> to <baseUrl>/<path>. */
class ToSimulator extends twilio.RequestClient {
  constructor(private readonly baseUrl: string) {
    super({});
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<TwilioHttpResponse.default<TData>> {
    const original = new URL(opts.uri);
    return super.request({ ...opts, uri: `${this.baseUrl}${original.pathname}${original.search}` });
  }
}

/** The official twilio SDK, pointed at a simulator. */
export function sdkClient(baseUrl: string, credentials: { accountSid: string; authToken: string } = { accountSid, authToken }): twilio.Twilio {
  return twilio(credentials.accountSid, credentials.authToken, { httpClient: new ToSimulator(baseUrl) });
}

export interface SimulatorFixture {
  sim: Simulator;
  baseUrl: string;
  client: twilio.Twilio;
  close(): Promise<void>;
}

export async function startSimulator(options: Partial<SimulatorOptions> = {}): Promise<SimulatorFixture> {
  const sim = createSimulator({ accountSid, authToken, ringDelayMs: 5, gatherTimeoutScale: 0.01, ...options });
  const { server, baseUrl } = await listen(sim.app);
  const client = sdkClient(baseUrl);
  return {
    sim,
    baseUrl,
    client,
    close: async () => {
      sim.close();
      await stop(server);
    },
  };
}

export interface RecordedWebhook {
  method: string;
  path: string;
  url: string;
  params: Record<string, string>;
  signature: string | undefined;
  signatureValid: boolean;
}

export type TwimlHandler = (params: Record<string, string>, req: Request) => string | Promise<string>;

export interface AppServerFixture {
  baseUrl: string;
  hits: RecordedWebhook[];
  /** Serves TwiML for `path` (both GET and POST). */
  route(path: string, handler: TwimlHandler | string): void;
  hitsTo(path: string): RecordedWebhook[];
  close(): Promise<void>;
}

export async function startAppServer(): Promise<AppServerFixture> {
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  const hits: RecordedWebhook[] = [];
  const routes = new Map<string, TwimlHandler>();
  let baseUrl = '';
  app.use(async (req, res) => {
    const url = `${baseUrl}${req.originalUrl}`;
    const params = (req.method === 'GET' ? {} : (req.body ?? {})) as Record<string, string>;
    const signature = req.get('x-twilio-signature');
    const signatureValid = signature !== undefined && twilio.validateRequest(authToken, signature, url, params);
    const visible = req.method === 'GET' ? (Object.fromEntries(new URL(url).searchParams) as Record<string, string>) : params;
    hits.push({ method: req.method, path: req.path, url, params: visible, signature, signatureValid });
    const handler = routes.get(req.path);
    if (handler === undefined) {
      // Status and AMD callbacks need no answer; any other unknown path is a 404.
      res.status(/^\/(status|amd)/.test(req.path) ? 204 : 404).end();
      return;
    }
    res.type('text/xml').send(await handler(visible, req));
  });
  const started = await listen(app);
  baseUrl = started.baseUrl;
  return {
    baseUrl,
    hits,
    route: (path, handler) => routes.set(path, typeof handler === 'string' ? () => handler : handler),
    hitsTo: (path) => hits.filter((hit) => hit.path === path),
    close: () => stop(started.server),
  };
}

/**
 * Polls `probe` until it gives a value. The bound is for a condition that never comes: a busy machine
 * (the whole suite on two cores) has taken over 3 s to ring, answer and fetch a call's TwiML.
 */
export async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export async function controlJson(baseUrl: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : JSON.parse(text) };
}

export const twiml = (inner: string): string => `<?xml version="1.0" encoding="UTF-8"?><Response>${inner}</Response>`;
