// What "now" is, injectable (docs/reliability.md "Time as a tested dimension"). Everything that depends
// on time passing — cache lifetimes, key refreshes, expiry, signature windows, holds — reads the time
// through a Clock instead of Date.now(), so the long-run suite can move it past every boundary.

/** The current time. Production uses the system clock; tests pass a JumpClock. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/** Milliseconds since the epoch by `clock` (the Date.now() of code that takes a Clock). */
export const nowMs = (clock: Clock): number => clock().getTime();

/**
 * A clock that runs at real speed from a chosen offset and can be moved forward: the long-run suite
 * starts a server on one and jumps it past a cache refresh, an hour of uptime or a hold's end while
 * real timers keep working. Never backwards: nothing in stepup is asked to survive time reversing.
 */
export class JumpClock {
  private offsetMs: number;

  constructor(startOffsetMs = 0) {
    this.offsetMs = startOffsetMs;
  }

  /** The Clock function to inject. */
  readonly now: Clock = () => new Date(Date.now() + this.offsetMs);

  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error(`a clock only moves forward (asked ${ms} ms)`);
    this.offsetMs += ms;
  }

  get elapsedOffsetMs(): number {
    return this.offsetMs;
  }
}
