// The benchmark's fair yardstick: the work every challenge-creating request must do, done the most
// direct way — node:http, no framework, no middleware, no metrics. Per request: verify the RFC 9421
// HMAC signature and Content-Digest (http-message-signatures, as stepup), claim the nonce in Redis
// (SET NX EX), validate the body with a strict zod schema of the challenge request's shape, insert a
// challenge row as wide as stepup's with its audit entry in one statement, sign an ES256 receipt
// (crypto.sign, ieee-p1363, as src/receipts/receipt-signer.ts), envelope-encrypt the transaction
// (AES-256-GCM data key wrapped by a master key), add one BullMQ job and log one line with pino.
// stepup's throughput and CPU per decision are reported as a share of this server's (bench/run.ts).
import http from 'node:http';
import { createCipheriv, createHash, createSecretKey, generateKeyPairSync, randomBytes, sign, timingSafeEqual } from 'node:crypto';
import { httpbis, createVerifier, type VerifyingKey } from 'http-message-signatures';
import { pino } from 'pino';
import pg from 'pg';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';

const port = Number(process.env.PORT);
/** What the generator signs as @target-uri's origin (as stepup's PUBLIC_BASE_URL). */
const publicBaseUrl = process.env.PUBLIC_BASE_URL ?? `http://127.0.0.1:${port}`;
const keyId = process.env.BASELINE_KEY_ID!;
const hmacKey = createSecretKey(Buffer.from(process.env.BASELINE_KEY_SECRET!, 'base64'));
const verifyingKey: VerifyingKey = { id: keyId, algs: ['hmac-sha256'], verify: createVerifier(hmacKey, 'hmac-sha256') };
const clockWindowSeconds = 300;
const masterKey = randomBytes(32);
const receiptKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

// Connections kept while idle, as stepup's pool does (src/storage/pg-db.ts): no reconnecting after a pause between runs.
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10, idleTimeoutMillis: 0, keepAlive: true });
// As wide as stepup's challenges table and audit inbox (src/storage/migrations/001, 005, 006), with
// the same indexes, so the database does the same work per row. Own names: nothing of stepup's is touched.
await pool.query(`
  CREATE TABLE IF NOT EXISTS mandated_challenges (
    id text PRIMARY KEY,
    tenant_id text NOT NULL,
    customer_id text NOT NULL,
    status text NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'expired', 'canceled', 'failed', 'not_required')),
    transaction_type text NOT NULL,
    transaction_masked jsonb NOT NULL,
    transaction_enc text NOT NULL,
    transaction_hash text NOT NULL,
    amount_minor numeric(30, 0),
    currency text,
    context jsonb NOT NULL,
    decision jsonb NOT NULL,
    policy_version integer NOT NULL,
    channel text,
    channel_state jsonb NOT NULL DEFAULT '{}'::jsonb,
    locale text NOT NULL,
    callback_url text,
    result_reason text,
    fraud_reported boolean NOT NULL DEFAULT false,
    receipt text,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    completed_at timestamptz,
    result_details jsonb
  );
  CREATE INDEX IF NOT EXISTS mandated_challenges_customer_day ON mandated_challenges (tenant_id, customer_id, created_at);
  CREATE INDEX IF NOT EXISTS mandated_challenges_pending_expiry ON mandated_challenges (expires_at) WHERE status = 'pending';
  CREATE TABLE IF NOT EXISTS mandated_audit_inbox (
    id bigserial PRIMARY KEY,
    tenant_id text,
    actor text NOT NULL,
    action text NOT NULL,
    subject text,
    data jsonb NOT NULL,
    created_at timestamptz NOT NULL
  );
`);
const redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 1 });
const queue = new Queue('mandated', { connection: redis.duplicate(), prefix: '{mandated}', defaultJobOptions: { removeOnComplete: true } });
const logger = pino({ level: 'info', base: { service: 'mandated-baseline' } }, pino.destination({ dest: '/dev/null', sync: false }));

// The challenge request's shape (src/challenges/challenge-schemas.ts), strict like stepup's.
const requestSchema = z.strictObject({
  customerId: z.string().regex(/^[A-Za-z0-9._:@-]{1,64}$/),
  transaction: z.strictObject({
    reference: z.string().min(1).max(128).regex(/^[^\p{Cc}]*$/u),
    type: z.enum(['transfer', 'certificate_reissue', 'device_designation', 'payee_registration', 'limit_change', 'other']),
    amount: z.strictObject({ value: z.string().regex(/^\d{1,19}(\.\d{1,4})?$/), currency: z.string().regex(/^[A-Z]{3}$/) }),
    payee: z.strictObject({
      name: z.string().min(1).max(100).regex(/^[^\p{Cc}]*$/u),
      bank: z.string().min(1).max(100).regex(/^[^\p{Cc}]*$/u).optional(),
      account: z.string().regex(/^[0-9][0-9 -]{0,38}[0-9]$/),
    }),
    description: z.string().min(1).max(200).optional(),
  }),
  locale: z.enum(['ko-KR', 'en-US']).optional(),
});

