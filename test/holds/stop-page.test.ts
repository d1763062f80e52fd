// The customer's stop page (docs/holds.md, "Stopping"): `hold.stopUrl` under /c/, the transfer in full
// and a "Stop this transfer" button that works without script; the passkey pages' protections (strict
// CSP, no framing, no caching, the token never logged and never stored) and 404 after retention.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, transferBody, type TestServer } from '../support/test-server.ts';
import type { StepupClient } from '../../src/client/stepup-client.ts';
import { changePolicy, eventTypes, holdPolicy, movableClock } from './hold-support.ts';

describe('stop page', () => {
  let server: TestServer;
  let client: StepupClient;
  const time = movableClock();
  before(async () => {
    server = await startTestServer({ clock: time.clock, captureLogs: true });
    const tenant = await server.createTenant({ defaultCallbackUrl: 'http://127.0.0.1:9/never', bankName: 'Test Bank' });
    client = tenant.client;
    await changePolicy(server, tenant.tenantId, (document) => (document.hold = holdPolicy({ notifyCallsAfterSeconds: [] })));
  });
  after(() => server.close());

  /** A held not_required transfer (1,000,000 KRW), read back with GET (which carries stopUrl). */
  const held = async (locale = 'en-US') => {
    const created = await client.createChallenge<any>(transferBody({ customerId: `cust-page-${Math.random()}`, locale }, '1000000'));
    assert.equal(created.body.hold.state, 'held');
    return (await client.getChallenge<any>(created.body.id)).body;
  };
  const page = (url: string, init: RequestInit = {}) => fetch(url, { redirect: 'manual', ...init });

  test('GET carries hold.stopUrl under /c/; the page shows the transfer in full, with the protections of the passkey pages', async () => {
    const challenge = await held();
    const { stopUrl } = challenge.hold;
    assert.match(stopUrl, new RegExp(`^${server.url}/c/hold/${challenge.id}/[A-Za-z0-9_-]{43}$`));
    const response = await page(stopUrl);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type')!, /text\/html/);
    const csp = response.headers.get('content-security-policy')!;
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /form-action 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
    const html = await response.text();
    assert.match(html, /Test Bank/);
    assert.match(html, /110-123-456789/, 'the full account: what the customer checks');
    assert.match(html, /one million won/);
    assert.match(html, /<button[^>]*>Stop this transfer<\/button>/);
    assert.doesNotMatch(html, /<script/, 'no script needed');
    // Nothing in the database holds the token, not even the event of the approval.
    const token = stopUrl.split('/').at(-1)!;
    const { db } = server.running.context;
    const found = await db.query<{ n: number }>(`SELECT (SELECT count(*) FROM webhook_deliveries WHERE payload::text LIKE '%' || $1 || '%') + (SELECT count(*) FROM challenges WHERE hold::text LIKE '%' || $1 || '%')::int AS n`, [token]);
    assert.equal(Number(found.rows[0]!.n), 0);
  });

  test('"Stop this transfer" stops it (stoppedBy customer, one event); the page then says so; after retention it is 404', async () => {
    const challenge = await held('ko-KR');
    const stopped = await page(`${challenge.hold.stopUrl}/stop`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(stopped.status, 200);
    assert.match(await stopped.text(), /이체가 중지되었습니다/);
    const read = (await client.getChallenge<any>(challenge.id)).body;
    assert.equal(read.hold.state, 'stopped');
    assert.equal(read.hold.stoppedBy, 'customer');
    assert.match(await (await page(challenge.hold.stopUrl)).text(), /이체가 중지되었습니다/);
    assert.deepEqual(await eventTypes(server, challenge.id), ['challenge.hold_stopped']);
    time.to(challenge.hold.releaseAt, 25 * 3600_000);
    assert.equal((await page(challenge.hold.stopUrl)).status, 404, 'gone after the retention');
    assert.equal((await page(`${challenge.hold.stopUrl}/stop`, { method: 'POST' })).status, 404);
    // The token never reached a log line.
    assert.ok(!server.logs.join('\n').includes(challenge.hold.stopUrl.split('/').at(-1)!), 'token not logged');
  });

  test('after the stop window closes the page offers no button; a wrong token or another challenge is 404', async () => {
    const challenge = await held();
    const other = await held();
    const token = challenge.hold.stopUrl.split('/').at(-1)!;
    assert.equal((await page(`${server.url}/c/hold/${other.id}/${token}`)).status, 404, 'a token opens only its challenge');
    assert.equal((await page(`${server.url}/c/hold/${challenge.id}/${'A'.repeat(43)}`)).status, 404);
    assert.equal((await page(`${server.url}/c/hold/${challenge.id}/short`)).status, 404);
    time.to(challenge.hold.stopClosesAt, 1);
    const closed = await (await page(challenge.hold.stopUrl)).text();
    assert.doesNotMatch(closed, /<button/);
    assert.match(closed, /can no longer be stopped here/);
    const late = await page(`${challenge.hold.stopUrl}/stop`, { method: 'POST' });
    assert.equal(late.status, 409);
    assert.equal((await client.getChallenge<any>(challenge.id)).body.hold.state, 'held');
  });

  test('a challenge without a hold has no stopUrl, and the 201 and events never carry one (it is never stored)', async () => {
    const created = await client.createChallenge<any>(transferBody({ customerId: `cust-page-${Math.random()}` }, '1000000'));
    assert.equal(created.body.hold.stopUrl, null, 'read it with GET');
    const small = await client.createChallenge<any>(transferBody({ customerId: `cust-page-${Math.random()}` }, '10000'));
    assert.equal((await client.getChallenge<any>(small.body.id)).body.hold, null);
  });
});
