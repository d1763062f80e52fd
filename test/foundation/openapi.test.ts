import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { openApiPath } from '../../src/http/openapi.ts';

describe('OpenAPI document', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  test('every route the app serves is in /openapi.json', async () => {
    const doc = await (await fetch(`${server.url}/openapi.json`)).json();
    assert.equal(doc.openapi, '3.1.0');
    // The declared routes are served by the route table (src/http/route-table.ts); a route added by
    // hand would be a route layer on the live express router: walk it, so such a route is caught too.
    const stack = (server.running.app!.express as any).router.stack as { route?: { path: string; methods: Record<string, boolean> } }[];
    const byHand = stack
      .filter((layer) => layer.route)
      .flatMap((layer) => Object.keys(layer.route!.methods).map((method) => `${method} ${openApiPath(layer.route!.path)}`));
    const served = [...server.running.routes.map((route) => `${route.method} ${openApiPath(route.path)}`), ...byHand];
    assert.ok(served.length > 15, `found ${served.length} routes`);
    for (const entry of served) {
      const [method, path] = entry.split(' ') as [string, string];
      assert.ok(doc.paths[path]?.[method], `${entry} is served but missing from the OpenAPI document`);
    }
  });

  test('the policy events are documented as webhooks', async () => {
    const doc = await (await fetch(`${server.url}/openapi.json`)).json();
    assert.deepEqual(Object.keys(doc.webhooks).sort(), ['policy.break_glass', 'policy.changed', 'policy.proposed']);
    const changed = doc.webhooks['policy.changed'].post.requestBody.content['application/json'].schema;
    assert.ok(changed.properties.data.properties.weakens, 'policy.changed carries weakens');
  });

  test('request schemas reject unknown fields (additionalProperties: false)', async () => {
    const doc = await (await fetch(`${server.url}/openapi.json`)).json();
    const schema = doc.paths['/v1/challenges'].post.requestBody.content['application/json'].schema;
    assert.equal(schema.additionalProperties, false);
    assert.ok(schema.properties.transaction);
    assert.deepEqual(doc.paths['/v1/challenges'].post.security, [{ httpMessageSignature: [] }]);
  });

  test('/docs renders with local assets only', async () => {
    const page = await fetch(`${server.url}/docs`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /swagger-ui-bundle\.js/);
    assert.doesNotMatch(html, /https?:\/\//);
    const asset = await fetch(`${server.url}/docs/assets/swagger-ui-bundle.js`);
    assert.equal(asset.status, 200);
  });
});
