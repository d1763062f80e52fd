// End-to-end fixture for the ARS channel: the telephony simulator in-process on a free port, a real
// stepup (HTTP + workers, real Redis, PGlite or PostgreSQL) whose twilio SDK points at it, a tenant
// with a fast ARS policy, and helpers that act as the customer on the simulated phone.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createSimulator, type Simulator, type SimulatorOptions } from '@stepup/telephony-simulator';
import { startTestServer, eventually, transferBody, type TestServer, type TestServerOptions } from '../support/test-server.ts';
import { Queue } from 'bullmq';
import { placeCallJobId, placeCallQueueName } from '../../src/channels/ars/place-call-queue.ts';
import type { DbKind } from '../support/databases.ts';
import { loopbackFetch } from '../support/loopback-fetch.ts';
import type { StepupClient } from '../../src/client/stepup-client.ts';
import twilio from 'twilio';

export const accountSid = 'AC0123456789abcdef0123456789abcdef';
export const authToken = 'ars-test-auth-token-0123456789';
export const from = '+8215880000';
export const seoulLandline = '+8223123456';
export const secret = '20478153';

export interface SimFixture {
  sim: Simulator;
  url: string;
  close(): Promise<void>;
}

/**
 * The customer gets the flows' real time to press (gatherTimeoutScale 1: 5 s): with 250 ms, a test
 * that saw the call ask and then pressed lost the race to the gather's timeout whenever the machine
 * was busy (409 not_awaiting_digits). Tests of silence shrink it themselves.
 */
