// One HTTP behaviour (docs/architecture.md, "HTTP"): a declared route (served by the fast path) and a
// route mounted on express are sent the same list of requests — every method, trailing slash, upper
// case, percent-encodings; no body, a JSON body, a body cut short — over raw sockets to 127.0.0.1,
// and must answer alike: the same status class and the same set of headers.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import net from 'node:net';
import { EventEmitter, once } from 'node:events';
import { Writable } from 'node:stream';
import express from 'express';
import { z } from 'zod';
import { createLogger } from '../observability/logger.ts';
import { createMetrics } from '../observability/metrics.ts';
import { eventually } from '../../test/support/eventually.ts';
import { createApp } from './app.ts';
import { defineRoute } from './route.ts';

/** A public declared route: what the fast path does before authentication applies to every route. */
const declared = (method: 'get' | 'post', path: string, status: number) =>
  defineRoute({
    method,
    path,
    auth: { kind: 'public' },
    summary: `${method} ${path}`,
    tags: [],
    ...(method === 'post' ? { body: z.strictObject({ a: z.string() }).optional() } : {}),
    responses: {},
    handler: async () => ({ status, body: { ok: true } }),
  });


/** The slow handlers say here when they have answered (late: after the client's body was cut short). */
const lateAnswers = new EventEmitter();
/** The same routes as an express router, as the console and the webhooks are mounted. */
function mountedRouter(): express.Router {
  const router = express.Router();
  router.get('/probe', (_req, res) => {
    res.json({ ok: true });
  });
  router.post('/probe', express.json(), (_req, res) => {
    res.status(201).json({ ok: true });
  });
  router.get('/probe/:name', (_req, res) => {
    res.json({ ok: true });
  });
  // Also declared (GET /admin/shadowed): the declared route answers, never this one.
  router.get('/shadowed', (_req, res) => {
    res.status(418).json({ ok: false });
  });
  router.post('/shadowed', (_req, res) => {
    res.status(202).json({ ok: true });
  });
  router.get('/slow', (_req, res) => {
    setTimeout(() => {
      res.json({ ok: true });
      setImmediate(() => lateAnswers.emit('answered', '/admin/slow'));
    }, 100);
  });
  return router;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Reads one answer (the server closes the connection after it: `Connection: close`). */
function parseAnswer(text: string): Answer {
  const end = text.indexOf('\r\n\r\n');
  const [statusLine = '', ...lines] = text.slice(0, end === -1 ? text.length : end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: end === -1 ? '' : text.slice(end + 4) };
}

/** Headers whose presence says nothing about the behaviour: framing, dates, express's ETag. */
const framing = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding', 'etag']);
const headerSet = (answer: Answer) => Object.keys(answer.headers).filter((name) => !framing.has(name)).sort();

const methods = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'PROPFIND'];
const paths = ['/probe', '/probe/', '/PROBE', '/Probe/', '/pr%6Fbe', '/probe/caf%C3%A9', '/probe/%E0%A4%A', '/probe/a/b', '/nothing'];
const bodies = {
  none: { headers: '', text: '', then: 'wait' },
  json: { headers: 'Content-Type: application/json\r\nContent-Length: 9\r\n', text: '{"a":"b"}', then: 'wait' },
  // Announced 40 bytes, sent 6, then the client's half of the connection closed.
  truncated: { headers: 'Content-Type: application/json\r\nContent-Length: 40\r\n', text: '{"a":"', then: 'half-close' },
} as const;

