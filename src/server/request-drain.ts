// Graceful HTTP shutdown under keep-alive (docs/reliability.md). Once draining: the requests being
// handled finish, and their responses carry `Connection: close` so their keep-alive connections end;
// any request that arrives later (on a kept-alive or pipelined connection) is refused before it
// reaches the app with 503 + Retry-After + `Connection: close`; the listener stops at once. drain()
// resolves when the last handler has answered, or when the grace period runs out (then the
// connections still open are cut): only after that may workers, queues and pools be closed.
import type { RequestListener, Server, ServerResponse } from 'node:http';
import { ProblemError } from '../errors/problem.ts';

const refusal = JSON.stringify(new ProblemError('service_unavailable', 'The server is shutting down; retry on a new connection').toBody());

function refuse(res: ServerResponse): void {
  res.writeHead(503, {
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(refusal),
    'retry-after': '1',
    connection: 'close',
  });
  res.end(refusal);
}

export class RequestDrain {
  private readonly inFlight = new Set<ServerResponse>();
  private draining = false;
  private onIdle: (() => void) | undefined;

  /** Wraps the app: tracks the requests in flight and refuses new ones while draining. */
  listener(app: RequestListener): RequestListener {
    return (req, res) => {
      if (this.draining) return refuse(res);
      this.inFlight.add(res);
      // 'close' follows the end of the response, or a connection lost before it.
      res.once('close', () => {
        this.inFlight.delete(res);
        if (this.inFlight.size === 0) this.onIdle?.();
      });
      app(req, res);
    };
  }

  /**
   * Starts draining `server` synchronously, then waits up to `graceMs` for the requests in flight.
   * Returns how many were still running when the grace period ran out (their connections are cut).
   */
  async drain(server: Server, graceMs: number): Promise<{ cut: number }> {
    this.draining = true;
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    let expire: () => void = () => undefined;
    const timer = setTimeout(() => expire(), graceMs);
    const graceOver = new Promise<void>((resolve) => (expire = resolve));
    try {
      const answered = this.inFlight.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => (this.onIdle = resolve));
      await Promise.race([answered, graceOver]);
      // A response that had begun before draining kept its connection alive: now idle, close it.
      server.closeIdleConnections();
      await Promise.race([closed, graceOver]);
      const cut = this.inFlight.size;
      server.closeAllConnections();
      await closed;
      return { cut };
    } finally {
      clearTimeout(timer);
    }
  }
}