export async function startSim(options: Partial<SimulatorOptions> = {}): Promise<SimFixture> {
  const sim = createSimulator({ accountSid, authToken, ringDelayMs: 10, gatherTimeoutScale: 1, pauseScale: 0, ...options });
  const server: Server = await new Promise((resolve) => {
    const listening = sim.app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    sim,
    url,
    async close() {
      sim.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const twilioEnv = (sim: SimFixture): Record<string, string> => ({
  TWILIO_ACCOUNT_SID: accountSid,
  TWILIO_AUTH_TOKEN: authToken,
  TWILIO_FROM: from,
  TWILIO_API_BASE_URL: sim.url,
  ARS_RETRY_DELAY_SCALE: '0.01',
});

export interface ArsWorld {
  sim: SimFixture;
  server: TestServer;
  tenantId: string;
  client: StepupClient;
  credentials: { keyId: string; secret: string };
  close(): Promise<void>;
}

/** ARS settings for tests: no rate limit to speak of, short retries (scaled by ARS_RETRY_DELAY_SCALE). */
export const fastArs = { callsPerSecond: 100, retryDelaysSeconds: [30, 30], callAttempts: 3, maxCallsPerCustomerPerHour: 100, maxCallsPerNumberPerDay: 500 };

export async function startArsWorld(options: { db?: DbKind; ars?: Record<string, unknown>; policy?: Record<string, unknown>; server?: TestServerOptions; sim?: Partial<SimulatorOptions> } = {}): Promise<ArsWorld> {
  const sim = await startSim(options.sim);
  const server = await startTestServer({ db: options.db, ...options.server, env: { ...twilioEnv(sim), ...options.server?.env } });
  const { tenantId, client, keyId, secret: keySecret } = await server.createTenant({ bankName: 'Test Bank' });
  await setArsPolicy(server, tenantId, { ...fastArs, ...options.ars }, options.policy);
  return {
    sim,
    server,
    tenantId,
    client,
    credentials: { keyId, secret: keySecret },
    async close() {
      await server.close();
      await sim.close();
    },
  };
}

export async function setArsPolicy(server: TestServer, tenantId: string, ars: Record<string, unknown>, top: Record<string, unknown> = {}): Promise<void> {
  const current = await server.admin('GET', `/admin/v1/tenants/${tenantId}/policy`);
  const document = { ...current.body.document, ...top, channels: { ...current.body.document.channels, ars: { ...current.body.document.channels.ars, ...ars } } };
  const written = await server.admin('PUT', `/admin/v1/tenants/${tenantId}/policy`, document, { 'if-match': `"v${current.body.version}"` });
  if (written.status !== 200) throw new Error(`policy: ${written.status} ${JSON.stringify(written.body)}`);
}

export async function enroll(client: StepupClient, customerId: string, number = seoulLandline, knowledge = secret): Promise<void> {
  const phone = await client.request('PUT', `/v1/customers/${customerId}/phone`, { number });
  if (phone.status !== 200) throw new Error(`phone: ${phone.status} ${JSON.stringify(phone.body)}`);
  const stored = await client.request('PUT', `/v1/customers/${customerId}/knowledge-secret`, { secret: knowledge });
  if (stored.status !== 204) throw new Error(`secret: ${stored.status} ${JSON.stringify(stored.body)}`);
}

export async function simJson(sim: SimFixture, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await loopbackFetch(sim.url + path, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

export async function callsTo(sim: SimFixture, number: string): Promise<any[]> {
  return (await simJson(sim, 'GET', `/sim/calls?to=${encodeURIComponent(number)}`)).body;
}

/**
 * Waits for call `index` to `number` to ask for digits. It fails when nothing moves for `stallMs`: no
 * call yet, or a call whose status and spoken lines stay unchanged (a machine slowed by contention
 * still passes; a call that never comes or never asks still fails).
 */
export function waitForAsk(sim: SimFixture, number: string, index = 0, stallMs = 10_000): Promise<any> {
  return whileProgressing(async () => {
    const call = (await callsTo(sim, number))[index];
    return { done: call?.awaitingDigits ? call : undefined, progress: call ? JSON.stringify([call.status, call.transcript.length]) : '' };
  }, stallMs, (progress) => `timed out waiting for call ${index} to ask for digits (nothing moved for ${stallMs} ms: ${progress || 'no call'})`);
}

/**
 * Polls `step` until it is done; fails only when its progress (a string it reports) stays the same for
 * `stallMs`, with the message `stalled` makes of the last progress.
 */
async function whileProgressing<T>(step: () => Promise<{ done: T | undefined; progress: string }>, stallMs: number, stalled: (progress: string) => string): Promise<T> {
  let seen = '';
  let deadline = Date.now() + stallMs;
  for (;;) {
    const { done, progress } = await step();
    if (done !== undefined) return done;
    if (progress !== seen) [seen, deadline] = [progress, Date.now() + stallMs];
    if (Date.now() > deadline) throw new Error(stalled(progress));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const englishOrdinals = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth', 'eleventh', 'twelfth'];
const koreanOrdinals = ['첫 번째', '두 번째', '세 번째', '네 번째', '다섯 번째', '여섯 번째', '일곱 번째', '여덟 번째', '아홉 번째', '열 번째', '열한 번째', '열두 번째'];

/** The positions the prompt names, as a listener understands them (en-US or ko-KR prompts). */
export function positionsHeard(prompt: string): number[] {
  const english = [...prompt.matchAll(/\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth)\b/g)].map((m) => englishOrdinals.indexOf(m[1]!) + 1);
  if (english.length > 0) return english;
  const korean: number[] = [];
  for (const match of prompt.matchAll(/(첫|두|세|네|다섯|여섯|일곱|여덟|아홉|열한|열두|열) 번째/g)) korean.push(koreanOrdinals.indexOf(match[0]) + 1);
  return korean;
}

export const answerFor = (prompt: string, knowledge = secret) => positionsHeard(prompt).map((position) => knowledge[position - 1]).join('');
export const wrongAnswerFor = (prompt: string, knowledge = secret) => [...answerFor(prompt, knowledge)].map((digit) => String((Number(digit) + 1) % 10)).join('');

export async function press(sim: SimFixture, callSid: string, digits: string): Promise<void> {
  const pressed = await simJson(sim, 'POST', `/sim/calls/${callSid}/digits`, { digits });
  if (pressed.status !== 200) throw new Error(`digits: ${pressed.status} ${JSON.stringify(pressed.body)}`);
}

export async function waitForStatus(client: StepupClient, id: string, timeoutMs = 10_000): Promise<any> {
  return eventually(async () => {
    const challenge = await client.getChallenge<any>(id);
    return challenge.body.status !== 'pending' ? challenge.body : undefined;
  }, timeoutMs, `challenge ${id} to end`);
}

/**
 * Waits for a challenge whose calls take real time (several attempts, each with its gathers) to end. It
 * fails only when the calls to `number` make no progress (no new call, status or spoken line) for
 * `stallMs`: a machine slowed by contention still passes, a stuck call flow still fails.
 */
export function waitForStatusWhileCalling(client: StepupClient, sim: SimFixture, number: string, id: string, stallMs = 10_000): Promise<any> {
  return whileProgressing(async () => {
    const challenge = await client.getChallenge<any>(id);
    if (challenge.body.status !== 'pending') return { done: challenge.body, progress: '' };
    return { done: undefined, progress: JSON.stringify((await callsTo(sim, number)).map((call: any) => [call.sid, call.status, call.transcript.length])) };
  }, stallMs, (progress) => `challenge ${id} still pending, its calls unchanged for ${stallMs} ms: ${progress}`);
}

export async function arsChallenge(client: StepupClient, customerId: string, overrides: Record<string, unknown> = {}): Promise<any> {
  const created = await client.createChallenge<any>(transferBody({ customerId, channels: ['ars'], locale: 'en-US', ...overrides }));
  if (created.status !== 201 || created.body.channel !== 'ars') throw new Error(`challenge: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body;
}

/**
 * Resolves once stepup has answered every status callback the simulator sent for the call so far. The
 * ARS status webhook answers only after it has acted (ended the attempt, queued the next one or not),
 * so a test that asserts "no retry follows" waits on this, not on a pause.
 */
export function statusCallbacksAnswered(sim: SimFixture, callSid: string): Promise<void> {
  return sim.sim.engine.callbacks.drained(callSid);
}

/**
 * The state of the place-call job for attempt `attemptNumber` of a challenge (`waiting`, `delayed`,
 * `active`, `completed`, `failed`…), or `absent`: never queued, or run and removed (a run that dialed
 * left its call in the simulator's log). A retry is queued as a delayed job at once, so `absent` right
 * after the attempt before it ended means no retry was queued.
 */
export async function placeCallJobState(server: TestServer, challengeId: string, attemptNumber: number): Promise<string> {
  const queue = new Queue(placeCallQueueName, { connection: server.running.context.queueRedis, prefix: server.config.queuePrefix });
  try {
    const job = await queue.getJob(placeCallJobId(challengeId, attemptNumber));
    return job ? await job.getState() : 'absent';
  } finally {
    await queue.close();
  }
}

/**
 * Once none of `challengeIds` can ring a call while the customer's live call lasts: each still
 * pending, but for the live call's own, has its next call queued as a delayed job (it ran, found the
 * line busy or its retry not due, and looks again later) and none waiting or running. False while a
 * job is about to run.
 */
export async function othersWaitForTheLine(server: TestServer, challengeIds: string[], liveCallSid: string, attempts = 3): Promise<boolean> {
  const { db } = server.running.context;
  const live = (await db.query<{ challenge_id: string }>('SELECT challenge_id FROM ars_call_attempts WHERE call_sid = $1', [liveCallSid])).rows[0]?.challenge_id;
  const pending = (await db.query<{ id: string }>(`SELECT id FROM challenges WHERE id = ANY($1::text[]) AND status = 'pending'`, [challengeIds])).rows.map((row) => row.id);
  for (const id of pending.filter((id) => id !== live)) {
    const states = await Promise.all(Array.from({ length: attempts }, (_, index) => placeCallJobState(server, id, index + 1)));
    const queued = states.filter((state) => state !== 'absent' && state !== 'completed' && state !== 'failed');
    if (queued.length === 0 || queued.some((state) => state !== 'delayed')) return false;
  }
  return true;
}

/** Presses `digits` and waits until the same call asks again (or ends); returns the call then. */
export async function pressAndWaitNext(sim: SimFixture, call: any, digits: string, number = seoulLandline, index = 0): Promise<any> {
  const seen = call.transcript.length;
  await press(sim, call.sid, digits);
  return eventually(async () => {
    const now = (await callsTo(sim, number))[index];
    return now && now.transcript.length > seen && (now.awaitingDigits || now.status === 'completed') ? now : undefined;
  }, 10_000, 'the next question');
}

/** A Twilio-style webhook, signed like Twilio signs (or forged, per options). */
export async function postWebhook(baseUrl: string, path: string, params: Record<string, string>, options: { token?: string; signedUrl?: string; signature?: string | null } = {}) {
  const url = baseUrl + path;
  const signature = options.signature === null ? undefined : (options.signature ?? twilio.getExpectedTwilioSignature(options.token ?? authToken, options.signedUrl ?? url, params));
  const response = await loopbackFetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature ? { 'x-twilio-signature': signature } : {}) },
    body: new URLSearchParams(params).toString(),
  });
  return { status: response.status, text: await response.text() };
}

