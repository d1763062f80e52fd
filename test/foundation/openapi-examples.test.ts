// /docs shows the examples of /openapi.json, not values Swagger UI makes up from the schema
// (currency "QGK", amount "91187530613542473.0"): every JSON request body and success response has
// one, and each passes the very schema the router validates with.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { openApiPath } from '../../src/http/openapi.ts';
import { createChallengeSchema } from '../../src/challenges/challenge-schemas.ts';

describe('OpenAPI examples', () => {
  let server: TestServer;
  let doc: any;
  before(async () => {
    server = await startTestServer();
    doc = await (await fetch(`${server.url}/openapi.json`)).json();
  });
  after(() => server.close());

  const operations = () =>
    Object.entries<any>(doc.paths).flatMap(([path, byMethod]) => Object.entries<any>(byMethod).map(([method, operation]) => ({ key: `${method} ${path}`, operation })));

  test('every JSON request body and every 2xx JSON response has an example', () => {
    const missing: string[] = [];
    let checked = 0;
    for (const { key, operation } of operations()) {
      const body = operation.requestBody?.content?.['application/json'];
      if (body) {
        checked++;
        if (body.example === undefined) missing.push(`${key} request`);
      }
      for (const [status, response] of Object.entries<any>(operation.responses)) {
        const json = response.content?.['application/json'];
        if (!/^2\d\d$/.test(status) || !json) continue;
        checked++;
        if (json.example === undefined) missing.push(`${key} ${status}`);
      }
    }
    assert.ok(checked > 50, `checked ${checked} bodies`);
    assert.deepEqual(missing, []);
  });

  test("each example passes its route's own schema", () => {
    const failures: string[] = [];
    for (const route of server.running.routes) {
      const operation = doc.paths[openApiPath(route.path)]?.[route.method];
      assert.ok(operation, `${route.method} ${route.path} is documented`);
      const requestExample = operation.requestBody?.content?.['application/json']?.example;
      if (route.body && requestExample !== undefined) {
        const parsed = route.body.safeParse(requestExample);
        if (!parsed.success) failures.push(`${route.method} ${route.path} request: ${parsed.error.message}`);
      }
      for (const [status, response] of Object.entries(route.responses)) {
        const example = operation.responses[status]?.content?.['application/json']?.example;
        if (!response.schema || example === undefined) continue;
        const parsed = response.schema.safeParse(example);
        if (!parsed.success) failures.push(`${route.method} ${route.path} ${status}: ${parsed.error.message}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  test('the challenge request example is a realistic KRW transfer the API accepts', async () => {
    const example = doc.paths['/v1/challenges'].post.requestBody.content['application/json'].example;
    assert.equal(createChallengeSchema.safeParse(example).success, true);
    assert.deepEqual(example.transaction.amount, { value: '3500000', currency: 'KRW' });
    assert.deepEqual(example.transaction.payee, { name: '김철수', bank: '신한은행', account: '110-123-456789' });
    const response = doc.paths['/v1/challenges'].post.responses['201'].content['application/json'].example;
    assert.ok(response.decision.reasons.length > 0);
    // The API really takes it: the same body, signed, creates a challenge.
    const { client } = await server.createTenant();
    const created = await client.createChallenge<any>({ ...example, callbackUrl: undefined, transaction: { ...example.transaction, reference: 'TX-EXAMPLE-1' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
  });
});
