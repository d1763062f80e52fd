// `npm run request`: the status line and the JSON only, and --wait follows a challenge to its end and
// verifies its receipt against the server's JWKS.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { startTestServer, transferBody, type TestServer } from '../support/test-server.ts';
import { ManualChannel } from '../support/manual-channel.ts';
import type { StepupClient } from '../../src/client/stepup-client.ts';
import { nodeEntry } from '../support/node-entry.ts';

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
    run(process.execPath, [...nodeEntry('src/cli/request.ts'), ...args], { env }).then(
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

  it('--wait polls a pending challenge until it ends', async (t) => {
    const created = await client.createChallenge<{ id: string; status: string }>(transferBody({}, '3500000'));
    assert.equal(created.body.status, 'pending');
    const child = spawn(process.execPath, [...nodeEntry('src/cli/request.ts'), 'GET', `/v1/challenges/${created.body.id}`, '--wait'], { env });
    // A failed assertion must not leave it polling.
    t.after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', (exitCode) => resolve(exitCode)));
    // It read the challenge pending and said it waits: only then is it canceled, so the outcome
    // below can only come from a later poll.
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
        if (stderr.includes(`waiting for ${created.body.id} to end`)) resolve();
      });
      void exited.then(() => reject(new Error(`the CLI ended before it waited: ${stderr}${stdout}`)));
    });
    assert.equal((await client.cancelChallenge(created.body.id)).status, 200);
    const code = await exited;
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

describe('request CLI against a stuck server', () => {
  it('gives up after REQUEST_TIMEOUT_MS with a message saying so, instead of hanging', async () => {
    // Accepts connections and never answers: a server whose database is stuck looks like this.
    const sockets: import('node:net').Socket[] = [];
    const stuck = (await import('node:net')).createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => stuck.listen(0, '127.0.0.1', resolve));
    const port = (stuck.address() as import('node:net').AddressInfo).port;
    try {
      const started = performance.now();
      const failed = await run(process.execPath, [...nodeEntry('src/cli/request.ts'), 'GET', '/v1/challenges/chl_whatever0000'], {
        env: { ...(process.env as Record<string, string>), STEPUP_KEY_ID: 'key_x', STEPUP_SECRET: Buffer.alloc(32).toString('base64'), STEPUP_URL: `http://127.0.0.1:${port}`, REQUEST_TIMEOUT_MS: '1500' },
        timeout: 60_000,
      }).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string; killed?: boolean }) => error,
      );
      assert.equal(failed.code, 1);
      assert.match(failed.stderr, /no answer from http:\/\/127\.0\.0\.1:\d+ within 1\.5 s/);
      assert.ok(performance.now() - started < 55_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      stuck.close();
    }
  });
});
