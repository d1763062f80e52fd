// The suite's HTTP client (test/support/loopback-fetch.ts) answers as node's fetch does: the same
// requests to one loopback server through both give the same status, headers and body, and the server
// receives the same method, body and framing; failures reject alike; nothing but loopback is dialled.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { loopbackFetch } from '../support/loopback-fetch.ts';

let server: http.Server;
let base: string;
before(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const seen = { method: req.method, url: req.url, contentType: req.headers['content-type'] ?? null, contentLength: req.headers['content-length'] ?? null, chunked: req.headers['transfer-encoding'] ?? null, accept: req.headers.accept, body: Buffer.concat(chunks).toString() };
      if (req.url === '/empty') return res.writeHead(204, { 'x-kind': 'empty' }).end();
      if (req.url === '/moved') return res.writeHead(302, { location: '/elsewhere' }).end('moved');
      if (req.url === '/cookies') res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; Path=/']);
      if (req.url === '/problem') res.statusCode = 409;
      res.setHeader('content-type', req.url === '/problem' ? 'application/problem+json' : 'application/json');
      res.setHeader('x-custom', 'one, two');
      res.end(JSON.stringify(seen));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

/** What a test reads of an answer: status, the headers that do not vary between two answers, the body. */
async function seen(response: Response, method: string) {
  const headers = [...response.headers].filter(([name]) => !['date', 'connection', 'keep-alive'].includes(name));
  return { status: response.status, ok: response.ok, headers, text: await response.text(), emptyBody: method === 'HEAD' || response.status === 204 ? response.body === null : 'n/a' };
}

test('the same requests through fetch and loopbackFetch: the same answers, and the server sees the same requests', async () => {
  const cases: Array<[string, RequestInit]> = [
    ['/plain', {}],
    ['/plain?x=1&y=%20', { method: 'GET', headers: { authorization: 'Bearer t' } }],
    ['/json', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":"b"}' }],
    ['/text', { method: 'PUT', body: 'some text, 한국어' }],
    ['/bytes', { method: 'PATCH', headers: [['content-type', 'application/octet-stream']], body: new Uint8Array([0, 1, 2, 255]) }],
    ['/gone', { method: 'DELETE' }],
    ['/plain', { method: 'HEAD' }],
    ['/empty', { method: 'POST', body: '' }],
    ['/problem', { method: 'POST', headers: new Headers({ 'content-type': 'application/json' }), body: '{}' }],
    ['/cookies', {}],
    ['/moved', { redirect: 'manual' }],
  ];
  for (const [path, init] of cases) {
    const method = init.method ?? 'GET';
    const expected = await seen(await fetch(base + path, init), method);
    const actual = await seen(await loopbackFetch(base + path, init), method);
    assert.deepEqual(actual, expected, `${method} ${path}`);
  }
  const answer = await loopbackFetch(`${base}/cookies`);
  assert.deepEqual(answer.headers.getSetCookie(), ['a=1; Path=/', 'b=2; Path=/']);
  assert.equal(answer.url, `${base}/cookies`);
  assert.deepEqual(await answer.json().then((body: { method: string }) => body.method), 'GET');
});

test('failures reject as fetch does: a refused connection, an abort', async () => {
  const closed = http.createServer();
  closed.listen(0, '127.0.0.1');
  await once(closed, 'listening');
  const port = (closed.address() as AddressInfo).port;
  closed.close();
  await once(closed, 'close');
  const refused = async (client: typeof fetch) => client(`http://127.0.0.1:${port}/`).then(() => 'answered', (error: Error) => `${error.name}: ${error.message}`);
  assert.equal(await refused(loopbackFetch), await refused(fetch));
  const aborted = async (client: typeof fetch) => client(`${base}/plain`, { signal: AbortSignal.abort() }).then(() => 'answered', (error: Error) => error.name);
  assert.equal(await aborted(loopbackFetch), await aborted(fetch));
});

test('only loopback addresses are dialled: anything else is refused before a connection', async () => {
  for (const url of ['http://10.0.0.1/', 'http://192.168.1.1:8080/x', 'http://example.com/', 'http://[2001:db8::1]/', 'https://127.0.0.1/']) {
    await assert.rejects(loopbackFetch(url), TypeError, url);
  }
  for (const url of [`${base}/plain`, base.replace('127.0.0.1', 'localhost') + '/plain']) assert.equal((await loopbackFetch(url)).status, 200, url);
});
