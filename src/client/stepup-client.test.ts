// The client retries a 503 with Retry-After only when asked to, signing every attempt afresh and keeping
// the challenge's Idempotency-Key; a 503 without Retry-After, or one past the budget, is returned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StepupClient } from './stepup-client.ts';

/** A server that answers the queued answers in turn (then 201) and keeps every request's headers. */
async function scriptedServer(answers: { status: number; retryAfter?: string }[]) {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      seen.push(request.headers);
      const answer = answers.shift() ?? { status: 201 };
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (answer.retryAfter !== undefined) headers['retry-after'] = answer.retryAfter;
      response.writeHead(answer.status, headers).end(JSON.stringify({ status: answer.status }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise((resolve) => server.close(resolve)) };
}

const credentials = { keyId: 'key_test', secret: Buffer.alloc(32, 1).toString('base64url') };

test('503 with Retry-After is retried when asked: signed afresh each time, the Idempotency-Key kept', async () => {
  const server = await scriptedServer([{ status: 503, retryAfter: '0' }, { status: 503, retryAfter: '0' }]);
  try {
    const client = new StepupClient({ baseUrl: server.url, credentials, retryUnavailableForMs: 5000 });
    const response = await client.createChallenge({ customerId: 'c' }, { idempotencyKey: 'TX-retry-0001' });
    assert.equal(response.status, 201);
    assert.equal(server.seen.length, 3);
    assert.deepEqual(server.seen.map((headers) => headers['idempotency-key']), ['TX-retry-0001', 'TX-retry-0001', 'TX-retry-0001']);
    assert.equal(new Set(server.seen.map((headers) => headers['signature-input'])).size, 3, 'a new nonce for every attempt');
  } finally {
    await server.close();
  }
});

test('not retried: without the option, without Retry-After, or when the wait would pass the budget', async () => {
  const cases: { option?: number; answer: { status: number; retryAfter?: string } }[] = [
    { answer: { status: 503, retryAfter: '0' } },
    { option: 5000, answer: { status: 503 } },
    { option: 500, answer: { status: 503, retryAfter: '2' } },
    { option: 5000, answer: { status: 500, retryAfter: '0' } },
  ];
  for (const { option, answer } of cases) {
    const server = await scriptedServer([answer]);
    try {
      const client = new StepupClient({ baseUrl: server.url, credentials, ...(option === undefined ? {} : { retryUnavailableForMs: option }) });
      const response = await client.request('GET', '/v1/challenges/ch_1');
      assert.equal(response.status, answer.status, JSON.stringify({ option, answer }));
      assert.equal(server.seen.length, 1, JSON.stringify({ option, answer }));
    } finally {
      await server.close();
    }
  }
});
