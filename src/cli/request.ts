// Sends one signed request to stepup and prints the response — the quickest way to try the API.
//   npm run request -- POST /v1/challenges '{"customerId":"demo-customer",...}'
//   npm run request -- GET /v1/challenges/chl_...
// Credentials: STEPUP_KEY_ID + STEPUP_SECRET, else the demo's DATA_DIR/demo.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StepupClient } from '../client/stepup-client.ts';

const usage = `Usage: npm run request -- <METHOD> <path> ['<json body>' | @file.json]
  npm run request -- POST /v1/challenges '{"customerId":"demo-customer",...}'
  npm run request -- GET /v1/challenges/chl_...`;
const [method, path, body] = process.argv.slice(2);
if (!method || !path?.startsWith('/')) {
  console.error(usage);
  process.exit(2);
}
const dataDir = process.env.DATA_DIR ?? './.data';
let keyId = process.env.STEPUP_KEY_ID;
let secret = process.env.STEPUP_SECRET;
let baseUrl = process.env.STEPUP_URL;
if (!keyId || !secret) {
  try {
    const demo = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as { keyId: string; secret: string; url: string };
    keyId = demo.keyId;
    secret = demo.secret;
    baseUrl ??= demo.url;
  } catch {
    console.error('Set STEPUP_KEY_ID and STEPUP_SECRET (and STEPUP_URL), or run `npm run demo` first.');
    process.exit(2);
  }
}
const client = new StepupClient({ baseUrl: baseUrl ?? 'http://127.0.0.1:8080', publicBaseUrl: process.env.PUBLIC_BASE_URL, credentials: { keyId, secret } });
let payload: unknown;
try {
  payload = body === undefined ? undefined : JSON.parse(body.startsWith('@') ? readFileSync(body.slice(1), 'utf8') : body);
} catch (error) {
  console.error(`The body is not JSON (${(error as Error).message}); quote it in single quotes, or pass @file.json.\n${usage}`);
  process.exit(2);
}
const response = await client.request(method.toUpperCase(), path, payload, process.env.IDEMPOTENCY_KEY ? { 'idempotency-key': process.env.IDEMPOTENCY_KEY } : {});
console.log(`HTTP ${response.status}`);
console.log(JSON.stringify(response.body, null, 2));
process.exit(response.status < 400 ? 0 : 1);