function digestMatches(header: string | undefined, body: Buffer): boolean {
  const match = header ? /^sha-256=:([A-Za-z0-9+/=]+):$/.exec(header) : null;
  if (!match) return false;
  const given = Buffer.from(match[1]!, 'base64');
  const expected = createHash('sha256').update(body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function seal(key: Buffer, plaintext: Buffer, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  return `${iv.toString('base64url')}.${Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]).toString('base64url')}`;
}

/** A fresh data key seals the value; the master key wraps the data key. */
function envelopeEncrypt(plaintext: string, context: string): string {
  const dataKey = randomBytes(32);
  const sealed = `v1.k1.${seal(masterKey, dataKey, 'kek:k1')}.${seal(dataKey, Buffer.from(plaintext), context)}`;
  dataKey.fill(0);
  return sealed;
}

function receipt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${part({ alg: 'ES256', kid: 'k1', typ: 'stepup-receipt+jwt' })}.${part(claims)}`;
  return `${signingInput}.${sign('sha256', Buffer.from(signingInput), { key: receiptKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

const insertWithAudit = `
  WITH challenge AS (
    INSERT INTO mandated_challenges (id, tenant_id, customer_id, status, transaction_type, transaction_masked, transaction_enc, transaction_hash,
      amount_minor, currency, context, decision, policy_version, channel, locale, result_reason, receipt, created_at, expires_at, completed_at)
    VALUES ($1, $2, $3, 'not_required', $4, $5, $6, $7, $8, $9, '{}', $10, 1, NULL, $11, 'below_threshold', $12, $13, $14, $13)
    RETURNING id, tenant_id, created_at
  )
  INSERT INTO mandated_audit_inbox (tenant_id, actor, action, subject, data, created_at)
  SELECT tenant_id, 'api-key:' || $15, 'challenge.created', id, $16, created_at FROM challenge`;

function answer(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function handle(req: http.IncomingMessage, rawBody: Buffer, res: http.ServerResponse): Promise<void> {
  if (!digestMatches(req.headers['content-digest'] as string | undefined, rawBody)) return answer(res, 401, { code: 'unauthenticated' });
  let nonce: string | undefined;
  const nowSeconds = Math.floor(Date.now() / 1000);
  const verified = await httpbis
    .verifyMessage(
      {
        all: true,
        requiredParams: ['created', 'nonce', 'keyid', 'alg'],
        requiredFields: ['@method', '@target-uri', 'content-digest'],
        keyLookup: async (params) => {
          nonce = params.nonce;
          return params.keyid === keyId ? verifyingKey : null;
        },
        notAfter: nowSeconds + clockWindowSeconds,
        tolerance: clockWindowSeconds,
      },
      { method: req.method!, url: publicBaseUrl + req.url, headers: req.headers as Record<string, string | string[]> },
    )
    .catch(() => false);
  if (verified !== true || !nonce) return answer(res, 401, { code: 'unauthenticated' });
  if ((await redis.set(`nonce:${keyId}:${nonce}`, '1', 'EX', 600, 'NX')) !== 'OK') return answer(res, 401, { code: 'unauthenticated' });

  let input: z.infer<typeof requestSchema>;
  try {
    input = requestSchema.parse(JSON.parse(rawBody.toString('utf8')));
  } catch {
    return answer(res, 400, { code: 'validation_failed' });
  }
  const { transaction } = input;
  const id = `chl_${randomBytes(12).toString('base64url')}`;
  const now = new Date();
  const transactionJson = JSON.stringify(transaction);
  const hash = createHash('sha256').update(transactionJson).digest('base64url');
  const account = transaction.payee.account;
  const masked = { ...transaction, payee: { ...transaction.payee, account: `****${account.slice(-4)}` } };
  const signed = receipt({ tid: 'bench', cid: input.customerId, txh: hash, chn: null, sts: 'not_required', rsn: 'below_threshold', iss: publicBaseUrl, sub: id, jti: id, iat: Math.floor(now.getTime() / 1000) });
  const decision = { stepUpRequired: false, reasons: ['below_threshold'], channels: [], policyVersion: 1 };
  await pool.query(insertWithAudit, [
    id,
    'bench',
    input.customerId,
    transaction.type,
    JSON.stringify(masked),
    envelopeEncrypt(transactionJson, `challenge:${id}`),
    hash,
    transaction.amount.value.split('.')[0],
    transaction.amount.currency,
    JSON.stringify(decision),
    input.locale ?? 'ko-KR',
    signed,
    now,
    new Date(now.getTime() + 300_000),
    keyId,
    JSON.stringify({ status: 'not_required', transactionHash: hash }),
  ]);
  await queue.add('challenge.created', { id }, { jobId: id, delay: 300_000 });
  logger.info({ challengeId: id, status: 'not_required' }, 'challenge created');
  answer(res, 201, { id, status: 'not_required', customerId: input.customerId, transaction: masked, transactionHash: hash, decision, receipt: signed, createdAt: now.toISOString() });
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') return answer(res, 200, { status: 'ok' });
  if (req.method !== 'POST' || req.url !== '/v1/challenges') return answer(res, 404, { code: 'not_found' });
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    handle(req, Buffer.concat(chunks), res).catch((error: unknown) => {
      logger.error({ err: error }, 'request failed');
      if (!res.headersSent) answer(res, 500, { code: 'internal' });
    });
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => process.stdout.write('mandated baseline ready\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
