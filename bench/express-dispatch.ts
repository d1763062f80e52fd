// `npx tsx bench/express-dispatch.ts`: what carrying a request through express costs, apart from any
// work. The same answer (a 1.5 KB JSON body with stepup's seventeen headers, after reading a small
// body) from node's request listener and from express's first middleware, each server in a process
// of its own under the same autocannon load (50 connections, BENCH_DURATION s after a 3 s warm-up),
// alternating twice; prints requests/s and the server's CPU per request from /proc (Linux). This is
// why declared routes are served before express (src/http/app.ts; BENCHMARKS.md).
import http from 'node:http';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import express from 'express';
import { freePort, startChild, stopChild } from './harness.ts';

const mode = process.env.DISPATCH_MODE;
if (mode === 'raw' || mode === 'express') {
  const body = JSON.stringify({ id: 'chl_x', status: 'not_required', padding: 'x'.repeat(1500) });
  const answer = (res: http.ServerResponse) => {
    res.setHeader('x-request-id', 'bench-request-id');
    for (let i = 0; i < 13; i += 1) res.setHeader(`x-static-${i}`, 'value');
    res.setHeader('cache-control', 'no-store');
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('content-length', Buffer.byteLength(body));
    res.end(body);
  };
  // Read the body, then answer on a later turn of the event loop, as a handler awaiting storage would.
  const serve = (req: http.IncomingMessage, res: http.ServerResponse) => {
    req.on('data', () => undefined);
    req.on('end', () => setImmediate(() => answer(res)));
  };
  const app = express();
  app.use((req, res) => serve(req, res));
  http.createServer(mode === 'raw' ? serve : app).listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
} else {
  const duration = Number(process.env.BENCH_DURATION ?? 5);
  const cpuMicros = (pid: number) => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
  };
  for (const dispatch of ['raw', 'express', 'raw', 'express']) {
    const port = await freePort();
    const child = await startChild('bench/express-dispatch.ts', { PORT: String(port), DISPATCH_MODE: dispatch }, 'ready');
    const url = `http://127.0.0.1:${port}/v1/challenges`;
    const options = { url, connections: 50, method: 'POST' as const, body: '{"customerId":"c-1"}', headers: { 'content-type': 'application/json' } };
    await autocannon({ ...options, duration: 3 });
    const before = cpuMicros(child.pid!);
    const result = await autocannon({ ...options, duration });
    const used = cpuMicros(child.pid!) - before;
    process.stdout.write(`${dispatch === 'raw' ? "node's listener" : 'express'}: ${Math.round(result.requests.average)} req/s; server CPU ${Math.round(used / result.requests.total)} µs per request\n`);
    await stopChild(child);
  }
}
