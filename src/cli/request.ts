// Sends one signed request to stepup and prints the status line and the JSON body — the quickest way
// to try the API. With --wait, a created (or fetched) challenge is polled until it ends, then its
// outcome is printed and its receipt verified against the server's JWKS (docs/receipts.md).
//   npm run -s request -- POST /v1/challenges '{"customerId":"demo-customer",...}' --wait
//   npm run -s request -- GET /v1/challenges/chl_...
// Credentials: STEPUP_KEY_ID + STEPUP_SECRET, else the demo's DATA_DIR/demo.json. REQUEST_TIMEOUT_MS
// (default 30000) bounds each request.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StepupClient } from '../client/stepup-client.ts';
import { verifyReceipt } from '../client/verify-receipt.ts';

const usage = `Usage: npm run -s request -- <METHOD> <path> ['<json body>' | @file.json] [--wait]
  npm run -s request -- POST /v1/challenges '{"customerId":"demo-customer",...}' --wait
  npm run -s request -- GET /v1/challenges/chl_...
  --wait   poll the challenge until it ends; print the outcome and whether its receipt verifies`;

const args = process.argv.slice(2);
const wait = args.includes('--wait');
const [method, path, body] = args.filter((arg) => arg !== '--wait');
if (!method || !path?.startsWith('/')) {
  console.error(usage);
  process.exit(2);
}

interface Credentials {
  keyId: string;
  secret: string;
  baseUrl: string;
}

function loadCredentials(): Credentials {
  const keyId = process.env.STEPUP_KEY_ID;
  const secret = process.env.STEPUP_SECRET;
  if (keyId && secret) return { keyId, secret, baseUrl: process.env.STEPUP_URL ?? 'http://127.0.0.1:8080' };
  try {
    const demo = JSON.parse(readFileSync(join(process.env.DATA_DIR ?? './.data', 'demo.json'), 'utf8')) as { keyId: string; secret: string; url: string };
    return { keyId: demo.keyId, secret: demo.secret, baseUrl: process.env.STEPUP_URL ?? demo.url };
  } catch {
    console.error('Set STEPUP_KEY_ID and STEPUP_SECRET (and STEPUP_URL), or run `npm run demo` first.');
    process.exit(2);
  }
}

function parseBody(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text.startsWith('@') ? readFileSync(text.slice(1), 'utf8') : text);
  } catch (error) {
    console.error(`The body is not JSON (${(error as Error).message}); quote it in single quotes, or pass @file.json.\n${usage}`);
    process.exit(2);
  }
}

interface ChallengeView {
  id: string;
  status: string;
  expiresAt: string;
  transactionHash: string;
  result: { channel: string | null; reason: string; receipt: string; fraudReported?: boolean } | null;
}

const isChallenge = (value: unknown): value is ChallengeView =>
  typeof value === 'object' && value !== null && typeof (value as ChallengeView).id === 'string' && (value as ChallengeView).id.startsWith('chl_');

const credentials = loadCredentials();

// Every request of this command (the call, the polls, the JWKS) gives up after REQUEST_TIMEOUT_MS
// (default 30 s) with a message, instead of waiting silently on a server that never answers.
const timeoutMs = Number(process.env.REQUEST_TIMEOUT_MS ?? 30_000);
const plainFetch = globalThis.fetch;
globalThis.fetch = (input, init) =>
  plainFetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) }).catch((error: unknown) => {
    if (error instanceof DOMException && error.name === 'TimeoutError') {
      console.error(`no answer from ${credentials.baseUrl} within ${timeoutMs / 1000} s (REQUEST_TIMEOUT_MS): is the server stuck? Its /readyz says why.`);
      process.exit(1);
    }
    throw error;
  });

const client = new StepupClient({ baseUrl: credentials.baseUrl, publicBaseUrl: process.env.PUBLIC_BASE_URL, credentials });
const response = await client.request(method.toUpperCase(), path, parseBody(body), process.env.IDEMPOTENCY_KEY ? { 'idempotency-key': process.env.IDEMPOTENCY_KEY } : {});
console.log(`HTTP ${response.status}`);
console.log(JSON.stringify(response.body, null, 2));
if (response.status >= 400) process.exit(1);
if (!wait) process.exit(0);

if (!isChallenge(response.body)) {
  console.error('--wait needs a challenge in the response (POST /v1/challenges or GET /v1/challenges/{id})');
  process.exit(2);
}
let challenge = response.body;
if (challenge.status === 'pending') console.error(`waiting for ${challenge.id} to end (expires ${challenge.expiresAt}) …`);
while (challenge.status === 'pending') {
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const polled = await client.getChallenge<ChallengeView>(challenge.id);
  if (polled.status !== 200) {
    console.error(`GET /v1/challenges/${challenge.id} answered HTTP ${polled.status}: ${JSON.stringify(polled.body)}`);
    process.exit(1);
  }
  challenge = polled.body;
}

const result = challenge.result;
console.log(`outcome: ${challenge.status}${result ? ` (${result.reason}${result.channel ? `, channel ${result.channel}` : ''}${result.fraudReported ? ', fraud reported' : ''})` : ''}`);
if (!result) process.exit(0);
const verdict = await verifyReceipt(result.receipt, credentials.baseUrl, { challengeId: challenge.id, status: challenge.status, transactionHash: challenge.transactionHash });
console.log(verdict.ok ? `receipt: verifies (key ${verdict.kid})` : `receipt: DOES NOT VERIFY — ${verdict.reason}`);
process.exit(verdict.ok ? 0 : 1);
