// Graceful HTTP shutdown under keep-alive (docs/reliability.md). Once draining: the requests being
// handled finish, and their responses carry `Connection: close` so their keep-alive connections end;
// any request that arrives later (on a kept-alive or pipelined connection) is refused before it
// reaches the app with 503 + Retry-After + `Connection: close`; the listener stops at once. Idle
// keep-alive connections are not closed at once: a client may be writing its next request on one
// right now, and would meet a reset connection instead of the refusal. They are given `lingerMs`
// (or until their clients close them), then closed. drain() resolves when the last handler has
// answered and the connections are closed, or when the grace period runs out (then the connections
// still open are cut): only after that may workers, queues and pools be closed.
import type { RequestListener, Server, ServerResponse } from 'node:http';
import { Server as NetServer } from 'node:net';
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
  async drain(server: Server, graceMs: number, lingerMs = Math.min(500, graceMs)): Promise<{ cut: number }> {
    this.draining = true;
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
    // Stop listening only: http.Server#close would also close the idle keep-alive connections now.
    const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
    let expire: () => void = () => undefined;
    const timer = setTimeout(() => expire(), graceMs);
    const graceOver = new Promise<void>((resolve) => (expire = resolve));
    let lingerTimer: NodeJS.Timeout | undefined;
    const lingerOver = new Promise<void>((resolve) => (lingerTimer = setTimeout(resolve, lingerMs)));
    try {
      const answered = this.inFlight.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => (this.onIdle = resolve));
      await Promise.race([answered, graceOver]);
      // Requests still on their way on idle connections are refused with a 503 meanwhile.
      await Promise.race([closed, graceOver, lingerOver]);
      server.closeIdleConnections();
      await Promise.race([closed, graceOver]);
      const cut = this.inFlight.size;
      server.closeAllConnections();
      await closed;
      return { cut };
    } finally {
      clearTimeout(timer);
      clearTimeout(lingerTimer);
    }
  }
}
