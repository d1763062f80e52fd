// Ports for servers a test starts a moment later, often in another process: a stepup child, a
// private Redis or PostgreSQL, HAProxy, an in-process test server.
//
// A port from listen(0) is not safe to hand on. It comes from the kernel's ephemeral range, and
// until the child binds it, any other test process's listen(0) (an event sink) can be given the same
// port. In a CI run that happened: a sink took the port of a stepup child still starting, the
// child's readiness poll got the sink's 204, and both tests failed on empty bodies.
//
// So ports come from below (or above) the ephemeral range, where listen(0) and outgoing connections
// never go, and each is reserved across the suite's processes: a file named after the port, created
// exclusively in the folder the runner gives (STEPUP_TEST_PORTS_DIR, removed when the run ends).
// Without that folder (a test file run by hand) the reservations are this process's own.
import net from 'node:net';
import { readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { claimWithPidFile } from './pid-file.ts';

/** The kernel's ephemeral range (Linux; its default elsewhere or when unreadable). */
export function ephemeralPortRange(): { low: number; high: number } {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low && high) return { low, high };
  } catch {
    // Not Linux: its default.
  }
  return { low: 32768, high: 60999 };
}

/** Read from /proc once per process. */
let handingOut: { first: number; last: number } | undefined;

/** The ports handed out: the larger side of the ephemeral range, above the well-known and registered ones most services use. */
export function handOutRange(): { first: number; last: number } {
  return (handingOut ??= rangeOutsideEphemeral());
}

function rangeOutsideEphemeral(): { first: number; last: number } {
  const { low, high } = ephemeralPortRange();
  const below = { first: 10_000, last: low - 1 };
  const above = { first: high + 1, last: 65_535 };
  const size = (range: { first: number; last: number }) => range.last - range.first + 1;
  const range = size(below) >= size(above) ? below : above;
  if (size(range) < 1000) throw new Error(`the ephemeral port range ${low}-${high} leaves fewer than 1000 ports to hand out`);
  return range;
}

const reservedHere = new Set<number>();
const reservationFiles: string[] = [];
process.once('exit', () => {
  for (const file of reservationFiles) {
    try {
      unlinkSync(file);
    } catch {
      // The runner removes the folder anyway.
    }
  }
});

/** Reserves `port` for this process; false when another process (or this one) has it. */
function reserve(port: number): boolean {
  if (reservedHere.has(port)) return false;
  const folder = process.env.STEPUP_TEST_PORTS_DIR;
  if (folder) {
    const file = join(folder, String(port));
    if (!claimWithPidFile(file)) return false;
    reservationFiles.push(file);
  }
  reservedHere.add(port);
  return true;
}

/** True when nothing listens on 127.0.0.1:`port` now. */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port no other test process is given, free now, and outside the range listen(0) draws from. */
export async function freePort(): Promise<number> {
  const { first, last } = handOutRange();
  for (let tries = 0; tries < 200; tries += 1) {
    const port = first + Math.floor(Math.random() * (last - first + 1));
    if (!reserve(port)) continue;
    if (await bindable(port)) return port;
    // Someone outside the suite listens there: the reservation stays, so it is not tried again.
  }
  throw new Error(`no free port in ${first}-${last} after 200 tries`);
}
