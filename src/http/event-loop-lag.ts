// How late this process's event loop runs, so that a process starved of CPU sheds bank requests and
// keeps its time for Twilio's webhooks and its health checks (docs/reliability.md, "Bank requests are
// shed while the process runs late"). A timer ticks every `sampleEveryMs`; how much later than due it
// runs is the loop's lag — what perf_hooks' monitorEventLoopDelay samples, read here at the moment the
// loop resumes: the tick after a stall runs before the I/O that queued up during it (timers come
// first in each turn of the loop), so the requests that waited out the stall already see it.
import { performance } from 'node:perf_hooks';
import { nowMs, type Clock } from '../time/clock.ts';

export interface EventLoopLag {
  /** True from a tick later than the bound until `holdMs` (by the clock) after the last such tick. */
  overloaded(): boolean;
  /** The lag of the last tick, in ms. */
  lastLagMs(): number;
  stop(): void;
}

export interface EventLoopLagOptions {
  /** A tick later than this (ms) marks the process overloaded (MAX_EVENT_LOOP_LAG_MS). */
  maxLagMs: number;
  clock: Clock;
  /** How long the process counts as overloaded after the last late tick (default 1000 ms). */
  holdMs?: number;
  /** How often the loop is sampled (default 50 ms). */
  sampleEveryMs?: number;
}

export function watchEventLoopLag(options: EventLoopLagOptions): EventLoopLag {
  const every = options.sampleEveryMs ?? 50;
  const holdMs = options.holdMs ?? 1000;
  let due = performance.now() + every;
  let lastLag = 0;
  /** The clock's time until which the process counts as overloaded. */
  let overloadedUntil = -Infinity;
  const timer = setInterval(() => {
    const now = performance.now();
    lastLag = Math.max(0, now - due);
    due = now + every;
    if (lastLag > options.maxLagMs) overloadedUntil = nowMs(options.clock) + holdMs;
  }, every);
  timer.unref();
  return {
    overloaded: () => nowMs(options.clock) < overloadedUntil,
    lastLagMs: () => lastLag,
    stop: () => clearInterval(timer),
  };
}
