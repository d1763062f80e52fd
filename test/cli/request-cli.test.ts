// `npm run request`: the status line and the JSON only, and --wait follows a challenge to its end and
// verifies its receipt against the server's JWKS.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startTestServer, transferBody, type TestServer } from '../support/test-server.ts';
import { ManualChannel } from '../support/manual-channel.ts';
import type { StepupClient } from '../../src/client/stepup-client.ts';

const run = promisify(execFile);

describe('request CLI', () => {
  let server: TestServer;
  let env: Record<string, string>;
  let client: StepupClient;
  before(async () => {
    server = await startTestServer({ channels: [new ManualChannel('otp')] });
    const tenant = await server.createTenant();
    client = tenant.client;
    env = { ...(process.env as Record<string, string>), STEPUP_KEY_ID: tenant.keyId, STEPUP_SECRET: tenant.secret, STEPUP_URL: server.url };
  });
  after(() => server.close());

  const cli = (...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'src/cli/request.ts', ...args], { env }).then(
      (done) => ({ code: 0, ...done }),
      (failed: { code: number; stdout: string; stderr: string }) => failed,
    );

  it('prints the status line and the JSON body, nothing else', async () => {
    const { code, stdout } = await cli('POST', '/v1/challenges', JSON.stringify(transferBody({}, '10000')));
    assert.equal(code, 0);
    const [statusLine, ...rest] = stdout.trimEnd().split('\n');
    assert.equal(statusLine, 'HTTP 201');
    assert.equal(JSON.parse(rest.join('\n')).status, 'not_required');
  });

  it('--wait prints the outcome and verifies the receipt', async () => {
    const { code, stdout } = await cli('POST', '/v1/challenges', JSON.stringify(transferBody({}, '10000')), '--wait');
    assert.equal(code, 0, stdout);
    assert.match(stdout, /^outcome: not_required \(/m);
    assert.match(stdout, /^receipt: verifies \(key rk_/m);
  });

  it('--wait polls a pending challenge until it ends', async () => {
    const created = await client.createChallenge<{ id: string; status: string }>(transferBody({}, '3500000'));
    assert.equal(created.body.status, 'pending');
    const waiting = cli('GET', `/v1/challenges/${created.body.id}`, '--wait');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal((await client.cancelChallenge(created.body.id)).status, 200);
    const { code, stdout } = await waiting;
    assert.equal(code, 0, stdout);
    assert.match(stdout, /^outcome: canceled \(/m);
    assert.match(stdout, /^receipt: verifies/m);
  });

  it('exits 1 with the problem when the server refuses', async () => {
    const { code, stdout } = await cli('GET', '/v1/challenges/chl_doesnotexist00');
    assert.equal(code, 1);
    assert.match(stdout, /^HTTP 404$/m);
    assert.equal(JSON.parse(stdout.split('\n').slice(1).join('\n')).code, 'not_found');
  });
});
