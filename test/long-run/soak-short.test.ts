// test: slow, about 131 s
// The short form of `npm run soak` (docs/reliability.md "Time as a tested dimension"): the demo itself,
// in real time, for 75 s — past the receipt key's 60 s refresh (the embedded database hung on the first
// approval after it), the caches' lifetimes and the server's keep-alive timeout between rounds — every
// round's flows answered, /readyz ready, and SIGTERM ending the demo cleanly. The table is printed when it fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runScript } from '../support/run-script.ts';

test('soak, short form: the demo answers every flow for 75 s of real time and stops cleanly', { timeout: 400_000 }, async () => {
  const { code, output } = await runScript('soak/run.ts', { SOAK_SECONDS: '75' });
  assert.equal(code, 0, output);
  assert.match(output, /every step answered in every round, and the demo stopped cleanly/);
  const rounds = Number(/\[soak\] (\d+) rounds over 75 s/.exec(output)?.[1]);
  assert.ok(rounds >= 3, `rounds spread over the 75 s: ${output}`);
});
