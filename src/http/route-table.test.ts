import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRouteTable } from './route-table.ts';
import type { RouteDefinition } from './route.ts';

/** A declared route reduced to what matching reads; `name` tells the routes apart. */
const route = (method: RouteDefinition['method'], path: string, name = `${method} ${path}`): RouteDefinition =>
  ({ method, path, auth: { kind: 'public' }, summary: name, tags: [], responses: {}, handler: async () => ({ status: 204 }) }) as RouteDefinition;

const table = compileRouteTable([
  route('get', '/v1/challenges/:id'),
  route('post', '/v1/challenges/:id/cancel'),
  route('get', '/v1/Items'),
  route('post', '/v1/items'),
  route('get', '/v1/items/special', 'first declared'),
  route('get', '/v1/items/:name', 'second declared'),
  route('delete', '/v1/items/:name'),
]);
const found = (method: string, path: string) => {
  const match = table.find(method, path);
  return match && { summary: match.route.summary, params: match.params };
};

test('route table: paths match without regard to case or one trailing slash', () => {
  assert.equal(found('GET', '/v1/items')?.summary, 'get /v1/Items');
  assert.equal(found('GET', '/V1/ITEMS')?.summary, 'get /v1/Items');
  assert.equal(found('GET', '/v1/items/')?.summary, 'get /v1/Items');
  assert.equal(found('GET', '/v1/items//'), undefined);
  assert.equal(found('GET', '/v1/itemsx'), undefined);
  assert.equal(found('GET', '/v1'), undefined);
});

test('route table: parameters are percent-decoded; literal text is not; a malformed escape throws URIError', () => {
  assert.deepEqual(found('GET', '/v1/challenges/ch%5F1')?.params, { id: 'ch_1' });
  assert.deepEqual(found('GET', '/v1/challenges/%ED%95%9C')?.params, { id: '한' });
  // An encoded slash stays inside its parameter.
  assert.deepEqual(found('GET', '/v1/challenges/a%2Fb')?.params, { id: 'a/b' });
  assert.equal(found('GET', '/v1/%69tems'), undefined);
  assert.throws(() => table.find('GET', '/v1/challenges/%E0%A4%A'), URIError);
});

test('route table: HEAD is served by the GET route; other methods only by their own', () => {
  assert.equal(found('HEAD', '/v1/items')?.summary, 'get /v1/Items');
  assert.equal(found('POST', '/v1/items')?.summary, 'post /v1/items');
  assert.equal(found('PUT', '/v1/items'), undefined);
  assert.equal(found('OPTIONS', '/v1/items'), undefined);
  assert.equal(found('PROPFIND', '/v1/items'), undefined);
  assert.equal(found('get', '/v1/items'), undefined, 'methods are upper case, as node gives them');
});

test('route table: the first route declared wins', () => {
  assert.equal(found('GET', '/v1/items/special')?.summary, 'first declared');
  assert.deepEqual(found('GET', '/v1/items/other'), { summary: 'second declared', params: { name: 'other' } });
});

test('route table: the methods allowed on a path, HEAD wherever GET is, by the same matching rules', () => {
  assert.deepEqual(table.allowedMethods('/v1/items'), ['GET', 'HEAD', 'POST']);
  assert.deepEqual(table.allowedMethods('/V1/Items/'), ['GET', 'HEAD', 'POST']);
  assert.deepEqual(table.allowedMethods('/v1/items/special'), ['DELETE', 'GET', 'HEAD']);
  assert.deepEqual(table.allowedMethods('/v1/challenges/ch_1/cancel'), ['POST']);
  assert.deepEqual(table.allowedMethods('/v1/nothing'), []);
  assert.throws(() => table.allowedMethods('/v1/challenges/%E0%A4%A'), URIError);
});
