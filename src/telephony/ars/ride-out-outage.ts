// Twilio gives a voice webhook up to 15 s (its default read timeout), and a 5xx ends the call with
// an application error: the keys the customer pressed — a `*` fraud report — are gone with it. So a
// webhook that fails because PostgreSQL or Redis is away for a moment (a restart, a failover, Redis
// at maxmemory) is run again until it succeeds or `patienceMs` has passed; only then is it answered
// 503 (docs/reliability.md, "Answers given during a short outage"). Running it again is safe: each
// webhook is one transaction on a locked attempt, and a webhook that did commit before its answer
// was lost finds its own step recorded and replays it.

export interface RideOutOptions {
  /** How long to keep trying (ARS_WEBHOOK_PATIENCE_MS). */
  patienceMs: number;
  /** Whether an error means "unavailable for now" (worth another try). */
  isTransient: (error: unknown) => boolean;
  /** Milliseconds on a monotonic clock (tests may inject one). */
  now?: () => number;
  /** Waits `ms` (tests may inject one). */
  sleep?: (ms: number) => Promise<void>;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function rideOutOutage<T>(work: () => Promise<T>, options: RideOutOptions): Promise<T> {
  const { patienceMs, isTransient, now = () => performance.now(), sleep = pause } = options;
  const deadline = now() + patienceMs;
  for (let waitMs = 100; ; waitMs = Math.min(waitMs * 2, 1000)) {
    try {
      return await work();
    } catch (error) {
      const left = deadline - now();
      if (!isTransient(error) || left <= 0) throw error;
      await sleep(Math.min(waitMs, left));
    }
  }
}
