// Retry schedule for bank events: exponential from 5 s, capped at one hour, with ±20% jitter;
// 35 attempts span a little over 24 hours (docs/events.md: "at least 24 h").
export const webhookAttempts = 35;
const firstDelayMs = 5_000;
const maxDelayMs = 3_600_000;

export function webhookBackoffDelay(attemptsMade: number, random: () => number = Math.random): number {
  const base = Math.min(maxDelayMs, firstDelayMs * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** Total span of the schedule without jitter, for docs and tests. */
export function webhookScheduleSpanMs(): number {
  let total = 0;
  for (let attempt = 1; attempt < webhookAttempts; attempt += 1) total += Math.min(maxDelayMs, firstDelayMs * 2 ** (attempt - 1));
  return total;
}
