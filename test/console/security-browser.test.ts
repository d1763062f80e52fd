// The console's Security page in a real browser (headless Chromium, docs/console.md "Security"): a key
// anomaly raised by a real refused request (sent from 127.0.1.1) shows up, with a signal the console has
// no label for shown by its name; the signal filter; the link to the key; the console sessions with this
// session marked, and ending another admin's session sends that browser back to the sign-in page. In
// Korean too. No CSP violation on the way.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { launchTestPage, signInToConsole, type TestBrowser } from '../support/browser.ts';
import { startTestServer, transferBody, type TestServer } from '../support/test-server.ts';
import { fetchFrom } from '../support/fetch-from.ts';
import { StepupClient } from '../../src/client/stepup-client.ts';
import { appendAudit } from '../../src/audit/audit-log.ts';

describe('console: Security page in a real browser', () => {
  let server: TestServer;
  let browser: TestBrowser;
  let page: Page;
  let tenantId = '';
  let keyId = '';
  let keySecret = '';
  const cspViolations: string[] = [];

  before(async () => {
    server = await startTestServer();
    ({ tenantId } = await server.createTenant({ name: 'Watchful Bank' }));
    const key = (await server.admin('POST', `/admin/v1/tenants/${tenantId}/keys`, { allowedNetworks: ['127.0.0.2/32'] })).body;
    keyId = key.keyId;
    keySecret = key.secret;
    ({ browser, page } = await launchTestPage());
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const signIn = (target: Page, token: string) => signInToConsole(target, server.url, token);

  test('a raised key anomaly shows up on the Security page, newest first, filtered by signal, linked to its key', async () => {
    // Signed correctly, sent from a network the key is not allowed on: refused, and signalled.
    const thief = new StepupClient({ baseUrl: server.url, credentials: { keyId, secret: keySecret }, fetch: fetchFrom('127.0.1.1') });
    assert.equal((await thief.createChallenge(transferBody())).status, 401);
    // A signal added on the server after this console was written: shown by its name.
    await appendAudit(server.running.context.db, { tenantId, actor: 'system:key-watch', action: 'security.key_anomaly', subject: keyId, data: { keyId, signal: 'some_future_signal', network: '198.51.100.0/24', address: '198.51.100.7', refused: false, observedAt: new Date().toISOString() } });

    await signIn(page, server.adminToken);
    await page.getByRole('link', { name: 'Security' }).click();
    await page.getByRole('heading', { name: 'Security', level: 1 }).waitFor();
    const signals = page.getByTestId('security-signals');
    await signals.waitFor();
    const rows = signals.locator('tbody tr');
    assert.equal(await rows.count(), 2);
    assert.equal(await rows.nth(0).getAttribute('data-signal'), 'some_future_signal', 'newest first');
    assert.match((await rows.nth(0).textContent()) ?? '', /some_future_signal/);
    const refused = (await rows.nth(1).textContent()) ?? '';
    assert.match(refused, /Outside its allowed networks/);
    assert.match(refused, new RegExp(keyId));
    assert.match(refused, /127\.0\.1\.0\/24/);
    assert.match(refused, /Refused/);

    await page.getByLabel('Signal', { exact: true }).selectOption('outside_allowed_networks');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/signal=outside_allowed_networks/);
    // The filtered list replaces the whole one: the other signal's row goes.
    await page.getByTestId('security-signals').locator('tbody tr[data-signal="some_future_signal"]').waitFor({ state: 'detached' });
    await page.getByTestId('security-signals').locator('tbody tr[data-signal="outside_allowed_networks"]').waitFor();
    assert.equal(await page.getByTestId('security-signals').locator('tbody tr').count(), 1);

    await page.getByRole('link', { name: keyId }).click();
    await page.getByTestId('keys').filter({ hasText: keyId }).waitFor();
  });

  test('console sessions: this session is marked; ending another sends that browser to the sign-in page', async () => {
    const viewer = (await server.admin('POST', '/admin/v1/tokens', { name: 'night-shift', role: 'viewer', tenantId })).body.token as string;
    const other = await launchTestPage();
    try {
      await signIn(other.page, viewer);
      await signIn(page, server.adminToken);
      await page.getByRole('link', { name: 'Security' }).click();
      const sessions = page.getByTestId('console-sessions');
      await sessions.filter({ hasText: 'admin:night-shift' }).waitFor();
      const mine = sessions.locator('tbody tr').filter({ has: page.getByTestId('this-session') });
      assert.match((await mine.textContent()) ?? '', /admin:bootstrap/);
      assert.match((await mine.textContent()) ?? '', /127\.0\.0\.0\/24/);
      assert.equal(await mine.getByRole('button').count(), 0, 'no button ends the session in use (sign out does)');

      await page.getByRole('button', { name: 'End the session of admin:night-shift' }).click();
      await page.getByTestId('console-sessions').filter({ hasNotText: 'admin:night-shift' }).waitFor();
      // The ended browser's next step lands on the sign-in page.
      await other.page.getByRole('link', { name: 'Challenges' }).click();
      await other.page.getByRole('heading', { name: 'Sign in to the stepup console' }).waitFor();
      await other.page.getByText('Your session has ended. Sign in again.').waitFor();
    } finally {
      await other.browser.close();
    }
  });

  test('in Korean, with no CSP violation', async () => {
    await signIn(page, server.adminToken);
    await page.goto(`${server.url}/admin#/security/${tenantId}`);
    await page.getByLabel('Language').selectOption('ko-KR');
    await page.getByRole('heading', { name: '보안', level: 1 }).waitFor();
    await page.getByRole('link', { name: '보안' }).waitFor();
    await page.getByTestId('security-signals').filter({ hasText: '허용 네트워크 밖에서 사용' }).waitFor();
    await page.getByRole('heading', { name: '콘솔 세션' }).waitFor();
    await page.getByTestId('this-session').filter({ hasText: '현재 세션' }).waitFor();
    await page.getByLabel('언어').selectOption('en-US');
    assert.deepEqual(cspViolations, []);
  });
});
