// `npm run demo`: the server with a demo tenant on embedded PGlite (DATA_DIR), the telephony
// simulator in-process (packages/telephony-simulator/README.md) and a demo customer enrolled for ARS, ready to try: create a
// challenge and answer the call on the softphone page; or register a passkey from the printed link
// and confirm a transfer with it (docs/webauthn-channel.md).
// PUBLIC_BASE_URL is http://localhost:<port>: a WebAuthn RP ID must be a domain, never an IP address.
// Generates MASTER_KEY and ADMIN_TOKEN into DATA_DIR on first run (development only).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../config/config.ts';
import { startServer } from '../server/start-server.ts';
import { channelModules } from '../server/channel-modules.ts';
import { createSimulator } from '@stepup/telephony-simulator';
import { StepupClient } from '../client/stepup-client.ts';
import { koreanFontHint, koreanFontMissing } from './korean-font-check.ts';
import { exitOnSignals } from '../server/exit-on-signals.ts';
import { assertFolderFree, FolderInUseError } from '../storage/folder-lock.ts';
import { seedDemoHistory } from './demo-history.ts';

const dataDir = process.env.DATA_DIR ?? './.data';
mkdirSync(dataDir, { recursive: true, mode: 0o700 });
// One process per PGlite folder: a second demo on this DATA_DIR says who holds it before it binds a port.
try {
  assertFolderFree(join(dataDir, 'pglite'));
} catch (error) {
  if (!(error instanceof FolderInUseError)) throw error;
  process.stderr.write(`stepup demo: ${error.message}\n`);
  process.exit(75);
}

function persisted(file: string, make: () => string): string {
  const path = join(dataDir, file);
  if (!existsSync(path)) writeFileSync(path, make(), { mode: 0o600 });
  return readFileSync(path, 'utf8').trim();
}

// The simulator stands in for Twilio: the server reaches it through the twilio SDK (TWILIO_API_BASE_URL).
const simAccountSid = 'AC00000000000000000000000000000000';
const simAuthToken = `demo-sim-${randomBytes(12).toString('base64url')}`;
const numberFromEnv = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const simulator = createSimulator({
  accountSid: simAccountSid,
  authToken: simAuthToken,
  ringDelayMs: numberFromEnv('SIM_RING_DELAY_MS', 1500),
  // The softphone speaks each line: let <Say> take about as long, so the Gather waits for the listener.
  sayMsPerChar: numberFromEnv('SIM_SAY_MS_PER_CHAR', 60),
});
const simServer = await new Promise<import('node:http').Server>((resolve, reject) => {
  const listening = simulator.app.listen(numberFromEnv('SIM_PORT', 8089), '127.0.0.1', () => resolve(listening));
  listening.once('error', reject);
});
const simUrl = `http://127.0.0.1:${(simServer.address() as AddressInfo).port}`;

const port = Number(process.env.PORT ?? 8080);
const env = {
  ...process.env,
  DATA_DIR: dataDir,
  PORT: String(port),
  PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL ?? `http://localhost:${port}`,
  MASTER_KEY: process.env.MASTER_KEY ?? persisted('master.key', () => randomBytes(32).toString('base64')),
  ADMIN_TOKEN: process.env.ADMIN_TOKEN ?? persisted('admin.token', () => `demo-admin-${randomBytes(18).toString('base64url')}`),
  ALLOW_LOOPBACK_CALLBACKS: process.env.ALLOW_LOOPBACK_CALLBACKS ?? 'true',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  TWILIO_ACCOUNT_SID: simAccountSid,
  TWILIO_AUTH_TOKEN: simAuthToken,
  TWILIO_FROM: '+8215880000',
  TWILIO_API_BASE_URL: simUrl,
};
const config = loadConfig(env, channelModules);
const running = await startServer(config);
const url = running.url!;

async function admin(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${config.adminToken}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return { ...json, etag: response.headers.get('etag') };
}

