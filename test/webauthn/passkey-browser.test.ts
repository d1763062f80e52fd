// test: slow, about 20 s
// A customer registers a passkey from the bank's link and confirms a transfer on stepup's pages in
// a real browser: headless Chromium (playwright-core) with the CDP virtual authenticator
// (WebAuthn.addVirtualAuthenticator: ctap2, internal transport, resident keys, user verification).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { CDPSession, Page } from 'playwright-core';
import { launchTestBrowser, type TestBrowser } from '../support/browser.ts';
import { createPasskeyChallenge, registrationLink, startWebAuthnServer, type WebAuthnTestServer } from './webauthn-support.ts';
import { changePolicy, holdPolicy } from '../holds/hold-support.ts';

interface VirtualAuthenticator {
  page: Page;
  cdp: CDPSession;
  authenticatorId: string;
}

async function pageWithAuthenticator(browser: TestBrowser, options: { userVerification: boolean }): Promise<VirtualAuthenticator> {
  const page = await browser.context.newPage();
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: options.userVerification,
      isUserVerified: options.userVerification,
      automaticPresenceSimulation: true,
    },
  });
  return { page, cdp, authenticatorId };
}

async function registerInBrowser(server: WebAuthnTestServer, client: Parameters<typeof registrationLink>[0], page: Page, customerId: string, locale = 'ko-KR'): Promise<string> {
  const link = await registrationLink(client, customerId, { locale });
  const response = await page.goto(link.url);
  assert.equal(response?.status(), 200);
  await page.locator('#register').click();
  await page.locator('#status.ok, #status.error').waitFor({ timeout: 15_000 });
  return (await page.locator('#status').textContent()) ?? '';
}

