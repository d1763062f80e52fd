// readBody against real requests: a node server on 127.0.0.1 and raw sockets (node:net), so a body
// can be cut short or left unfinished exactly as a client would.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { ProblemError } from '../errors/problem.ts';
import { readBody } from './body-reader.ts';

type Outcome = { body: Buffer | undefined } | { error: unknown };

describe('body reader', () => {
  let server: Server;
  let port: number;
  const outcomes: ((outcome: Outcome) => void)[] = [];
  before(async () => {
    server = createServer((req, res) => {
      readBody(req, 64).then(
        (body) => outcomes.shift()?.({ body }),
        (error: unknown) => outcomes.shift()?.({ error }),
      );
      res.on('error', () => undefined);
      req.on('end', () => res.end());
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as net.AddressInfo).port;
  });
  after(() => server.close());

  /** Sends `text` on a new connection; `then` says what the client does next. What readBody made of it. */
  const send = async (text: string, then: 'wait' | 'close' | 'half-close' = 'wait'): Promise<Outcome> => {
    const outcome = new Promise<Outcome>((resolve) => outcomes.push(resolve));
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    socket.resume();
    await once(socket, 'connect');
    socket.write(text);
    if (then === 'close') setTimeout(() => socket.destroy(), 20);
    if (then === 'half-close') socket.end();
    try {
      return await outcome;
    } finally {
      socket.destroy();
    }
  };
  const post = (headers: string, body = '') => `POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}\r\n${body}`;
  const problemCode = (outcome: Outcome) => ('error' in outcome && outcome.error instanceof ProblemError ? outcome.error.code : outcome);
  const text = (outcome: Outcome) => ('body' in outcome ? outcome.body?.toString('utf8') : outcome);

  test('no body: nothing announced, or an empty one', async () => {
    assert.equal(text(await send(post(''))), undefined);
    assert.equal(text(await send(post('Content-Length: 0\r\n'))), undefined);
    assert.equal(text(await send(post('Transfer-Encoding: chunked\r\n', '0\r\n\r\n'))), undefined);
  });

  test('a whole body: by Content-Length, or chunked', async () => {
    assert.equal(text(await send(post('Content-Length: 9\r\n', '{"a":"b"}'))), '{"a":"b"}');
    assert.equal(text(await send(post('Transfer-Encoding: chunked\r\n', '4\r\n{"a"\r\n5\r\n:"b"}\r\n0\r\n\r\n'))), '{"a":"b"}');
  });

  test('past the limit: 413 payload_too_large, announced or chunked', async () => {
    assert.equal(problemCode(await send(post('Content-Length: 65\r\n', 'x'.repeat(65)))), 'payload_too_large');
    // Refused on the announced length, before the bytes arrive.
    assert.equal(problemCode(await send(post('Content-Length: 100000\r\n'))), 'payload_too_large');
    assert.equal(problemCode(await send(post('Transfer-Encoding: chunked\r\n', `41\r\n${'x'.repeat(65)}\r\n0\r\n\r\n`))), 'payload_too_large');
    assert.equal(text(await send(post('Content-Length: 64\r\n', 'x'.repeat(64)))), 'x'.repeat(64));
  });

  test('content codings are refused (415), identity in any spelling is read', async () => {
    for (const coding of ['gzip', 'deflate', 'br', 'gzip, identity']) {
      assert.equal(problemCode(await send(post(`Content-Encoding: ${coding}\r\nContent-Length: 2\r\n`, '{}'))), 'unsupported_media_type', coding);
    }
    assert.equal(text(await send(post('Content-Encoding:  Identity \r\nContent-Length: 2\r\n', '{}'))), '{}');
  });

  test('a body the client stops sending is 400 request_aborted: connection closed, or half-closed short of its length', async () => {
    assert.equal(problemCode(await send(post('Content-Length: 40\r\n', '{"a":'), 'close')), 'request_aborted');
    assert.equal(problemCode(await send(post('Content-Length: 40\r\n', '{"a":'), 'half-close')), 'request_aborted');
    assert.equal(problemCode(await send(post('Transfer-Encoding: chunked\r\n', '10\r\n{"a":'), 'close')), 'request_aborted');
    assert.equal(problemCode(await send(post('Transfer-Encoding: chunked\r\n', '10\r\n{"a":'), 'half-close')), 'request_aborted');
  });
});
