// test: slow, about 31 s
// A person answers the verification call on the simulator's softphone page in a real browser
// (headless Chromium via playwright-core): reads the prompt, clicks the keypad, the challenge is approved.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { launchTestBrowser, type TestBrowser } from '../support/browser.ts';
import { dbKinds } from '../support/databases.ts';
import { answerFor, arsChallenge, enroll, startArsWorld, waitForStatus, type ArsWorld } from './ars-fixture.ts';

describe('softphone in a real browser', () => {
  let browser: TestBrowser;
  before(async () => {
    browser = await launchTestBrowser();
  });
  after(() => browser?.close());

  test('the page says how to install a Korean font when Hangul cannot be drawn', async () => {
    let koreanFonts = '';
    try {
      koreanFonts = execFileSync('fc-list', [':lang=ko'], { encoding: 'utf8' }).trim();
    } catch {
      // No fontconfig: Chromium on Linux draws with fontconfig fonts, so there is none either.
    }
    const world = await startArsWorld({});
    const page = await browser.context.newPage();
    try {
      await page.goto(`${world.sim.url}/sim/phone`);
      const notice = page.locator('[data-testid=font-notice]');
      await page.locator('[data-testid=connection]', { hasText: 'connected' }).waitFor({ timeout: 5_000 });
      assert.equal(await notice.getAttribute('data-missing'), String(koreanFonts === ''));
      assert.equal(await notice.isVisible(), koreanFonts === '');
      assert.match((await notice.textContent()) ?? '', /sudo apt-get install -y fonts-noto-cjk/);
    } finally {
      await page.close();
      await world.close();
    }
  });

  for (const db of dbKinds) {
    describe(`approving by clicking the keypad (${db})`, () => {
      let world: ArsWorld;
      before(async () => {
        // Real-time Gather timeouts: a person (here, the test) reads the prompt before pressing.
        world = await startArsWorld({ db, sim: { gatherTimeoutScale: 1 } });
      });
      after(() => world.close());

      test('the call appears on the softphone, the keypad answers it, the challenge is approved', async () => {
        const { client, sim } = world;
        const number = '+8223183460';
        await enroll(client, 'cust-browser', number);
        const page = await browser.context.newPage();
        try {
          await page.goto(`${sim.url}/sim/phone?to=${encodeURIComponent(number)}`);
          await page.locator('[data-testid=speak-toggle]').uncheck();
          const challenge = await arsChallenge(client, 'cust-browser');
          await page.locator('[data-testid=awaiting-digits][data-awaiting=true]').waitFor({ timeout: 10_000 });
          const prompt = (await page.locator('[data-testid=prompt]').textContent()) ?? '';
          assert.match(prompt, /digits of your security number/);
          const transcript = await page.locator('[data-testid=transcript]').textContent();
          assert.match(transcript ?? '', /three million five hundred thousand won/);
          for (const key of answerFor(prompt)) await page.locator(`[data-testid="key-${key}"]`).click();
          const done = await waitForStatus(client, challenge.id);
          assert.equal(done.status, 'approved');
          await page.locator('[data-testid=call-status][data-status=completed]').waitFor({ timeout: 10_000 });
          assert.match((await page.locator('[data-testid=transcript]').textContent()) ?? '', /has been approved/);
        } finally {
          await page.close();
        }
      });

      test('a lone * shows a countdown until it is sent, then the challenge is denied', async () => {
        const { client, sim } = world;
        const number = '+8223183461';
        await enroll(client, 'cust-browser-star', number);
        const page = await browser.context.newPage();
        try {
          await page.goto(`${sim.url}/sim/phone?to=${encodeURIComponent(number)}`);
          await page.locator('[data-testid=speak-toggle]').uncheck();
          const challenge = await arsChallenge(client, 'cust-browser-star');
          await page.locator('[data-testid=awaiting-digits][data-awaiting=true]').waitFor({ timeout: 10_000 });
          await page.locator('[data-testid="key-*"]').click();
          // The flow's 5 s timeout runs from the key press: the page counts it down.
          const countdown = page.locator('[data-testid=submit-countdown]');
          await countdown.locator('xpath=self::*[@data-seconds="5" or @data-seconds="4"]').waitFor({ timeout: 2_000 });
          assert.match((await countdown.textContent()) ?? '', /sending \* in [45] s \(press # to send now\)/);
          await countdown.locator('xpath=self::*[@data-seconds="2" or @data-seconds="1"]').waitFor({ timeout: 5_000 });
          const done = await waitForStatus(client, challenge.id);
          assert.equal(done.status, 'denied');
          await page.locator('[data-testid=call-status][data-status=completed]').waitFor({ timeout: 10_000 });
          assert.equal(await countdown.textContent(), '');
        } finally {
          await page.close();
        }
      });
    });
  }
});
