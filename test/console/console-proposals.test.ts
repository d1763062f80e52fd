// test: slow, about 23 s
// Maker-checker in the console, in two real browsers (headless Chromium via playwright-core): one
// policy-admin raises the daily threshold and switches ARS off, runs the backtest beside the dry run
// and proposes; the proposal shows the diff with the weakening fields marked and the backtest (chart and
// table); the author cannot approve it; a second admin, signed in elsewhere, finds it under "Policy" and
// approves it; the version moves. No script error on any page. Screenshots to docs/console/ when
// CONSOLE_SCREENSHOTS=1.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { signedInConsole, waitForCharts, type TestBrowser } from '../support/browser.ts';
import { middayClock, startTestServer, type TestServer } from '../support/test-server.ts';
import { seedDecisions, seededId } from '../support/seed-decisions.ts';

const shots = new URL('../../docs/console/', import.meta.url).pathname;
const screenshot = async (page: Page, name: string, height = 1100) => {
  if (process.env.CONSOLE_SCREENSHOTS !== '1') return;
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: `${shots}${name}.png`, type: 'png', clip: { x: 0, y: 0, width: 1280, height } });
};

describe('maker-checker in the console (two admins, two browsers)', () => {
  let server: TestServer;
  const clock = middayClock();
  const browsers: TestBrowser[] = [];
  const errors: string[] = [];
  let tenantId = '';
  const tokens: Record<'maker' | 'checker', string> = { maker: '', checker: '' };

  before(async () => {
    // The server's clock at about noon in Seoul, the history seeded by it: the fraud report an hour ago is
    // today on the dashboard whenever the suite runs (between midnight and 1 am, it was yesterday).
    server = await startTestServer({ clock });
    // A tenant as a superadmin creates it: maker-checker on by default.
    const tenant = await server.admin('POST', '/admin/v1/tenants', { name: 'Hanbit Bank' });
    tenantId = tenant.body.id;
    for (const [who, name] of [['maker', 'risk-kim'], ['checker', 'risk-lee']] as const) {
      tokens[who] = (await server.admin('POST', '/admin/v1/tokens', { name, role: 'policy-admin', tenantId })).body.token;
    }
    // A little history for the backtest: a 2,000,000 KRW transfer a day for the last 5 days, and one
    // 4,000,000 KRW transfer the customer reported as fraud (stepped up today; not under the draft).
    const now = clock().getTime();
    await seedDecisions(server.running.context.db, tenantId, [
      ...[1, 2, 3, 4, 5].map((day) => ({ id: `d${day}`, customer: 'cust-1', at: new Date(now - day * 86_400_000), status: 'not_required', amount: 2_000_000 })),
      { id: 'fraud', customer: 'cust-1', at: new Date(now - 3_600_000), status: 'denied', amount: 4_000_000, channel: 'ars', fraud: true },
    ]);
  });
  after(async () => {
    for (const browser of browsers) await browser.close();
    await server?.close();
  });

  /** A browser of its own (its own cookie jar), signed in with `token`; script errors are collected. */
  async function signedIn(token: string): Promise<Page> {
    const { browser, page } = await signedInConsole(server.url, token, errors);
    browsers.push(browser);
    return page;
  }

  test('one admin proposes (backtest beside the dry run), cannot approve it; another admin approves it under "Policy"', async () => {
    const maker = await signedIn(tokens.maker);
    await maker.getByRole('navigation').getByRole('link', { name: 'Policy' }).click();
    await maker.getByRole('heading', { name: 'Policy' }).waitFor();
    await maker.getByRole('link', { name: 'Edit the policy' }).click();
    const threshold = maker.getByLabel('Daily cumulative threshold');
    await threshold.waitFor();
    await threshold.fill('100000000');
    await maker.getByLabel('ARS calls enabled').uncheck();
    // The backtest of the draft, beside the dry run: the fraud-reported transfer would pass.
    await maker.getByTestId('run-backtest').click();
    await maker.getByTestId('backtest-table').waitFor();
    assert.match((await maker.getByTestId('backtest-fraud').textContent()) ?? '', new RegExp(seededId(tenantId, 'fraud')));
    assert.ok((await maker.getByTestId('backtest-chart').locator('rect').count()) >= 4, 'the chart has bars');
    await screenshot(maker, 'policy-backtest');

    await maker.getByRole('button', { name: 'Propose the change' }).click();
    await maker.getByRole('heading', { name: /^Proposal pp_/ }).waitFor();
    const proposalUrl = maker.url();
    const diff = maker.getByTestId('proposal-diff');
    assert.equal(await diff.locator('tr[data-path="stepUp.dailyCumulativeThreshold"]').getAttribute('data-weakens'), 'true');
    assert.equal(await diff.locator('tr[data-path="channels.ars.enabled"]').getAttribute('data-weakens'), 'true');
    assert.equal(await diff.getByText('weakens security').count(), 2);
    await maker.getByText('You proposed this change: another admin must approve it.').waitFor();
    assert.equal(await maker.getByTestId('approve').count(), 0, 'the author is offered no approval');
    await maker.getByTestId('backtest-chart').waitFor();
    await screenshot(maker, 'policy-proposal');
    assert.equal((await server.admin('GET', `/admin/v1/tenants/${tenantId}/policy`)).body.version, 0, 'nothing changed yet');

    const checker = await signedIn(tokens.checker);
    await checker.getByRole('navigation').getByRole('link', { name: 'Policy' }).click();
    await checker.getByTestId('proposals').waitFor();
    await checker.getByTestId('proposals').getByRole('link').first().click();
    assert.equal(checker.url(), proposalUrl);
    await checker.getByTestId('approve').click();
    await checker.getByTestId('proposal-state').filter({ hasText: 'approved' }).waitFor();
    const policy = await server.admin('GET', `/admin/v1/tenants/${tenantId}/policy`);
    assert.equal(policy.body.version, 1);
    assert.equal(policy.body.document.stepUp.dailyCumulativeThreshold, '100000000');
    assert.equal(policy.body.author, 'admin:risk-kim');

    // In Korean: the menu says 정책, the proposal's state 승인됨.
    await checker.getByLabel('Language').selectOption('ko-KR');
    await checker.getByRole('navigation').getByRole('link', { name: '정책' }).waitFor();
    await checker.getByTestId('proposal-state').filter({ hasText: '승인됨' }).waitFor();
    assert.deepEqual(errors, []);
  });

  test("the tenant dashboard draws its five charts of the last 30 days with Chart.js, the numbers as a table, no script error", async () => {
    const viewer = await signedIn(tokens.checker);
    await viewer.getByRole('navigation').getByRole('link', { name: 'Dashboard' }).click();
    const table = viewer.getByTestId('dashboard-table');
    await table.waitFor();
    // Every chart is a Chart.js chart on its canvas, with data.
    await waitForCharts(viewer, 5);
    assert.equal(await table.locator('tbody tr').count(), 30);
    // The fourth chart is the ARS module's, titled and labelled from its declaration (assets/channels.json).
    assert.equal(await viewer.locator('canvas[data-chart]').nth(3).getAttribute('data-chart'), 'module:ars');
    await viewer.getByRole('figure').filter({ hasText: 'ARS answer and approval rates (%)' }).waitFor();
    assert.ok((await table.locator('thead th').allTextContents()).includes('ARS approved (of answered)'));
    // Today: the fraud-reported transfer (1 challenge, denied, 1 fraud report); five days ago: a not_required transfer.
    const today = table.locator('tbody tr').last();
    assert.equal(await today.locator('td').first().textContent(), '1');
    const cells = await today.locator('td').allTextContents();
    assert.equal(cells.at(-2), '1', 'one fraud report today');
    await screenshot(viewer, 'dashboard', 1400);
    await viewer.getByLabel('Language').selectOption('ko-KR');
    await viewer.getByRole('heading', { name: '대시보드' }).waitFor();
    await viewer.waitForFunction(() => document.querySelectorAll('canvas[data-chart]').length === 5);
    assert.deepEqual(errors, []);
  });
});
