// The carrier-gateway source against a real HTTP server that verifies the signature.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { CarrierGatewaySource } from '../../src/telephony/number-intelligence/carrier-gateway-source.ts';
import { generateGatewaySecret } from '../../src/telephony/number-intelligence/carrier-gateway-store.ts';
import type { SourceQuery } from '../../src/telephony/number-intelligence/number-source.ts';
import { allParts } from './helpers.ts';
import { startGateway, type GatewayFixture } from './gateway-fixture.ts';

const query = (e164: string, purpose: SourceQuery['purpose'] = 'call'): SourceQuery => ({ tenantId: 'ten_gateway00', e164, purpose, parts: allParts, requestId: 'nvr_abc123' });

describe('carrier-gateway source', () => {
  let gateway: GatewayFixture;
  let source: CarrierGatewaySource;

  before(async () => {
    gateway = await startGateway(generateGatewaySecret());
    source = new CarrierGatewaySource({ url: gateway.url, secret: gateway.secret, timeoutMs: 300, allowLoopback: true });
  });
  after(() => gateway.close());
  beforeEach(() => {
    gateway.hits.length = 0;
    gateway.reply({ body: { callForwarding: false } });
  });

  it('POSTs {number, requestId, purpose} signed with the tenant secret (verified by the bank side)', async () => {
    const answer = await source.lookup(query('+8223123456', 'enrollment'));
    assert.equal(gateway.hits.length, 1);
    const hit = gateway.hits[0]!;
    assert.equal(hit.signatureValid, true);
    assert.deepEqual(hit.json, { number: '+8223123456', requestId: 'nvr_abc123', purpose: 'enrollment' });
    assert.equal(hit.headers['webhook-id'], 'nvr_abc123');
    assert.equal(hit.headers['content-type'], 'application/json');
    assert.deepEqual(answer, { source: 'carrier_gateway', valid: null, lineType: 'unknown', country: null, callForwarding: false, errors: [] });
  });

  it('the signature cannot be forged: another secret, a changed body or an old timestamp fail verification', () => {
    // The bank side (standardwebhooks, as in the fixture) accepts only the genuine request.
    const body = JSON.stringify({ number: '+8223123456', requestId: 'nvr_x', purpose: 'call' });
    const now = new Date();
    const genuine = new Webhook(gateway.secret).sign('nvr_x', now, body);
    const headers = { 'webhook-id': 'nvr_x', 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': genuine };
    const bank = new Webhook(gateway.secret);
    assert.doesNotThrow(() => bank.verify(body, headers));
    assert.throws(() => bank.verify(body.replace('3456', '3457'), headers), 'a changed number fails');
    const forged = new Webhook(generateGatewaySecret()).sign('nvr_x', now, body);
    assert.throws(() => bank.verify(body, { ...headers, 'webhook-signature': forged }), 'another secret fails');
    const old = new Date(now.getTime() - 3600_000);
    const replayed = { 'webhook-id': 'nvr_x', 'webhook-timestamp': String(Math.floor(old.getTime() / 1000)), 'webhook-signature': new Webhook(gateway.secret).sign('nvr_x', old, body) };
    assert.throws(() => bank.verify(body, replayed), 'an old timestamp fails');
  });

  it('a request signed with the wrong secret is refused by the gateway and is unknown to stepup', async () => {
    const wrong = new CarrierGatewaySource({ url: gateway.url, secret: generateGatewaySecret(), timeoutMs: 300, allowLoopback: true });
    const answer = await wrong.lookup(query('+8223123456'));
    assert.equal(gateway.hits[0]!.signatureValid, false);
    assert.equal(answer.callForwarding, null);
    assert.deepEqual(answer.errors, ['http_401']);
    assert.equal(answer.unavailable, true);
  });

  it('forwarded, to another owner', async () => {
    gateway.reply({ body: { callForwarding: true, forwardedToSameOwner: false, lineType: 'landline' } });
    const answer = await source.lookup(query('+8223123456'));
    assert.equal(answer.callForwarding, true);
    assert.equal(answer.forwardedToSameOwner, false);
    assert.equal(answer.lineType, 'landline');
  });

  it('the gateway does not know: null is unknown', async () => {
    gateway.reply({ body: { callForwarding: null } });
    const answer = await source.lookup(query('+8223123456'));
    assert.equal(answer.callForwarding, null);
    assert.equal(answer.unavailable, undefined, 'an answered "unknown" is an answer');
  });

  it('timing out is unknown, not a crash and not "no"', async () => {
    gateway.reply({ body: { callForwarding: false }, delayMs: 1000 });
    const started = Date.now();
    const answer = await source.lookup(query('+8223123456'));
    assert.deepEqual(answer.errors, ['timeout']);
    assert.equal(answer.callForwarding, null);
    assert.equal(answer.unavailable, true);
    assert.ok(Date.now() - started < 1000, 'the deadline cut the request');
  });

  it('HTTP errors and malformed answers are unknown', async () => {
    gateway.reply({ status: 503, body: {} });
    assert.deepEqual((await source.lookup(query('+8223123456'))).errors, ['http_503']);
    gateway.reply({ rawBody: 'not json' });
    assert.deepEqual((await source.lookup(query('+8223123456'))).errors, ['invalid_response']);
    gateway.reply({ body: { callForwarding: 'no' } });
    assert.deepEqual((await source.lookup(query('+8223123456'))).errors, ['invalid_response']);
    gateway.reply({ body: { lineType: 'landline' } });
    assert.deepEqual((await source.lookup(query('+8223123456'))).errors, ['invalid_response'], 'callForwarding is required (null when unknown)');
  });

  it('the SSRF guard applies: loopback refused unless allowed, private addresses always', async () => {
    const noLoopback = new CarrierGatewaySource({ url: gateway.url, secret: gateway.secret, timeoutMs: 300, allowLoopback: false });
    assert.deepEqual((await noLoopback.lookup(query('+8223123456'))).errors, ['refused_address']);
    const privateAddress = new CarrierGatewaySource({ url: 'https://10.1.2.3/inquiry', secret: gateway.secret, timeoutMs: 300, allowLoopback: true });
    assert.deepEqual((await privateAddress.lookup(query('+8223123456'))).errors, ['refused_address']);
    assert.equal(gateway.hits.length, 0);
  });
});
