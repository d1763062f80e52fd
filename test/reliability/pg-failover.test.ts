// PostgreSQL failover behind HAProxy (docs/deployment.md, "PostgreSQL"): stepup's DATABASE_URL
// names HAProxy in front of a primary and its streaming replica. The primary crashes and the replica
// is promoted; HAProxy's health check moves new connections to it and cuts the old ones. stepup's
// pool drops the dead (and, before the promotion, read-only) connections and carries on: 503 with
// Retry-After meanwhile, never a 500; what was committed and replicated before is still there.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PostgresFailoverSet } from '../support/pg-failover.ts';
import { startTestServer, transferBody, type TestServer } from '../support/test-server.ts';
import type { StepupClient } from '../../src/client/stepup-client.ts';

describe('PostgreSQL failover through HAProxy', () => {
  let set: PostgresFailoverSet;
  let server: TestServer;
  let client: StepupClient;

  before(async () => {
    set = await PostgresFailoverSet.start();
    server = await startTestServer({ env: { DATABASE_URL: set.url } });
    ({ client } = await server.createTenant());
  });
  after(async () => {
    try {
      await server?.close();
    } finally {
      await set?.destroy();
    }
  });

  it('answers 503 with Retry-After while the replica is promoted, then creates again; earlier challenges are still there', async () => {
    const before = await client.createChallenge<any>(transferBody({}, '1000'));
    assert.equal(before.status, 201);
    await set.replicaCaughtUp();

    const failedAt = performance.now();
    await set.failOver();
    const statuses: number[] = [];
    let recovered: any;
    while (performance.now() - failedAt < 30_000) {
      const response = await client.createChallenge<any>(transferBody({}, '1000'));
      statuses.push(response.status);
      if (response.status === 503) assert.ok(Number(response.headers.get('retry-after')) > 0, 'Retry-After');
      else assert.equal(response.status, 201, `only 201 or 503, got ${response.status} ${JSON.stringify(response.body)}`);
      if (response.status === 201) {
        recovered = response;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(recovered, `a 201 within 30 s of the failover (answers: ${statuses.join(',')})`);
    const seconds = (performance.now() - failedAt) / 1000;
    assert.equal((await client.getChallenge<any>(before.body.id)).status, 200, 'the challenge committed before the failover is on the new primary');
    process.stderr.write(`# PostgreSQL failover: creating again ${seconds.toFixed(1)} s after the primary crashed, promotion included (answers meanwhile: ${statuses.join(',')})\n`);
  });
});
