// What a reader of /docs sees (Swagger UI in headless Chromium): the example transfer, not values
// made up from the schema.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchTestBrowser, type TestBrowser } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

describe('/docs in a browser', () => {
  let browser: TestBrowser;
  let server: TestServer;
  before(async () => {
    browser = await launchTestBrowser();
    server = await startTestServer();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('POST /v1/challenges shows the KRW transfer example for its request and its 201 response', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/docs`);
      const operation = page.locator('.opblock-post', { has: page.locator('[data-path="/v1/challenges"]') }).first();
      await operation.locator('.opblock-summary').first().click();
      const body = operation.locator('.opblock-body');
      await body.locator('.body-param__example, .highlight-code').first().waitFor({ timeout: 10_000 });
      const text = (await body.textContent()) ?? '';
      assert.match(text, /"3500000"/);
      assert.match(text, /"KRW"/);
      assert.match(text, /김철수/);
      assert.match(text, /daily_cumulative_threshold/);
    } finally {
      await page.close();
    }
  });
});
