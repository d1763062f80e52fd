// A small typed client for bank backends: signs every request per docs/signing-requests.md (RFC 9421 + RFC 9530).
// Usage:
//   const client = new StepupClient({ baseUrl: 'https://stepup.bank.example', keyId, secret });
//   const challenge = await client.createChallenge({ customerId: 'cust-1001', transaction: {...} });
import { createHash, createPrivateKey, randomBytes, createSecretKey } from 'node:crypto';
import { httpbis, createSigner } from 'http-message-signatures';

export type StepupCredentials =
  | { keyId: string; secret: string }
  | { keyId: string; privateKeyPem: string };

export interface StepupClientOptions {
  /** Where requests are sent. */
  baseUrl: string;
  /** The URL the server knows itself by (its PUBLIC_BASE_URL), when a proxy sits in between. */
  publicBaseUrl?: string;
  credentials: StepupCredentials;
  fetch?: typeof fetch;
  /** The time requests are signed at (`created`); the system clock unless given. */
  clock?: () => Date;
  /**
   * Retries a `503` that carries `Retry-After` (stepup's answer while a dependency is unavailable or the
   * instance is overloaded: nothing was done) after the time it asks, signed afresh, for at most this
   * many ms in all; a POST to /v1/challenges keeps its Idempotency-Key. Off (0) unless given.
   */
  retryUnavailableForMs?: number;
}

export interface StepupResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface SignedHeadersInput {
  method: string;
  targetUri: string;
  body?: string;
  credentials: StepupCredentials;
  created?: Date;
  nonce?: string;
}

/** Returns the headers that sign one request: Content-Digest (with a body), Signature-Input, Signature. */
export async function signRequestHeaders(input: SignedHeadersInput): Promise<Record<string, string>> {
  const headers: Record<string, string> = {};
  const fields = ['@method', '@target-uri'];
  if (input.body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-digest'] = `sha-256=:${createHash('sha256').update(input.body).digest('base64')}:`;
    fields.push('content-digest');
  }
  const { credentials } = input;
  const key =
    'secret' in credentials
      ? createSigner(createSecretKey(Buffer.from(credentials.secret, 'base64')), 'hmac-sha256', credentials.keyId)
      : createSigner(createPrivateKey(credentials.privateKeyPem), 'ed25519', credentials.keyId);
  const signed = await httpbis.signMessage(
    {
      key,
      name: 'sig1',
      fields,
      params: ['created', 'nonce', 'keyid', 'alg'],
      paramValues: {
        created: input.created ?? new Date(),
        nonce: input.nonce ?? randomBytes(16).toString('base64url'),
      },
    },
    { method: input.method.toUpperCase(), url: input.targetUri, headers },
  );
  return signed.headers as Record<string, string>;
}

export class StepupClient {
  private readonly fetchImpl: typeof fetch;
  constructor(private readonly options: StepupClientOptions) {
    this.fetchImpl = options.fetch ?? fetch;
  }

  async request<T = unknown>(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<StepupResponse<T>> {
    const giveUpAt = Date.now() + (this.options.retryUnavailableForMs ?? 0);
    for (;;) {
      const response = await this.send<T>(method, path, body, extraHeaders);
      const retryAfter = response.headers.get('retry-after');
      const retryAfterSeconds = retryAfter === null ? Number.NaN : Number(retryAfter);
      if (response.status !== 503 || !(retryAfterSeconds >= 0)) return response;
      const waitMs = Math.max(retryAfterSeconds * 1000, 100);
      if (Date.now() + waitMs > giveUpAt) return response;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }

  private async send<T>(method: string, path: string, body: unknown, extraHeaders: Record<string, string>): Promise<StepupResponse<T>> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const publicBase = (this.options.publicBaseUrl ?? this.options.baseUrl).replace(/\/+$/, '');
    const signed = await signRequestHeaders({ method, targetUri: publicBase + path, body: text, credentials: this.options.credentials, ...(this.options.clock ? { created: this.options.clock() } : {}) });
    const response = await this.fetchImpl(this.options.baseUrl.replace(/\/+$/, '') + path, {
      method,
      headers: { ...extraHeaders, ...signed },
      body: text,
    });
    const raw = await response.text();
    return { status: response.status, headers: response.headers, body: (raw ? JSON.parse(raw) : null) as T };
  }

  createChallenge<T = unknown>(input: unknown, options: { idempotencyKey?: string } = {}) {
    return this.request<T>('POST', '/v1/challenges', input, options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {});
  }

  getChallenge<T = unknown>(id: string) {
    return this.request<T>('GET', `/v1/challenges/${encodeURIComponent(id)}`);
  }

  cancelChallenge<T = unknown>(id: string) {
    return this.request<T>('POST', `/v1/challenges/${encodeURIComponent(id)}/cancel`);
  }

  /** docs/bank-api.md: the code the customer's OTP token shows for the challenge. */
  submitOtp<T = unknown>(challengeId: string, code: string) {
    return this.request<T>('POST', `/v1/challenges/${encodeURIComponent(challengeId)}/otp`, { code });
  }

  /** docs/bank-api.md: import a seed (`secretHex`) or have one generated (returned once as `otpauthUri`). */
  createOtpToken<T = unknown>(customerId: string, input: unknown) {
    return this.request<T>('POST', `/v1/customers/${encodeURIComponent(customerId)}/otp-tokens`, input);
  }

  listOtpTokens<T = unknown>(customerId: string) {
    return this.request<T>('GET', `/v1/customers/${encodeURIComponent(customerId)}/otp-tokens`);
  }

  deleteOtpToken<T = unknown>(customerId: string, tokenId: string) {
    return this.request<T>('DELETE', `/v1/customers/${encodeURIComponent(customerId)}/otp-tokens/${encodeURIComponent(tokenId)}`);
  }
}