// The demo tenant and its key are created once and remembered in DATA_DIR/demo.json.
const demoFile = join(dataDir, 'demo.json');
let demo: { tenantId: string; keyId: string; secret: string; url: string; checkerToken?: string } | undefined;
if (existsSync(demoFile)) demo = JSON.parse(readFileSync(demoFile, 'utf8'));
// The call greets with the bank's name in the call's language (docs/admin-api.md, bankNames).
const demoBankNames = { 'ko-KR': '스텝업은행', 'en-US': 'Stepup Bank' };
if (!demo || !(await running.context.tenants.get(demo.tenantId))) {
  const tenant = await admin('POST', '/admin/v1/tenants', { name: 'Demo Bank', bankName: '스텝업은행', bankNames: demoBankNames, allowLoopbackCallbacks: true });
  const key = await admin('POST', `/admin/v1/tenants/${tenant.id}/keys`, {});
  demo = { tenantId: tenant.id, keyId: key.keyId, secret: key.secret, url };
  // Made-up days behind it, for the dashboard and the backtest (src/cli/demo-history.ts).
  await seedDemoHistory(running.context, tenant.id);
} else if (Object.keys((await running.context.tenants.get(demo.tenantId))!.bankNames).length === 0) {
  // A demo tenant from before bank names per locale.
  await admin('PUT', `/admin/v1/tenants/${demo.tenantId}`, { bankNames: demoBankNames });
}
// Maker-checker (docs/admin-api.md) is on for the demo tenant, as for every new tenant: a policy change
// waits for a second admin. The demo makes that second admin, a policy-admin of the demo tenant only.
const tenantNow = (await running.context.tenants.get(demo.tenantId))!;
if (!tenantNow.policyApproval.required) await admin('PUT', `/admin/v1/tenants/${demo.tenantId}`, { policyApproval: { required: true } });
if (!demo.checkerToken) demo.checkerToken = (await admin('POST', '/admin/v1/tokens', { name: 'demo-checker', role: 'policy-admin', tenantId: demo.tenantId })).token as string;
// Requests go to the URL the server knows itself by (signatures cover PUBLIC_BASE_URL).
demo.url = config.publicBaseUrl;
writeFileSync(demoFile, JSON.stringify(demo, null, 2), { mode: 0o600 });

// The default call caps (3 calls per customer per hour, 10 per number per day; docs/ars-channel.md) would stop
// a person trying the right answer, a wrong one, * and 0 after three calls: the demo tenant gets
// more room. Production tenants keep the defaults.
const demoCaps = { maxCallsPerCustomerPerHour: 30, maxCallsPerNumberPerDay: 100 };
// Holds (docs/holds.md) for a few minutes instead of the 3 hours of the defaults: approve a transfer, the
// phone rings again at once with the notice, and 9 stops it; untouched, it is released after 5 minutes.
const demoHold = { enabled: true, minAmount: '1000000', seconds: 300, appliesTo: ['approved', 'not_required'], stopClosesBeforeSeconds: 60, notifyCallsAfterSeconds: [0, 120], newPayeeWithinSeconds: 43200 };
const policy = await admin('GET', `/admin/v1/tenants/${demo.tenantId}/policy`);
if (policy.document.channels.ars.maxCallsPerCustomerPerHour < demoCaps.maxCallsPerCustomerPerHour || !policy.document.hold?.enabled) {
  const document = { ...policy.document, channels: { ...policy.document.channels, ars: { ...policy.document.channels.ars, ...demoCaps } }, hold: demoHold };
  // The bootstrap admin proposes; the demo's second admin approves (the requester never counts).
  const proposal = await admin('PUT', `/admin/v1/tenants/${demo.tenantId}/policy`, document, { 'if-match': policy.etag });
  if (proposal.state === 'proposed') {
    await admin('POST', `/admin/v1/tenants/${demo.tenantId}/policy/proposals/${proposal.id}/approve`, {}, { authorization: `Bearer ${demo.checkerToken}` });
  }
}

// The demo customer: a Seoul landline (ARS refuses mobile and VoIP numbers) and a security number.
const demoPhone = '+82 2-312-3456';
const demoSecret = '20478153';
// Its own set-up is a bank's requests: an instance busy starting (a 503 with Retry-After) is retried.
const bank = new StepupClient({ baseUrl: url, publicBaseUrl: config.publicBaseUrl, credentials: { keyId: demo.keyId, secret: demo.secret }, retryUnavailableForMs: 60_000 });
for (const [path, body] of [['phone', { number: demoPhone }], ['knowledge-secret', { secret: demoSecret }]] as const) {
  const response = await bank.request('PUT', `/v1/customers/demo-customer/${path}`, body);
  if (response.status >= 300) throw new Error(`enrolling demo-customer (${path}): ${response.status} ${JSON.stringify(response.body)}`);
}

// A one-time passkey registration link for the demo customer (15 minutes; a new one each start).
const passkeyLink = await bank.request<{ url: string; expiresAt: string }>('POST', '/v1/customers/demo-customer/webauthn/registration-links', { locale: 'ko-KR', displayName: 'Demo customer' });
const passkeyLine =
  passkeyLink.status === 201
    ? `${passkeyLink.body.url}
                 (expires ${passkeyLink.body.expiresAt}; open it in your browser to register a passkey)`
    : `unavailable: ${JSON.stringify(passkeyLink.body)}`;