describe('passkeys in a real browser', () => {
  let browser: TestBrowser;
  let server: WebAuthnTestServer;
  before(async () => {
    browser = await launchTestBrowser();
    server = await startWebAuthnServer();
  });
  after(async () => {
    await server?.close();
    await browser?.close();
  });

  test('a held transfer: after approval the page offers "Stop this transfer", and the button stops it (docs/holds.md)', async () => {
    const { client, tenantId } = await server.bank({ bankName: 'Stepup Bank', defaultCallbackUrl: 'http://127.0.0.1:9/never' });
    await changePolicy(server, tenantId, (document) => (document.hold = holdPolicy({ minAmount: '3000000', appliesTo: ['approved'], notifyCallsAfterSeconds: [] })));
    const { page } = await pageWithAuthenticator(browser, { userVerification: true });
    try {
      assert.match(await registerInBrowser(server, client, page, 'cust-browser-held', 'en-US'), /registered/);
      const challenge = await createPasskeyChallenge(client, 'cust-browser-held', { amount: '3500000', locale: 'en-US' });
      await page.goto(challenge.customerUrl);
      assert.equal(await page.locator('#hold-stop').isVisible(), false, 'nothing to stop before the approval');
      await page.locator('#coached-no').check();
      await page.locator('#confirm').click();
      await page.locator('body[data-outcome=approved]').waitFor({ timeout: 15_000 });
      await page.locator('#hold-stop').waitFor({ state: 'visible' });
      assert.match((await page.locator('#hold-intro').textContent()) ?? '', /will be sent at .*someone on the phone/);
      await page.getByRole('button', { name: 'Stop this transfer' }).click();
      await page.locator('body[data-hold=stopped]').waitFor();
      assert.match((await page.locator('#hold-status').textContent()) ?? '', /stopped/);
      const read = (await client.getChallenge<any>(challenge.id)).body;
      assert.equal(read.hold.state, 'stopped');
      assert.equal(read.hold.stoppedBy, 'customer');
    } finally {
      await page.close();
    }
  });

  test('register from the link, then confirm a transfer: the page shows payee, full account and amount; approved', async () => {
    const { client, tenantId } = await server.bank({ bankName: '스텝업은행' });
    const { page, cdp, authenticatorId } = await pageWithAuthenticator(browser, { userVerification: true });
    try {
      const registered = await registerInBrowser(server, client, page, 'cust-browser');
      assert.match(registered, /패스키가 등록되었습니다/);
      const stored = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      assert.equal(stored.credentials.length, 1);
      assert.equal(stored.credentials[0]!.isResidentCredential, true, 'resident key preferred');
      const listed = await client.request<any[]>('GET', '/v1/customers/cust-browser/webauthn/credentials');
      assert.equal(listed.body.length, 1);

      const challenge = await createPasskeyChallenge(client, 'cust-browser', { account: '110-123-456789', amount: '3500000' });
      await page.goto(challenge.customerUrl);
      assert.equal(await page.locator('#payee-name').textContent(), '김철수');
      assert.equal(await page.locator('#payee-bank').textContent(), '신한은행');
      assert.equal(await page.locator('#payee-account').textContent(), '110-123-456789');
      assert.match((await page.locator('#amount').textContent()) ?? '', /3,500,000/);
      assert.equal(await page.locator('#amount-words').textContent(), '삼백오십만 원');
      assert.equal(await page.locator('#confirm').textContent(), '패스키로 승인');
      assert.equal(await page.locator('#reject').textContent(), '본인이 아닙니다');
      // Before the buttons: is someone on the phone telling the customer to do this? (docs/holds.md)
      assert.match((await page.locator('#coached legend').textContent()) ?? '', /전화/);
      assert.equal(await page.locator('#confirm').isDisabled(), true, 'no approval before the answer');
      await page.locator('#coached-yes').check();
      assert.equal(await page.locator('#confirm').isDisabled(), true, 'told by someone on the phone: no approval');
      assert.equal(await page.locator('#coached-warning').isVisible(), true);
      assert.match((await page.locator('#coached-warning').textContent()) ?? '', /요구하지 않습니다/);
      await page.locator('#coached-no').check();
      assert.equal(await page.locator('#coached-warning').isVisible(), false);
      await page.locator('#confirm').click();
      await page.locator('body[data-outcome=approved]').waitFor({ timeout: 15_000 });
      const done = (await client.getChallenge<any>(challenge.id)).body;
      assert.equal(done.status, 'approved');
      assert.equal(done.result.reason, 'passkey_verified');
      // Chromium on Linux reports Secure Payment Confirmation unavailable: the page fell back to a
      // plain assertion (SPC's payment.get is covered server-side in passkey-confirmation.test.ts).
      const audit = await server.admin('GET', `/admin/v1/audit?tenantId=${tenantId}`);
      const accepted = audit.body.entries.find((entry: any) => entry.action === 'webauthn.assertion_accepted' && entry.subject === challenge.id);
      assert.equal(accepted?.data.securePaymentConfirmation, false);
      const reloaded = await page.goto(challenge.customerUrl);
      assert.equal(reloaded?.status(), 410);
    } finally {
      await page.close();
    }
  });

  test("“This wasn't me” in the browser: denied customer_rejected, fraudReported", async () => {
    const { client } = await server.bank();
    const { page } = await pageWithAuthenticator(browser, { userVerification: true });
    try {
      assert.match(await registerInBrowser(server, client, page, 'cust-fraud', 'en-US'), /registered/);
      const challenge = await createPasskeyChallenge(client, 'cust-fraud', { locale: 'en-US' });
      await page.goto(challenge.customerUrl);
      assert.equal(await page.locator('#reject').textContent(), "This wasn't me");
      await page.locator('#reject').click();
      await page.locator('body[data-outcome=denied]').waitFor({ timeout: 15_000 });
      const done = (await client.getChallenge<any>(challenge.id)).body;
      assert.equal(done.result.reason, 'customer_rejected');
      assert.equal(done.result.fraudReported, true);
    } finally {
      await page.close();
    }
  });

  test('an authenticator without user verification is refused (registration and confirmation)', async () => {
    const { client } = await server.bank();
    const noUv = await pageWithAuthenticator(browser, { userVerification: false });
    try {
      assert.match(await registerInBrowser(server, client, noUv.page, 'cust-nouv', 'en-US'), /could not be registered/);
      assert.equal((await client.request<any[]>('GET', '/v1/customers/cust-nouv/webauthn/credentials')).body.length, 0);
    } finally {
      await noUv.page.close();
    }
    // A passkey registered with verification, whose user can no longer be verified at confirmation.
    const { page, cdp, authenticatorId } = await pageWithAuthenticator(browser, { userVerification: true });
    try {
      assert.match(await registerInBrowser(server, client, page, 'cust-nouv', 'en-US'), /registered/);
      await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
      const challenge = await createPasskeyChallenge(client, 'cust-nouv', { locale: 'en-US' });
      await page.goto(challenge.customerUrl);
      await page.locator('#coached-no').check();
      await page.locator('#confirm').click();
      await page.locator('#status.error').waitFor({ timeout: 15_000 });
      assert.match((await page.locator('#status').textContent()) ?? '', /could not be verified/);
      assert.equal((await client.getChallenge<any>(challenge.id)).body.status, 'pending');
    } finally {
      await page.close();
    }
  });
});
