// The event loop lag watcher (src/http/event-loop-lag.ts): a stall longer than the bound marks the
// process overloaded until the hold has passed on the clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JumpClock } from '../time/clock.ts';
import { watchEventLoopLag } from './event-loop-lag.ts';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Keeps this process's event loop busy for `ms` (the stall a starved or overloaded process has). */
function stall(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

test('a stall past the bound marks the process overloaded until the hold has passed on the clock', async () => {
  const clock = new JumpClock();
  const lag = watchEventLoopLag({ maxLagMs: 300, clock: clock.now, holdMs: 60_000, sampleEveryMs: 20 });
  try {
    await tick(50);
    stall(1000);
    await tick(50);
    assert.ok(lag.overloaded(), `after a 1 s stall (last lag ${Math.round(lag.lastLagMs())} ms)`);
    // No more samples: what follows is the hold on the clock alone (a busy machine cannot re-arm it).
    lag.stop();
    clock.advance(59_000);
    assert.ok(lag.overloaded(), 'still within the hold');
    clock.advance(2000);
    assert.equal(lag.overloaded(), false, 'the hold has passed');
  } finally {
    lag.stop();
  }
});
