// Open-loop load at a fixed rate (the wrk2 way): request i is due at start + i/rate, whatever
// happened to earlier ones, and its latency is counted from when it was due, so a stalled server
// cannot hide its stall by slowing the load down (no coordinated omission). Used for the "half
// load" runs: autocannon's rate mode sends each second's quota in one burst at the start of the
// second, which measures bursts of full load rather than half load.
// Like wrk2 (and like a bank's keep-alive client pool), it uses a fixed number of connections,
// all opened before the clock starts: a request due while every connection is busy waits for one,
// and that wait counts. Opening connections on demand instead would time TCP set-up in the first
// second and open ever more connections whenever the server paused.
import http from 'node:http';

export interface OpenLoopResult {
  /** Responses per second over the run. */
  rps: number;
  p50: number;
  p99: number;
  max: number;
  /** Non-2xx answers plus transport errors. */
  errors: number;
  sent: number;
}

export interface PlannedRequest {
  path: string;
  body: string;
  headers: Record<string, string>;
}

/** Opens `count` keep-alive connections (concurrent GET /healthz) and leaves them idle in the agent. */
async function openConnections(target: URL, agent: http.Agent, count: number): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, () =>
      new Promise<void>((resolve, reject) => {
        http.get({ host: target.hostname, port: target.port, path: '/healthz', agent }, (response) => response.resume().on('end', resolve)).on('error', reject);
      }),
    ),
  );
  const idle = Object.values(agent.freeSockets).reduce((sum, sockets) => sum + (sockets?.length ?? 0), 0);
  if (idle !== count) throw new Error(`open loop: ${idle} of ${count} connections open before the run`);
}

const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);

export async function openLoop(url: string, options: { rate: number; durationSeconds: number; connections: number; makeRequest: () => PlannedRequest }): Promise<OpenLoopResult> {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections, maxFreeSockets: options.connections, scheduling: 'fifo' });
  await openConnections(target, agent, options.connections);
  const latencies: number[] = [];
  let errors = 0;
  const total = Math.round(options.rate * options.durationSeconds);
  const intervalMs = 1000 / options.rate;
  const start = performance.now();
  const inFlight: Promise<void>[] = [];

  const send = (dueAt: number) =>
    new Promise<void>((resolve) => {
      const planned = options.makeRequest();
      const request = http.request(
        { host: target.hostname, port: target.port, path: planned.path, method: 'POST', agent, headers: { ...planned.headers, 'content-length': Buffer.byteLength(planned.body) } },
        (response) => {
          response.resume();
          response.on('end', () => {
            if (response.statusCode! >= 200 && response.statusCode! < 300) latencies.push(performance.now() - dueAt);
            else errors += 1;
            resolve();
          });
        },
      );
      request.on('error', () => {
        errors += 1;
        resolve();
      });
      request.end(planned.body);
    });

  for (let i = 0; i < total; i += 1) {
    const dueAt = start + i * intervalMs;
    const wait = dueAt - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(send(dueAt));
  }
  await Promise.all(inFlight);
  const elapsedSeconds = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 10) / 10;
  return { rps: latencies.length / elapsedSeconds, p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)), max: round(latencies[latencies.length - 1] ?? NaN), errors, sent: total };
}
