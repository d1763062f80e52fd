// Retention of the passkey pages' rows (docs/webauthn-channel.md, "What is kept, and for how long"):
// the maintenance sweep deletes registration links 24 h after they expired or were used, and the
// confirmation rows of challenges that ended more than 24 h ago (or whose challenge was never stored),
// in bounded batches; a pending challenge's row stays whatever its age. A swept page answers like a
// token that never existed (404).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { dbKinds } from '../support/databases.ts';
import type { SqlValue } from '../../src/storage/db.ts';
import { eventually } from '../support/test-server.ts';
import { pageTokenHash } from '../../src/channels/webauthn/page-token.ts';
import { webauthnModule } from '../../src/channels/webauthn/webauthn-module.ts';
import { pageRecordRetentionMs, sweepWebAuthnRecords } from '../../src/channels/webauthn/webauthn-sweep.ts';
import { createPasskeyChallenge, getPage, newAuthenticator, postPage, registerPasskey, registrationLink, startWebAuthnServer, type WebAuthnTestServer } from './webauthn-support.ts';

const hour = 60 * 60 * 1000;
const day = 24 * hour;
const tokenOf = (url: string) => new URL(url).pathname.split('/').pop()!;
const hashOf = (url: string) => pageTokenHash(tokenOf(url));

