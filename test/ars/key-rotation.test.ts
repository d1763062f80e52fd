// MASTER_KEY rotation (README.md, configuration): phone and security number enrolled under the old key still work
// under the new one (the envelope names its key), and re-sending the same number is not a "change".
// PostgreSQL only: the second server must open the first one's database.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { StepupClient } from '../../src/client/stepup-client.ts';
import { answerFor, arsChallenge, enroll, press, startArsWorld, twilioEnv, waitForAsk, waitForStatus, type ArsWorld } from './ars-fixture.ts';

describe('ARS secrets across a master key rotation (postgres)', () => {
  let world: ArsWorld;
  let rotated: TestServer;
  before(async () => {
    world = await startArsWorld({ db: 'postgres' });
  });
  after(async () => {
    await rotated?.close();
    await world.close();
  });

  test('enrolled under k1, called under k2', async () => {
    const number = '+8223213460';
    await enroll(world.client, 'cust-rotate', number);
    const { config } = world.server;
    rotated = await startTestServer({
      env: {
        ...twilioEnv(world.sim),
        DATABASE_URL: config.databaseUrl!,
        ADMIN_TOKEN: world.server.adminToken,
        MASTER_KEY: randomBytes(32).toString('base64'),
        MASTER_KEY_ID: 'k2',
        PREVIOUS_MASTER_KEYS: `k1:${config.masterKeys.current.key.toString('base64')}`,
      },
    });
    const client = new StepupClient({ baseUrl: rotated.url, credentials: world.credentials });
    const again = await client.request<any>('PUT', '/v1/customers/cust-rotate/phone', { number });
    assert.equal(again.status, 200);
    const row = (await rotated.running.context.db.query<any>('SELECT number_changed_at, phone_enc, phone_hash, secret_enc FROM ars_customers WHERE customer_id = $1', ['cust-rotate'])).rows[0];
    assert.equal(row.number_changed_at, null, 'the same number under a new key is not a change');
    assert.match(row.phone_enc, /^v1\.k2\./);
    assert.match(row.phone_hash, /^k2:/);
    assert.match(row.secret_enc, /^v1\.k1\./, 'the secret still sealed under k1');
    const challenge = await arsChallenge(client, 'cust-rotate');
    const call = await waitForAsk(world.sim, number);
    await press(world.sim, call.sid, answerFor(call.prompt));
    assert.equal((await waitForStatus(client, challenge.id)).status, 'approved');
  });
});
