// test: slow, about 23 s
// An API process starved of CPU sheds bank requests and keeps answering Twilio's webhooks
// (docs/reliability.md, "Bank requests are shed while the process runs late"). In the full chaos run
// the API, starved by the bank's requests and retries on a machine at load average 12–36, answered
// some of Twilio's webhooks after Twilio's 15 s: the calls ended with an application error.
//
// Here a real API process is pinned to one CPU (taskset) with two busy loops pinned beside it, and
// a hundred bank clients (each back after Retry-After when refused) keep requests in flight against
// it while a customer's call is asking; the customer presses `*`. Its bound on requests in flight is off, so only the event loop's lag sheds.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { StepupClient } from '../../src/client/stepup-client.ts';
import { eventually } from '../support/test-server.ts';
import { startProcessWorld, arsTenant, type ProcessWorld } from '../support/stepup-process.ts';
import { enroll, arsChallenge, waitForAsk, press, seoulLandline } from '../ars/ars-fixture.ts';

// The bound the API runs with. At a third of one CPU on a quiet machine: with 200 ms nothing was shed
// and the test failed (only a whole run's load had made it pass); with 100 ms only the first burst
// (100–200 answers). With the API at nice 10 instead, it shed on a quiet machine, but a whole run's
// load starved it past Twilio's 15 s (17.8 s). With 50 ms: 554 and 574 of about 1,100 answers shed and
// the `*` decided in 5.1 s on a quiet machine; beside three more busy loops, 557–575 shed and 5.1–6.2 s.
const lagBoundMs = 50;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('an API process starved of CPU sheds bank requests and answers webhooks in time', () => {
  let world: ProcessWorld;
  let url: string;
  const metricsToken = `met-${randomBytes(18).toString('base64url')}`;
  let client: StepupClient;
  const closing: (() => Promise<void>)[] = [];

  before(async () => {
    world = await startProcessWorld({
      apis: 1,
      env: { METRICS_TOKEN: metricsToken, RATE_LIMIT_PER_KEY_PER_MINUTE: '1000000', MAX_BANK_REQUESTS_IN_FLIGHT: '0', MAX_EVENT_LOOP_LAG_MS: String(lagBoundMs) },
    });
    url = `http://127.0.0.1:${world.ports[0]}`;
    client = await arsTenant(url, world.adminToken);
  });

  after(async () => {
    for (const close of closing.reverse()) await close();
    await world?.close();
  });

  async function shedCount(): Promise<number> {
    const text = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } }).then((r) => r.text());
    return Number(/^stepup_bank_requests_shed_total\{reason="event_loop_lag"\} (\d+)/m.exec(text)?.[1] ?? 0);
  }

  it('while the loop runs late, bank requests get 503 with Retry-After at once and the customer’s `*` is applied within Twilio’s 15 s', async (t) => {
    // The set-up retries a 503 as a bank does (a process just started on a busy machine can run late).
    const settingUp = async <T>(step: () => Promise<T>): Promise<T> => {
      for (let tries = 1; ; tries += 1) {
        try {
          return await step();
        } catch (error) {
          if (tries >= 20 || !/: 503 /.test(String(error))) throw error;
          await sleep(1000);
        }
      }
    };
    await settingUp(() => enroll(client, 'cust-starved'));
    const challenge = await settingUp(() => arsChallenge(client, 'cust-starved'));
    const call = await waitForAsk(world.sim, seoulLandline, 0, 30_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\nworker: ${world.worker.output}\napi: ${world.apis[0]!.output}`);
    });

    // The API and two busy loops share CPU 0.
    const pinned = spawnSync('taskset', ['-a', '-p', '-c', '0', String(world.apis[0]!.pid)], { encoding: 'utf8' });
    assert.equal(pinned.status, 0, `taskset: ${pinned.stderr}`);
    const hogs: ChildProcess[] = Array.from({ length: 2 }, () => spawn('taskset', ['-c', '0', process.execPath, '-e', 'for (;;) {}'], { stdio: 'ignore' }));
    closing.push(async () => {
      for (const hog of hogs) hog.kill('SIGKILL');
    });

    // A hundred bank requests kept in flight.
    const answers = { total: 0, shed: 0, shedWithRetryAfter: 0, other: new Map<number, number>() };
    let loading = true;
    const loaders = Array.from({ length: 100 }, async () => {
      while (loading) {
        const read = await client.getChallenge<any>(challenge.id).catch(() => undefined);
        if (!read) {
          await sleep(50);
          continue;
        }
        answers.total += 1;
        if (read.status === 503 && read.body?.code === 'service_unavailable') {
          answers.shed += 1;
          const retryAfter = Number(read.headers.get('retry-after'));
          if (retryAfter > 0) answers.shedWithRetryAfter += 1;
          // As a bank does: back after Retry-After.
          await sleep(Math.min(retryAfter, 2) * 1000);
        } else answers.other.set(read.status, (answers.other.get(read.status) ?? 0) + 1);
      }
    });

    const observer = new pg.Client({ connectionString: world.databaseUrl });
    await observer.connect();
    closing.push(() => observer.end());
    try {
      await sleep(2000);
      // The customer presses `*` while the call asks (a question can run out meanwhile: the next one).
      let pressedAt = performance.now();
      for (let tries = 1; ; tries += 1) {
        const asking = await waitForAsk(world.sim, seoulLandline, 0, 30_000);
        pressedAt = performance.now();
        const pressed = await press(world.sim, asking.sid, '*').then(() => true, (error: unknown) => (tries < 5 && /not_awaiting_digits/.test(String(error)) ? false : Promise.reject(error)));
        if (pressed) break;
      }
      const decided = await eventually(async () => {
        const row = (await observer.query<{ status: string; fraud_reported: boolean }>('SELECT status, fraud_reported FROM challenges WHERE id = $1', [challenge.id])).rows[0];
        return row && row.status !== 'pending' ? row : undefined;
      }, 30_000, 'the challenge to be decided').catch(() => ({ status: 'pending', fraud_reported: false }));
      const decidedAfterMs = performance.now() - pressedAt;
      await sleep(1000);
      loading = false;
      await Promise.all(loaders);
      for (const hog of hogs) hog.kill('SIGKILL');

      const shed = await shedCount();
      const summary = `${answers.total} bank answers: ${answers.shed} shed, others ${JSON.stringify([...answers.other])}; decided after ${Math.round(decidedAfterMs)} ms; metric ${shed}`;
      t.diagnostic(summary);
      assert.deepEqual(decided, { status: 'denied', fraud_reported: true }, summary);
      assert.ok(decidedAfterMs < 15_000, `the webhook was answered within Twilio's 15 s: ${summary}`);
      assert.deepEqual(world.sim.sim.state.getCall(call.sid)!.errors, [], `the call had no application error: ${summary}`);
      assert.ok(shed > 0, `bank requests were shed for the event loop's lag (metric ${shed}): ${summary}`);
      assert.equal(answers.shedWithRetryAfter, answers.shed, 'every shed request carries Retry-After');
      // Once the CPU is back, bank requests are served again.
      await eventually(async () => ((await client.getChallenge<any>(challenge.id)).status === 200 ? true : undefined), 10_000, 'a bank request served again');
    } finally {
      loading = false;
      for (const hog of hogs) hog.kill('SIGKILL');
    }
  });
});