for (const db of dbKinds) {
  describe(`passkey page retention (${db})`, () => {
    let server: WebAuthnTestServer;
    before(async () => {
      server = await startWebAuthnServer({ db, captureLogs: true });
    });
    after(() => server.close());

    const sql = (text: string, params: SqlValue[] = []) => server.running.context.db.query<any>(text, params);
    const linkExists = async (url: string) => (await sql('SELECT 1 FROM webauthn_registration_links WHERE token_hash = $1', [hashOf(url)])).rows.length === 1;
    const confirmationExists = async (url: string) => (await sql('SELECT 1 FROM webauthn_confirmations WHERE token_hash = $1', [hashOf(url)])).rows.length === 1;
    /** What a token that was never issued answers, minus what differs per request. */
    const unknownPage = async (kind: 'register' | 'confirm') => {
      const page = await getPage(server, `${server.publicBaseUrl}/c/webauthn/${kind}/${randomBytes(32).toString('base64url')}`);
      return { status: page.status, contentType: page.headers.get('content-type'), code: JSON.parse(page.html).code, title: JSON.parse(page.html).title };
    };
    const answerOf = async (url: string) => {
      const page = await getPage(server, url);
      return { status: page.status, contentType: page.headers.get('content-type'), code: JSON.parse(page.html).code, title: JSON.parse(page.html).title };
    };

    test('the retention keeps an ended page answering 410 for a day', () => {
      assert.equal(pageRecordRetentionMs, day);
    });

    test('registration links: only those expired or used more than 24 h ago are deleted; a swept link answers like an unknown one', async () => {
      const { client } = await server.bank();
      const now = new Date();
      const back = (ms: number) => new Date(now.getTime() - ms);
      const expiredLongAgo = await registrationLink(client, 'cust-links');
      const usedLongAgo = await registrationLink(client, 'cust-links');
      const expiredRecently = await registrationLink(client, 'cust-links');
      const usedRecently = await registrationLink(client, 'cust-links');
      const live = await registrationLink(client, 'cust-links');
      const otherTenantExpired = await registrationLink((await server.bank()).client, 'cust-links');
      const setTimes = (url: string, t: { created: Date; expires: Date; used?: Date }) =>
        sql('UPDATE webauthn_registration_links SET created_at = $2, expires_at = $3, used_at = $4 WHERE token_hash = $1', [hashOf(url), t.created, t.expires, t.used ?? null]);
      await setTimes(expiredLongAgo.url, { created: back(day + 2 * hour), expires: back(day + hour) });
      await setTimes(otherTenantExpired.url, { created: back(3 * day), expires: back(3 * day - 15 * 60_000) });
      await setTimes(usedLongAgo.url, { created: back(day + 2 * hour), expires: back(5 * 60_000), used: back(day + hour) });
      await setTimes(expiredRecently.url, { created: back(24 * hour), expires: back(23 * hour) });
      await setTimes(usedRecently.url, { created: back(2 * hour), expires: back(hour), used: back(hour + 60_000) });

      assert.equal((await getPage(server, expiredLongAgo.url)).status, 410, 'before the sweep an ended link is 410');
      const removed = await webauthnModule.sweep!(server.running.context, now);
      assert.deepEqual(Object.keys(removed).sort(), ['confirmations', 'registrationLinks']);

      for (const gone of [expiredLongAgo, usedLongAgo, otherTenantExpired]) assert.equal(await linkExists(gone.url), false);
      for (const kept of [expiredRecently, usedRecently, live]) assert.equal(await linkExists(kept.url), true);

      const unknown = await unknownPage('register');
      assert.equal(unknown.status, 404);
      assert.deepEqual(await answerOf(expiredLongAgo.url), unknown, 'a swept link is indistinguishable from one never issued');
      assert.deepEqual(await answerOf(usedLongAgo.url), unknown);
      const swept = await postPage(server, usedLongAgo.url, '/options', { payment: false });
      assert.equal(swept.status, 404);
      assert.equal(swept.body.code, 'not_found');
      assert.equal((await getPage(server, expiredRecently.url)).status, 410);
      assert.equal((await getPage(server, usedRecently.url)).status, 410);
      assert.equal((await getPage(server, live.url)).status, 200);
    });

    test('confirmation rows: ended more than 24 h ago or never stored with a challenge are deleted; a pending one never is', async () => {
      const { client, tenantId } = await server.bank();
      await registerPasskey(server, client, 'cust-pages', newAuthenticator(server));
      const now = new Date();
      const back = (ms: number) => new Date(now.getTime() - ms);
      const endedLongAgo = await createPasskeyChallenge(client, 'cust-pages');
      const endedRecently = await createPasskeyChallenge(client, 'cust-pages');
      const pendingOld = await createPasskeyChallenge(client, 'cust-pages');
      for (const ended of [endedLongAgo, endedRecently]) assert.equal((await postPage(server, ended.customerUrl, '/reject')).body.status, 'denied');
      const setTimes = async (challenge: { id: string; customerUrl: string }, created: Date, completed: Date | null) => {
        await sql('UPDATE webauthn_confirmations SET created_at = $2 WHERE token_hash = $1', [hashOf(challenge.customerUrl), created]);
        await sql('UPDATE challenges SET created_at = $2, completed_at = COALESCE($3, completed_at) WHERE tenant_id = $4 AND id = $1', [challenge.id, created, completed, tenantId]);
      };
      await setTimes(endedLongAgo, back(day + 2 * hour), back(day + hour));
      await setTimes(endedRecently, back(23 * hour), back(23 * hour - 60_000));
      // A pending challenge's page is never swept, however old its rows look.
      await setTimes(pendingOld, back(30 * day), null);
      // Rows whose challenge was never stored (prepare stores the page first) or is gone.
      const orphan = async (created: Date) => {
        const token = randomBytes(32).toString('base64url');
        await sql('INSERT INTO webauthn_confirmations (tenant_id, challenge_id, customer_id, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)', [tenantId, `chl_${randomBytes(8).toString('hex')}`, 'cust-pages', pageTokenHash(token), created]);
        return `${server.publicBaseUrl}/c/webauthn/confirm/${token}`;
      };
      const oldOrphan = await orphan(back(day + hour));
      // Its challenge may still be being stored: kept.
      const freshOrphan = await orphan(back(60_000));

      assert.equal((await getPage(server, endedLongAgo.customerUrl)).status, 410, 'before the sweep an ended page is 410');
      await webauthnModule.sweep!(server.running.context, now);

      assert.equal(await confirmationExists(endedLongAgo.customerUrl), false);
      assert.equal(await confirmationExists(oldOrphan), false);
      assert.equal(await confirmationExists(endedRecently.customerUrl), true);
      assert.equal(await confirmationExists(pendingOld.customerUrl), true);
      assert.equal(await confirmationExists(freshOrphan), true);
      // The challenge itself is untouched (only the page's row goes).
      assert.equal((await client.getChallenge<any>(endedLongAgo.id)).body.status, 'denied');

      assert.deepEqual(await answerOf(endedLongAgo.customerUrl), await unknownPage('confirm'), 'a swept page answers like an unknown one');
      assert.equal((await postPage(server, endedLongAgo.customerUrl, '/reject')).status, 404);
      assert.equal((await getPage(server, endedRecently.customerUrl)).status, 410, 'within the retention the page still says the request has ended');
      assert.equal((await getPage(server, pendingOld.customerUrl)).status, 200);
      assert.equal((await postPage(server, pendingOld.customerUrl, '/options')).status, 200);
    });

    test('the maintenance sweep runs the module sweeps: rows go, counted in a metric and an info line with counts only', async () => {
      const { client } = await server.bank();
      const link = await registrationLink(client, 'cust-maint');
      const old = new Date(Date.now() - 3 * day);
      await sql('UPDATE webauthn_registration_links SET created_at = $2, expires_at = $2 WHERE token_hash = $1', [hashOf(link.url), old]);
      await server.running.context.queues.maintenance.add('sweep', {});
      await eventually(async () => ((await linkExists(link.url)) ? undefined : true), 10_000, 'the maintenance sweep to delete the old link');
      const metrics = await server.metrics();
      const removed = /^stepup_maintenance_removed_total\{module="webauthn",kind="registrationLinks"\} (\d+)$/m.exec(metrics);
      assert.ok(removed && Number(removed[1]) >= 1, metrics.split('\n').filter((line) => line.includes('maintenance')).join('\n'));
      const line = await eventually(async () => server.logs.find((entry) => entry.includes('"module":"webauthn"') && entry.includes('registrationLinks')), 5_000, 'the sweep log line');
      const parsed = JSON.parse(line);
      assert.equal(parsed.level, 30, 'info');
      assert.ok(parsed.removed.registrationLinks >= 1);
      const logs = server.logs.join('');
      assert.ok(!logs.includes(hashOf(link.url)) && !logs.includes(tokenOf(link.url)), 'no token or token hash in the logs');
    });
  });

  describe(`passkey page retention: bounded batches (${db})`, () => {
    let server: WebAuthnTestServer;
    before(async () => {
      server = await startWebAuthnServer({ db });
    });
    after(() => server.close());

    test('ten days on, every ended row goes, at most `batch` per table and run; a pending page stays', async () => {
      const { client } = await server.bank();
      await registerPasskey(server, client, 'cust-batch', newAuthenticator(server)); // one used link
      for (let i = 0; i < 3; i += 1) await registrationLink(client, 'cust-batch');
      for (let i = 0; i < 2; i += 1) {
        const ended = await createPasskeyChallenge(client, 'cust-batch');
        assert.equal((await postPage(server, ended.customerUrl, '/reject')).status, 200);
      }
      const pending = await createPasskeyChallenge(client, 'cust-batch');
      // Ten days from now (the rows are recent in real time, so the server's own sweep leaves them alone).
      const later = new Date(Date.now() + 10 * day);
      const db = server.running.context.db;
      assert.deepEqual(await sweepWebAuthnRecords(db, later, 3), { registrationLinks: 3, confirmations: 2 });
      assert.deepEqual(await sweepWebAuthnRecords(db, later, 3), { registrationLinks: 1, confirmations: 0 });
      assert.deepEqual(await sweepWebAuthnRecords(db, later, 3), { registrationLinks: 0, confirmations: 0 });
      assert.equal((await db.query('SELECT 1 FROM webauthn_registration_links')).rows.length, 0);
      const left = await db.query<{ token_hash: string }>('SELECT token_hash FROM webauthn_confirmations');
      assert.deepEqual(left.rows.map((row) => row.token_hash), [hashOf(pending.customerUrl)]);
    });
  });
}
