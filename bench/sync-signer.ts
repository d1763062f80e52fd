// Synchronous RFC 9421 HMAC signing for the load generator (autocannon's setupRequest is synchronous).
// Same signature base as src/client/stepup-client.ts and ../shared/contract/smoke.mjs.
import { createHash, createHmac, randomBytes } from 'node:crypto';

export function signSync(method: string, targetUri: string, body: string | undefined, key: { keyId: string; secret: string }): Record<string, string> {
  const components = ['@method', '@target-uri'];
  const values: Record<string, string> = { '@method': method, '@target-uri': targetUri };
  const headers: Record<string, string> = {};
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-digest'] = `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
    components.push('content-digest');
    values['content-digest'] = headers['content-digest'];
  }
  const params = `(${components.map((c) => `"${c}"`).join(' ')});created=${Math.floor(Date.now() / 1000)};nonce="${randomBytes(12).toString('base64url')}";keyid="${key.keyId}";alg="hmac-sha256"`;
  const base = components.map((c) => `"${c}": ${values[c]}`).join('\n') + `\n"@signature-params": ${params}`;
  headers['signature-input'] = `sig1=${params}`;
  headers.signature = `sig1=:${createHmac('sha256', Buffer.from(key.secret, 'base64')).update(base).digest('base64')}:`;
  return headers;
}
