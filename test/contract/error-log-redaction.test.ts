// Errors thrown by the twilio SDK (axios inside) carry the request they belonged to: the form body
// with the called number and the Authorization header with the Twilio auth token. The dialer logs
// them (`placing the call failed`, `hang-up failed`): the logger's err serializer must keep neither,
// and must scrub the digits out of provider messages that quote the number.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/observability/logger.ts';
import { createTwilioClient } from '../../src/telephony/twilio-client.ts';
import { freePort } from '../support/free-port.ts';

const accountSid = 'AC0123456789abcdef0123456789abcdef';
const authToken = 'twilio-auth-token-never-logged';
const to = '+8223123456';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
  return { logger: createLogger('info', destination), text: () => lines.join('') };
}

async function failedCall(apiBaseUrl: string): Promise<unknown> {
  const client = createTwilioClient({ accountSid, authToken, apiBaseUrl });
  try {
    await client.calls.create({ to, from: '+8215880000', url: 'https://stepup.example/twilio/ars/answer' });
  } catch (error) {
    return error;
  }
  throw new Error('the call was expected to fail');
}

function assertClean(logs: string) {
  assert.ok(logs.length > 100, 'a log line was written');
  for (const forbidden of [authToken, Buffer.from(`${accountSid}:${authToken}`).toString('base64'), '8223123456', '2-312-3456', '%2B82']) {
    assert.ok(!logs.includes(forbidden), `the log holds ${forbidden.slice(0, 8)}…`);
  }
}

describe('errors from the telephony provider in logs', () => {
  let provider: Server;
  let providerUrl: string;
  before(async () => {
    // Answers like Twilio's REST API does for a bad number: the message quotes it.
    provider = createServer((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 21211, message: `The 'To' number ${to} is not a valid phone number.`, more_info: 'https://www.twilio.com/docs/errors/21211', status: 400 }));
    });
    await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
    providerUrl = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => provider.close(() => resolve())));

  test('a network failure is logged without the request body or the Authorization header', async () => {
    const { logger, text } = capture();
    // A port nothing listens on, and none of the suite's processes will (a port from listen(0), closed, could be taken by one).
    const port = await freePort();
    logger.warn({ err: await failedCall(`http://127.0.0.1:${port}`), challengeId: 'chl_x' }, 'placing the call failed');
    const logs = text();
    assertClean(logs);
    assert.match(logs, /ECONNREFUSED/, 'the cause of the failure is kept');
  });

  test('a provider message quoting the number is logged with the digits scrubbed and the HTTP status kept', async () => {
    const { logger, text } = capture();
    logger.warn({ err: await failedCall(providerUrl) }, 'placing the call failed');
    const logs = text();
    assertClean(logs);
    const line = JSON.parse(logs.trim().split('\n')[0]!);
    assert.equal(line.err.status, 400);
    assert.match(line.err.message, /The 'To' number \[digits\] is not a valid phone number/);
  });
});
