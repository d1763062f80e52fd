// Fixtures for number-intelligence tests: the in-process telephony simulator behind a counter of
// Lookup requests, the official twilio SDK pointed at it, and Redis key isolation per test file.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import express from 'express';
import type twilio from 'twilio';
import { createSimulator, type Simulator } from '@stepup/telephony-simulator';
import { createTwilioClient } from '../../src/telephony/twilio-client.ts';

import { accountSid, authToken } from '@stepup/telephony-simulator/testing';

export { accountSid, authToken };

export async function listen(app: express.Express): Promise<{ server: Server; baseUrl: string; close(): Promise<void> }> {
  const server = await new Promise<Server>((resolve) => {
    const started = app.listen(0, '127.0.0.1', () => resolve(started));
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    baseUrl: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface CountingSimulator {
  sim: Simulator;
  baseUrl: string;
  client: twilio.Twilio;
  /** Lookup v2 requests seen, with the Fields each asked for. */
  lookups: { number: string; fields: string }[];
  /** Configures how the number looks up (packages/telephony-simulator/README.md control API). */
  configure(e164: string, config: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

export async function startCountingSimulator(): Promise<CountingSimulator> {
  const sim = createSimulator({ accountSid, authToken, ringDelayMs: 5, gatherTimeoutScale: 0.01 });
  const lookups: CountingSimulator['lookups'] = [];
  const front = express();
  front.use((req, _res, next) => {
    if (req.method === 'GET' && req.path.startsWith('/v2/PhoneNumbers/')) {
      lookups.push({ number: decodeURIComponent(req.path.slice('/v2/PhoneNumbers/'.length)), fields: String(req.query.Fields ?? '') });
    }
    next();
  });
  front.use(sim.app);
  const listening = await listen(front);
  return {
    sim,
    baseUrl: listening.baseUrl,
    client: createTwilioClient({ accountSid, authToken, apiBaseUrl: listening.baseUrl, timeoutMs: 2000 }),
    lookups,
    async configure(e164, config) {
      const response = await fetch(`${listening.baseUrl}/sim/numbers/${encodeURIComponent(e164)}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(config),
      });
      if (response.status !== 200) throw new Error(`sim configure: ${response.status} ${await response.text()}`);
    },
    async close() {
      sim.close();
      await listening.close();
    },
  };
}

/** A unique Redis key prefix so test runs never see each other's cache or counters. */
export const uniquePrefix = (label: string) => `test:${label}:${randomBytes(6).toString('hex')}`;

export const allParts = new Set(['lineType', 'forwarding'] as const);
