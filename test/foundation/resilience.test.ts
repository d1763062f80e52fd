// SPEC §12: when Redis or PostgreSQL goes away the API answers 503 problems, and recovers by itself.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PrivatePostgres, PrivateRedis } from '../support/services.ts';
import { startTestServer, transferBody, eventually, type TestServer } from '../support/test-server.ts';
import type { StepupClient } from '../../src/client/stepup-client.ts';

describe('dependency outages', () => {
  let redis: PrivateRedis;
  let postgres: PrivatePostgres;
  let server: TestServer;
  let client: StepupClient;

  before(async () => {
    redis = await PrivateRedis.start();
    postgres = await PrivatePostgres.start();
    server = await startTestServer({ env: { REDIS_URL: redis.url, DATABASE_URL: postgres.url } });
    ({ client } = await server.createTenant());
  });
  after(async () => {
    await server.close();
    await redis.stop();
    await postgres.destroy();
  });

  test('Redis stops: 503 problems (not hangs, not 500s); Redis returns: the API recovers', async () => {
    assert.equal((await client.createChallenge<any>(transferBody({}, '1000'))).status, 201);
    await redis.stop();
    const started = Date.now();
    const during = await client.createChallenge<any>(transferBody({}, '1000'));
    assert.equal(during.status, 503);
    assert.equal(during.body.code, 'service_unavailable');
    assert.ok(Date.now() - started < 3000, 'fails fast');
    assert.equal((await fetch(`${server.url}/readyz`)).status, 503);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);

    await redis.resume();
    await eventually(async () => ((await fetch(`${server.url}/readyz`)).status === 200 ? true : undefined), 15_000, 'readyz after Redis returns');
    const after = await client.createChallenge<any>(transferBody({}, '1000'));
    assert.equal(after.status, 201);
  });

  test('PostgreSQL stops: 503 problems; PostgreSQL returns: the API recovers', async () => {
    // A key this process has not cached yet: its lookup fails, which is an outage, not a bad signature.
    const { client: uncached } = await server.createTenant();
    await postgres.stop();
    const coldKey = await uncached.createChallenge<any>(transferBody({}, '1000'));
    assert.equal(coldKey.status, 503, 'a key lookup that fails is 503, never 401');
    assert.ok(coldKey.headers.get('retry-after'));
    const during = await client.createChallenge<any>(transferBody({}, '1000'));
    assert.equal(during.status, 503);
    assert.equal(during.body.code, 'service_unavailable');
    const admin = await server.admin('GET', '/admin/v1/tenants');
    assert.equal(admin.status, 503);
    assert.equal((await fetch(`${server.url}/readyz`)).status, 503);

    await postgres.resume();
    const recovered = await eventually(async () => {
      const response = await client.createChallenge<any>(transferBody({}, '1000'));
      return response.status === 201 ? response : undefined;
    }, 15_000, 'challenge creation after PostgreSQL returns');
    assert.equal(recovered.body.status, 'not_required');
  });
});
