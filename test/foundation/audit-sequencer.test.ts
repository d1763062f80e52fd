// The audit sequencer's waits (src/audit/audit-sequencer.ts): every 100 ms while entries come, less and
// less often while none do, up to once a second, and back to 100 ms at the first entry it chains. An
// idle server used to look at its inbox ten times a second for ever: a database query each time, about
// 20 ms of CPU a second in an idle test server (docs/architecture.md "The suite").
// The sequencer's timer is the test's: it records each wait and runs the look when the test says.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { appendAudit } from '../../src/audit/audit-log.ts';
import { AuditSequencer } from '../../src/audit/audit-sequencer.ts';
import { channelModules } from '../../src/server/channel-modules.ts';
import type { Db } from '../../src/storage/db.ts';
import { pglitePool } from '../support/pglite-pool.ts';

/** A timer the test drives: `next()` waits for the sequencer's next wait, `fire()` ends it. */
function manualTimer() {
  const waits: number[] = [];
  let pending: { run: () => void; cancelled: boolean } | undefined;
  let onWait: (() => void) | undefined;
  return {
    waits,
    setTimer(run: () => void, ms: number) {
      const timer = { run, cancelled: false };
      pending = timer;
      waits.push(ms);
      onWait?.();
      return { cancel: () => void (timer.cancelled = true) };
    },
    /** Runs the look the sequencer waits for, and resolves with the wait it asks for next. */
    async fire(): Promise<number> {
      const timer = pending!;
      pending = undefined;
      const asked = new Promise<void>((resolve) => (onWait = resolve));
      timer.run();
      await asked;
      return waits[waits.length - 1]!;
    },
    cancelled: () => pending?.cancelled ?? true,
  };
}

describe('the audit sequencer looks less often while nothing comes', () => {
  let db: Db;
  before(async () => {
    db = await pglitePool.lease(channelModules);
  });
  after(() => db.close());

  const inboxed = async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM audit_inbox')).rows[0]!.n);
  const chained = async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM audit_log')).rows[0]!.n);
  const entry = (subject: string) => appendAudit(db, { tenantId: null, actor: 'test', action: 'test.entry', subject, data: {} });

  test('waits double from 100 ms to 1 s while the inbox is empty; the first entry chained brings 100 ms back', async () => {
    const timer = manualTimer();
    const sequencer = new AuditSequencer(db, pino({ level: 'silent' }), { setTimer: timer.setTimer });
    sequencer.start();
    assert.deepEqual(timer.waits, [100]);
    const idle = [];
    for (let look = 0; look < 6; look += 1) idle.push(await timer.fire());
    assert.deepEqual(idle, [200, 400, 800, 1000, 1000, 1000]);

    const before = await chained();
    await entry('first');
    assert.equal(await timer.fire(), 100, 'the look that chained an entry is followed by a short wait');
    assert.equal(await inboxed(), 0);
    assert.equal(await chained(), before + 1);
    assert.equal(await timer.fire(), 200, 'and an empty look after it starts the backing off again');

    await entry('second');
    await sequencer.stop();
    assert.ok(timer.cancelled(), 'stop() cancels the wait');
    assert.equal(await inboxed(), 0, 'stop() chains what is left');
    assert.equal(await chained(), before + 2);
  });

  test('the waits are its options: intervalMs after entries, doubling up to idleIntervalMs', async () => {
    const timer = manualTimer();
    const sequencer = new AuditSequencer(db, pino({ level: 'silent' }), { setTimer: timer.setTimer, intervalMs: 30, idleIntervalMs: 100 });
    sequencer.start();
    const waits = [timer.waits[0]];
    for (let look = 0; look < 4; look += 1) waits.push(await timer.fire());
    await entry('third');
    waits.push(await timer.fire());
    assert.deepEqual(waits, [30, 60, 100, 100, 100, 30]);
    await sequencer.stop();
  });
});
