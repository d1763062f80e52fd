// `npm run demo`: the server with a demo tenant on embedded PGlite (DATA_DIR), ready to try.
// Generates MASTER_KEY and ADMIN_TOKEN into DATA_DIR on first run (development only).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { loadConfig } from '../config/config.ts';
import { startServer } from '../server/start-server.ts';

const dataDir = process.env.DATA_DIR ?? './.data';
mkdirSync(dataDir, { recursive: true, mode: 0o700 });

function persisted(file: string, make: () => string): string {
  const path = join(dataDir, file);
  if (!existsSync(path)) writeFileSync(path, make(), { mode: 0o600 });
  return readFileSync(path, 'utf8').trim();
}

const port = Number(process.env.PORT ?? 8080);
const env = {
  ...process.env,
  DATA_DIR: dataDir,
  PORT: String(port),
  PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL ?? `http://127.0.0.1:${port}`,
  MASTER_KEY: process.env.MASTER_KEY ?? persisted('master.key', () => randomBytes(32).toString('base64')),
  ADMIN_TOKEN: process.env.ADMIN_TOKEN ?? persisted('admin.token', () => `demo-admin-${randomBytes(18).toString('base64url')}`),
  ALLOW_LOOPBACK_CALLBACKS: process.env.ALLOW_LOOPBACK_CALLBACKS ?? 'true',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
};
const config = loadConfig(env);
const running = await startServer(config);
const url = running.url!;

async function admin(method: string, path: string, body?: unknown) {
  const response = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${config.adminToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

// The demo tenant and its key are created once and remembered in DATA_DIR/demo.json.
const demoFile = join(dataDir, 'demo.json');
let demo: { tenantId: string; keyId: string; secret: string; url: string } | undefined;
if (existsSync(demoFile)) demo = JSON.parse(readFileSync(demoFile, 'utf8'));
if (!demo || !(await running.context.tenants.get(demo.tenantId))) {
  const tenant = await admin('POST', '/admin/v1/tenants', { name: 'Demo Bank', bankName: '스텝업은행', allowLoopbackCallbacks: true });
  const key = await admin('POST', `/admin/v1/tenants/${tenant.id}/keys`, {});
  demo = { tenantId: tenant.id, keyId: key.keyId, secret: key.secret, url };
}
demo.url = url;
writeFileSync(demoFile, JSON.stringify(demo, null, 2), { mode: 0o600 });

const example = JSON.stringify({
  customerId: 'demo-customer',
  transaction: { reference: 'TX-DEMO-1', type: 'transfer', amount: { value: '3500000', currency: 'KRW' }, payee: { name: '김철수', bank: '신한은행', account: '110-123-456789' } },
  locale: 'ko-KR',
});
console.log(`
stepup demo is running (embedded PGlite in ${dataDir}, Redis at ${config.redisUrl})

  API            ${url}
  API docs       ${url}/docs
  Admin token    ${config.adminToken}
  Demo tenant    ${demo.tenantId}
  Key id         ${demo.keyId}
  Secret         ${demo.secret}

Try a signed request (signs with the key above; run it from this folder):

  npm run request -- POST /v1/challenges '${example}'

Press Ctrl-C to stop.
`);

const stop = () => running.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