describe('one HTTP behaviour: a declared route and an express-mounted route answer alike', () => {
  let server: Server;
  let port: number;
  const logs: string[] = [];
  before(async () => {
    const logger = createLogger('debug', new Writable({ write(chunk, _encoding, done) { logs.push(String(chunk)); done(); } }) as never);
    const unused = {} as never;
    const app = createApp({
      routes: [
        declared('get', '/v1/probe', 200),
        declared('post', '/v1/probe', 201),
        declared('get', '/v1/probe/:name', 200),
        declared('get', '/admin/shadowed', 200),
        defineRoute({ method: 'get', path: '/v1/slow', auth: { kind: 'public' }, summary: 'slow', tags: [], responses: {}, handler: () =>
          new Promise((resolve) =>
            setTimeout(() => {
              resolve({ status: 200, body: { ok: true } });
              // After the framework's own continuations (microtasks and nextTicks) have run.
              setImmediate(() => lateAnswers.emit('answered', '/v1/slow'));
            }, 100),
          ) }),
      ],
      logger,
      metrics: createMetrics(),
      publicBaseUrl: 'http://127.0.0.1',
      bodyLimit: '64kb',
      bankVerifier: unused,
      adminAuth: unused,
      keyRateLimiter: unused,
      authFailures: unused,
      // Under /admin, as the console is: both sides are API paths (cache-control: no-store).
      mounts: [{ path: '/admin', handler: mountedRouter() }],
    });
    server = createServer(app.listener);
    server.on('clientError', app.onClientError);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as net.AddressInfo).port;
  });
  after(() => server.close());

  /** One request on its own connection; resolves with the first answer once the server closes it. */
  const send = async (method: string, path: string, body: { headers: string; text: string; then: 'wait' | 'half-close' }): Promise<Answer> => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    let received = '';
    socket.on('data', (chunk) => (received += String(chunk)));
    const closed = once(socket, 'close');
    await once(socket, 'connect');
    socket.write(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${body.headers}\r\n${body.text}`);
    if (body.then === 'half-close') socket.end();
    const timer = setTimeout(() => socket.destroy(), 5_000);
    await closed;
    clearTimeout(timer);
    return parseAnswer(received);
  };

  test('every method, path spelling and body: the same status class and the same headers', async () => {
    const differences: string[] = [];
    for (const method of methods) {
      for (const path of paths) {
        for (const [bodyName, body] of Object.entries(bodies)) {
          const [fast, mounted] = [await send(method, `/v1${path}`, body), await send(method, `/admin${path}`, body)];
          const fastHeaders = headerSet(fast);
          const onlyFast = fastHeaders.filter((name) => !headerSet(mounted).includes(name));
          const onlyMounted = headerSet(mounted).filter((name) => !fastHeaders.includes(name));
          const what = `${method} ${path} (${bodyName} body): fast path ${fast.status}, express ${mounted.status}; headers only on the fast path [${onlyFast}], only on express [${onlyMounted}]`;
          if (Math.floor(fast.status / 100) !== Math.floor(mounted.status / 100) || onlyFast.length + onlyMounted.length > 0) differences.push(what);
        }
      }
    }
    assert.deepEqual(differences, []);
  });

  test('another method on a known path: 405 method_not_allowed with Allow, HEAD wherever GET is, declared or mounted', async () => {
    for (const prefix of ['/V1', '/admin']) {
      for (const method of ['PUT', 'DELETE', 'PATCH', 'PROPFIND']) {
        const answer = await send(method, `${prefix}/Probe/`, bodies.none);
        assert.equal(answer.status, 405, `${method} ${prefix}`);
        assert.equal(answer.headers.allow, 'GET, HEAD, POST');
        assert.match(answer.headers['content-type'] ?? '', /^application\/problem\+json/);
        assert.equal(JSON.parse(answer.body).code, 'method_not_allowed');
      }
      assert.equal((await send('POST', `${prefix}/probe/x`, bodies.json)).headers.allow, 'GET, HEAD');
      // A path no route has stays a 404, whatever the method.
      assert.equal((await send('PUT', `${prefix}/nothing`, bodies.none)).status, 404);
    }
  });

  test('OPTIONS: 204 with Allow and no body, on both; no CORS is granted', async () => {
    for (const path of ['/v1/probe', '/admin/probe']) {
      const answer = await send('OPTIONS', path, bodies.none);
      assert.equal(answer.status, 204, path);
      assert.equal(answer.headers.allow, 'GET, HEAD, POST', path);
      assert.equal(answer.body, '', path);
      assert.deepEqual(Object.keys(answer.headers).filter((name) => name.startsWith('access-control-')), [], path);
    }
  });

  test('HEAD: the GET answer without its body, content-length included', async () => {
    for (const path of ['/v1/probe', '/admin/probe']) {
      const [get, head] = [await send('GET', path, bodies.none), await send('HEAD', path, bodies.none)];
      assert.equal(head.status, get.status, path);
      assert.equal(head.body, '', path);
      assert.equal(head.headers['content-length'], String(Buffer.byteLength(get.body)), path);
      assert.deepEqual(headerSet(head), headerSet(get), path);
    }
  });

  test('a body cut short: 400 request_aborted problem+json on both, logged at debug and never as an error', async () => {
    const before = logs.length;
    for (const path of ['/v1/probe', '/admin/probe']) {
      const answer = await send('POST', path, bodies.truncated);
      assert.equal(answer.status, 400, path);
      assert.match(answer.headers['content-type'] ?? '', /^application\/problem\+json/, path);
      assert.equal(JSON.parse(answer.body).code, 'request_aborted', path);
      assert.ok(answer.headers['x-request-id'], path);
    }
    // A client that goes away mid-body: no answer to give, the same debug line.
    for (const path of ['/v1/probe', '/admin/probe']) {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.on('error', () => undefined);
      await once(socket, 'connect');
      socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${bodies.truncated.headers}\r\n${bodies.truncated.text}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      socket.destroy();
    }
    const deadline = Date.now() + 5_000;
    const aborted = () => logs.slice(before).filter((line) => line.includes('request body aborted'));
    while (aborted().length < 4 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(aborted().length >= 4, logs.slice(before).join(''));
    for (const line of aborted()) assert.equal(JSON.parse(line).level, 20, line);
    assert.deepEqual(logs.slice(before).filter((line) => JSON.parse(line).level >= 50), []);
  });

  test('a body cut short on a route that does not read it: no error logged when its handler answers late', async () => {
    const before = logs.length;
    const answered: string[] = [];
    const bothAnswered = new Promise<void>((resolve) => {
      const note = (path: string) => {
        answered.push(path);
        if (answered.length === 2) resolve();
      };
      lateAnswers.on('answered', note);
    });
    for (const path of ['/v1/slow', '/admin/slow']) await send('GET', path, bodies.truncated);
    // Each handler has answered, late, and whatever the server does with that answer has happened.
    await bothAnswered;
    assert.deepEqual(answered.sort(), ['/admin/slow', '/v1/slow']);
    assert.deepEqual(logs.slice(before).filter((line) => JSON.parse(line).level >= 50), []);
  });

  test("the client's request id when it is 8–64 safe characters, else a new one; one access-log line per answer, on both", async () => {
    const withId = (id: string) => ({ ...bodies.none, headers: `X-Request-Id: ${id}\r\n` });
    const accessLines = (id: string) => logs.filter((line) => line.includes('request completed') && JSON.parse(line).req.id === id);
    for (const path of ['/v1/probe', '/admin/probe', '/v1/nothing', '/admin/nothing']) {
      const kept = `bank-${path.replace(/\W/g, '')}-0123456789`;
      const answer = await send('GET', path, withId(kept));
      assert.equal(answer.headers['x-request-id'], kept, path);
      // The line is written when the answer has been handed to the socket: the client has it first.
      await eventually(async () => (accessLines(kept).length === 1 ? true : undefined), 5_000, `the access-log line of ${path}`);
      assert.deepEqual(accessLines(kept).map((line) => JSON.parse(line).res.statusCode), [answer.status], path);
      for (const refused of ['short', 'a'.repeat(65), 'has space inside', 'semi;colon-0123']) {
        const replaced = await send('GET', path, withId(refused));
        assert.match(replaced.headers['x-request-id'] ?? '', /^[0-9a-f-]{36}$/, `${path} ${refused}`);
      }
    }
  });

  test('a declared route wins over a mount of the same path and method; the mount keeps the methods the declared routes lack', async () => {
    assert.equal((await send('GET', '/admin/shadowed', bodies.none)).status, 200);
    assert.equal((await send('HEAD', '/admin/shadowed', bodies.none)).status, 200);
    assert.equal((await send('POST', '/admin/shadowed', bodies.none)).status, 202);
  });

  test('the same headers on both: security headers, x-request-id, cache-control on /v1 and /admin', async () => {
    const [fast, mounted] = [await send('GET', '/v1/probe', bodies.none), await send('GET', '/admin/probe', bodies.none)];
    for (const answer of [fast, mounted]) {
      assert.equal(answer.headers['cache-control'], 'no-store');
      assert.match(answer.headers['x-request-id'] ?? '', /^[0-9a-f-]{36}$/);
      for (const name of ['content-security-policy', 'strict-transport-security', 'x-content-type-options', 'x-frame-options', 'referrer-policy']) assert.ok(answer.headers[name], name);
    }
    for (const name of Object.keys(fast.headers).filter((header) => !framing.has(header) && header !== 'x-request-id')) assert.equal(mounted.headers[name], fast.headers[name], name);
  });
});
