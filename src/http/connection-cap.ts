// At most `max` open connections per client address (docs/security.md, L6): one address could
// otherwise hold thousands of connections with half-sent requests. Counted per TCP peer, before any
// request is read (X-Forwarded-For is not known yet): behind a load balancer the balancer is the peer,
// so MAX_CONNECTIONS_PER_ADDRESS must cover its connections (or be 0, no cap).
import type { Server } from 'node:http';
import type { Logger } from '../observability/logger.ts';

export function capConnectionsPerAddress(server: Server, max: number, logger: Logger): void {
  if (max <= 0) return;
  const open = new Map<string, number>();
  server.on('connection', (socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = (open.get(address) ?? 0) + 1;
    if (count > max) {
      logger.debug({ address, max }, 'connection refused: too many open connections from this address');
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
