// The softphone keeps the call a person is answering on screen when another call rings (e.g. the
// retry of an older, unanswered challenge): "follow newest call" used to switch away mid-answer,
// so the keys a demo user clicked went to the wrong call. The waiting call comes up when that one ends.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchTestBrowser, type TestBrowser } from '../support/browser.ts';
import { startAppServer, startSimulator, twiml, waitFor, type AppServerFixture, type SimulatorFixture } from '@stepup/telephony-simulator/testing';

describe('softphone call waiting', () => {
  let browser: TestBrowser;
  let sim: SimulatorFixture;
  let app: AppServerFixture;
  before(async () => {
    browser = await launchTestBrowser();
    sim = await startSimulator({ gatherTimeoutScale: 1 });
    app = await startAppServer();
    app.route('/ask', twiml('<Gather input="dtmf" numDigits="2" timeout="30" action="/answered"><Say>Enter two digits.</Say></Gather>'));
    app.route('/answered', twiml('<Say>Thank you.</Say><Hangup/>'));
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    await sim?.close();
  });

  test('a second call waits until the call being answered ends, then comes up; keys go to the call on screen', async () => {
    const to = '+8223123456';
    const call = () => sim.client.calls.create({ to, from: '+8215880000', url: `${app.baseUrl}/ask` });
    const page = await browser.context.newPage();
    try {
      await page.goto(`${sim.baseUrl}/sim/phone`);
      await page.locator('[data-testid=speak-toggle]').uncheck();
      const first = await call();
      await page.locator('[data-testid=awaiting-digits][data-awaiting=true]').waitFor({ timeout: 10_000 });
      assert.equal(await page.locator('[data-testid=call-sid]').textContent(), first.sid);

      const second = await call();
      await waitFor(() => sim.sim.state.getCall(second.sid)?.awaitingDigits, 'the second call waits for digits', 10_000);
      await page.locator('[data-testid=notice]', { hasText: 'Another call is ringing' }).waitFor({ timeout: 10_000 });
      assert.equal(await page.locator('[data-testid=call-sid]').textContent(), first.sid, 'the answered call stays on screen');

      for (const key of '42') await page.locator(`[data-testid="key-${key}"]`).click();
      await waitFor(() => app.hitsTo('/answered')[0], 'the first call posts its digits', 10_000);
      assert.equal(app.hitsTo('/answered')[0]!.params.CallSid, first.sid);
      assert.equal(app.hitsTo('/answered')[0]!.params.Digits, '42');
      assert.equal(sim.sim.state.getCall(second.sid)?.awaitingDigits, true, 'the second call got no keys');

      // The first call hangs up: the waiting call comes up, and the keys now go to it.
      await page.locator(`[data-testid=call-sid]:text-is("${second.sid}")`).waitFor({ timeout: 10_000 });
      for (const key of '17') await page.locator(`[data-testid="key-${key}"]`).click();
      await waitFor(() => app.hitsTo('/answered')[1], 'the second call posts its digits', 10_000);
      assert.equal(app.hitsTo('/answered')[1]!.params.CallSid, second.sid);
      assert.equal(app.hitsTo('/answered')[1]!.params.Digits, '17');
    } finally {
      await page.close();
    }
  });
});
