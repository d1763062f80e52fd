// A channel is its folder plus one line, in the console too (docs/console.md "Dashboard"): with the
// pigeon module registered in one line, the policy page of a new tenant shows the pigeon's fields with
// its section's defaults (version 0 is the server's), and the tenant dashboard page — which names no channel — draws the
// pigeon's chart from its declaration in /admin/assets/channels.json, titled and labelled in both
// languages, lists its figure in the table of numbers and the pigeon in the channel mix. In headless
// Chromium (playwright-core) against the real server.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { signedInConsole, waitForCharts, type TestBrowser } from '../support/browser.ts';
import { middayClock, startTestServer, type TestServer } from '../support/test-server.ts';
import { seedDecisions } from '../support/seed-decisions.ts';
import { channelModules } from '../../src/server/channel-modules.ts';
import { pigeonModule } from './test-channel/pigeon-module.ts';

describe('the dashboard draws a module it has never heard of', () => {
  let server: TestServer;
  const clock = middayClock();
  let browser: TestBrowser | undefined;
  const errors: string[] = [];
  let token = '';
  let tenantId = '';
  let page: Page | undefined;

  before(async () => {
    // The server's clock at about noon in Seoul, the history seeded by it: two hours ago is today on the
    // dashboard whenever the suite runs (between midnight and 2 am, it was yesterday).
    server = await startTestServer({ modules: [...channelModules, pigeonModule], clock });
    const tenant = await server.admin('POST', '/admin/v1/tenants', { name: 'Dovecote Bank' });
    tenantId = tenant.body.id;
    token = (await server.admin('POST', '/admin/v1/tokens', { name: 'viewer-park', role: 'viewer', tenantId })).body.token;
    // Today: two pigeon challenges, one landed (approved), one lost (failed); one by ARS.
    const now = clock().getTime();
    await seedDecisions(server.running.context.db, tenantId, [
      { id: 'p1', customer: 'cust-1', at: new Date(now - 3_600_000), status: 'approved', channel: 'pigeon', resultReason: 'pigeon_landed' },
      { id: 'p2', customer: 'cust-2', at: new Date(now - 7_200_000), status: 'failed', channel: 'pigeon' },
      { id: 'a1', customer: 'cust-3', at: new Date(now - 7_200_000), status: 'approved', channel: 'ars' },
    ]);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** One browser, signed in once, for the tests in turn. */
  async function signedIn(): Promise<Page> {
    if (page) return page;
    const signed = await signedInConsole(server.url, token, errors);
    browser = signed.browser;
    return (page = signed.page);
  }

  test("the policy page of a tenant that never stored a version shows its fields with its section's defaults (version 0)", async () => {
    const page = await signedIn();
    await page.evaluate((hash) => (location.hash = hash), `#/tenants/${tenantId}/policy`);
    const flights = page.getByLabel('Flights per challenge');
    await flights.waitFor();
    assert.equal(await flights.inputValue(), '2');
    assert.equal(await page.getByLabel('Pigeons on').isChecked(), false);
    assert.match((await page.getByTestId('policy-json').inputValue()) ?? '', /"pigeon": \{\s*"enabled": false,\s*"maxFlights": 2\s*\}/);
    assert.deepEqual(errors, []);
  });

  test("its chart, titled and labelled from its declaration, its figure in the table, the pigeon in the channel mix; in Korean too", async () => {
    const page = await signedIn();
    await page.getByRole('navigation').getByRole('link', { name: 'Dashboard' }).click();
    const table = page.getByTestId('dashboard-table');
    await table.waitFor();
    // Six charts: the core's four, the ARS module's and the pigeon's, each a Chart.js chart with data.
    await waitForCharts(page, 6);
    const charts = await page.locator('canvas[data-chart]').evaluateAll((canvases) => canvases.map((canvas) => canvas.getAttribute('data-chart')));
    assert.deepEqual(charts, ['status', 'stepup', 'channels', 'module:ars', 'module:pigeon', 'fraud']);
    await page.getByRole('figure').filter({ hasText: 'Pigeon landings' }).waitFor();
    const pigeonData = await page.locator('canvas[data-chart="module:pigeon"]').evaluate((canvas) => {
      const Chart = (window as unknown as { Chart: { getChart(canvas: Element): { data: { datasets: { label: string; data: number[] }[] } } } }).Chart;
      return Chart.getChart(canvas).data.datasets.map((dataset) => ({ label: dataset.label, today: dataset.data.at(-1) }));
    });
    assert.deepEqual(pigeonData, [{ label: 'Landed', today: 1 }]);
    // The table: its charted figure (not its uncharted rate), and the pigeon among the channels.
    const head = await table.locator('thead th').allTextContents();
    assert.ok(head.includes('Landed'), JSON.stringify(head));
    assert.ok(!head.includes('Landing rate'), 'an uncharted figure is in the data only');
    assert.ok(head.some((text) => text.endsWith(': pigeon')), JSON.stringify(head));
    const today = await table.locator('tbody tr').last().locator('td').allTextContents();
    assert.equal(today[head.indexOf('Landed') - 1], '1', 'the day is the row header: cells start at the second column');
    assert.equal(today[head.findIndex((text) => text.endsWith(': pigeon')) - 1], '2');

    await page.getByLabel('Language').selectOption('ko-KR');
    await page.getByRole('heading', { name: '대시보드' }).waitFor();
    await page.getByRole('figure').filter({ hasText: '전서구 도착' }).waitFor();
    await page.getByTestId('dashboard-table').locator('thead th').filter({ hasText: /^도착$/ }).waitFor();
    assert.deepEqual(errors, []);
  });
});
