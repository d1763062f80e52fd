// No seed, no code and no full payee account in a log line or an API response (docs/security.md), through
// import, generation, listing, challenges and right and wrong submissions.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ScureBase32Plugin } from 'otplib';
import { generateOcra } from '../../src/channels/otp/ocra.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { standardKey64 } from '../otp/rfc-keys.ts';
import { createOtpChallenge, hex, payeeOnlyTenant } from './otp-support.ts';

describe('OTP secrets stay out of logs and responses', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ captureLogs: true });
  });
  after(() => server.close());

  test('seeds (hex and base32), codes and the full account are never logged; seeds are returned only once', async () => {
    const { client } = await payeeOnlyTenant(server);
    const responses: string[] = [];
    const keep = <T extends { body: unknown }>(answer: T) => {
      responses.push(JSON.stringify(answer.body));
      return answer;
    };
    const suite = 'OCRA-1:HOTP-SHA512-8:C-QN08';
    const importedHex = hex(standardKey64);
    keep(await client.createOtpToken('cust-red', { type: 'ocra', suite, secretHex: importedHex }));
    const generated = await client.createOtpToken<any>('cust-red-2', { type: 'totp' });
    const generatedSecret = new URL(generated.body.otpauthUri).searchParams.get('secret')!;
    const generatedHex = hex(new ScureBase32Plugin().decode(generatedSecret));
    keep(await client.listOtpTokens('cust-red'));
    keep(await client.listOtpTokens('cust-red-2'));

    const account = '110-123-456789';
    const challenge = await createOtpChallenge(client, 'cust-red', account);
    responses.push(JSON.stringify(challenge));
    const right = generateOcra({ suite, key: standardKey64, question: '23456789', counter: 0 });
    const wrong = right === '99999999' ? '88888888' : '99999999';
    keep(await client.submitOtp(challenge.id, wrong));
    keep(await client.submitOtp(challenge.id, right));
    keep(await client.getChallenge(challenge.id));

    const logs = server.logs.join('');
    assert.match(logs, /otp code rejected/, 'logs were captured');
    const secrets = [importedHex, importedHex.toUpperCase(), Buffer.from(standardKey64).toString('base64'), generatedSecret, generatedHex];
    for (const value of [...secrets, right, wrong, account, '110123456789']) {
      assert.ok(!logs.includes(value), `a log line contains ${value.slice(0, 4)}…`);
      for (const response of responses) assert.ok(!response.includes(value), `a response contains ${value.slice(0, 4)}…`);
    }
    // The database holds the seeds only envelope-encrypted.
    const rows = await server.running.context.db.query<{ seed_enc: string }>(`SELECT seed_enc FROM otp_tokens`);
    for (const row of rows.rows) for (const value of secrets) assert.ok(!row.seed_enc.includes(value));
    const audit = JSON.stringify((await server.admin('GET', '/admin/v1/audit?limit=500')).body);
    for (const value of [...secrets, right, wrong, '110123456789']) assert.ok(!audit.includes(value), 'the audit log holds no secret or code');
    assert.match(audit, /otp\.code_accepted/);
  });
});