// `npm run request` finds the demo's key in DATA_DIR/demo.json: name a non-default DATA_DIR in the command.
const request = `${process.env.DATA_DIR ? `DATA_DIR=${dataDir} ` : ''}npm run -s request --`;
const example = JSON.stringify({
  customerId: 'demo-customer',
  transaction: { reference: 'TX-DEMO-1', type: 'transfer', amount: { value: '3500000', currency: 'KRW' }, payee: { name: 'Kim Chulsoo', bank: 'Shinhan Bank', account: '110-123-456789' } },
  locale: 'en-US',
});
const koreanExample = JSON.stringify({
  customerId: 'demo-customer',
  transaction: { reference: 'TX-DEMO-3', type: 'transfer', amount: { value: '3500000', currency: 'KRW' }, payee: { name: '김철수', bank: '신한은행', account: '110-123-456789' } },
  locale: 'ko-KR',
});
const fontMissing = koreanFontMissing();
const fontLine =
  fontMissing === true
    ? `
No Korean font is installed (fc-list :lang=ko finds none): Korean text shows as empty boxes on the
softphone and the passkey pages. Install one, then restart the browser:

  ${koreanFontHint}
`
    : '';
const passkeyExample = JSON.stringify({
  customerId: 'demo-customer',
  transaction: { reference: 'TX-DEMO-2', type: 'transfer', amount: { value: '3500000', currency: 'KRW' }, payee: { name: '김철수', bank: '신한은행', account: '110-123-456789' } },
  channels: ['webauthn'],
  locale: 'ko-KR',
});
console.log(`
stepup demo is running (embedded PGlite in ${dataDir}, Redis at ${config.redisUrl})

  API            ${config.publicBaseUrl}
  API docs       ${config.publicBaseUrl}/docs
  Admin console  ${config.publicBaseUrl}/admin          <- sign in with the admin token below
  Admin token    ${config.adminToken}
  Second admin   ${demo.checkerToken}   <- policy-admin of the demo tenant: approves policy proposals
  Demo tenant    ${demo.tenantId}
  Key id         ${demo.keyId}
  Secret         ${demo.secret}

  Softphone      ${simUrl}/sim/phone      <- open this first: the verification call rings here
  Demo customer  demo-customer, landline ${demoPhone}, security number ${demoSecret}

Ask for a 3,500,000 KRW transfer (signs with the key above; run it from this folder):

  ${request} POST /v1/challenges '${example}'

The call reads the transfer and asks four digits of the security number at changing positions
(e.g. "the second, fifth, sixth and eighth digits" of ${demoSecret} → ${[2, 5, 6, 8].map((p) => demoSecret[p - 1]).join('')}).
Press * to report "not me", 0 to hear the details again: the call acts on them 5 seconds after
the key (the softphone counts down), or at once when you press # after them. Then read the result:

  ${request} GET /v1/challenges/<id>

The demo holds approved transfers for 5 minutes (docs/holds.md): once you approve, the phone rings
again at once with the notice ("… It will be sent at …. If … someone on the phone told you to make it,
press 9 to stop it."). Press 9, then read hold.state: "stopped" with the GET above. Left alone, the
transfer is released 5 minutes after the approval (hold.state: "released", challenge.hold_released).

The same call in Korean ("locale": "ko-KR"; "두 번째, 다섯 번째, …" are the positions):

  ${request} POST /v1/challenges '${koreanExample}'
${fontLine}
Passkeys (WebAuthn, in your own browser on this machine):

  Register       ${passkeyLine}

then ask for a transfer confirmed with the passkey, and open the challenge's "customerUrl":

  ${request} POST /v1/challenges '${passkeyExample}'

The page shows the payee, the full account number and the amount; "패스키로 승인" approves it,
"본인이 아닙니다" reports it as fraud.

The console's Dashboard shows the demo tenant's last 30 days: made up (customers history-01 …
history-12, written once when the demo tenant was created, up to 20 hours before), and what you do.

Policy changes need two admins (maker-checker, docs/console.md): change the policy in the console as the
admin above and it waits as a proposal, its weakening fields marked, with a backtest over the tenant's
last 30 days; sign in with the second admin token (another browser or a private window) and approve it
under "Policy". Press Ctrl-C to stop.
`);

exitOnSignals({
  graceMs: config.shutdownGraceMs,
  logger: running.context.logger,
  async close() {
    await running.close();
    simulator.close();
    simServer.closeAllConnections();
    await new Promise<void>((resolve) => simServer.close(() => resolve()));
  },
});
