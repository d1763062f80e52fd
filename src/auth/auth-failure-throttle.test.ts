import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientAddressKey } from './auth-failure-throttle.ts';
import { loadConfig } from '../config/config.ts';

test('client address keys: IPv4 as is, IPv4-mapped IPv6 unwrapped, IPv6 by /64, junk as unknown', () => {
  assert.equal(clientAddressKey('203.0.113.7'), '203.0.113.7');
  assert.equal(clientAddressKey('::ffff:203.0.113.7'), '203.0.113.7');
  assert.equal(clientAddressKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(clientAddressKey('2001:db8:1:2:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
  assert.equal(clientAddressKey(undefined), 'unknown');
  assert.equal(clientAddressKey('not-an-address'), 'unknown');
});

test('TRUST_PROXY: hop counts and address lists parse; "true" (trust any X-Forwarded-For) is refused', () => {
  const base = { MASTER_KEY: Buffer.alloc(32, 1).toString('base64') };
  assert.equal(loadConfig(base).trustProxy, false);
  assert.equal(loadConfig({ ...base, TRUST_PROXY: '1' }).trustProxy, 1);
  assert.equal(loadConfig({ ...base, TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy, 'loopback, 10.0.0.0/8');
  assert.throws(() => loadConfig({ ...base, TRUST_PROXY: 'true' }), /TRUST_PROXY/);
  assert.equal(loadConfig({ ...base, METRICS_TOKEN: '' }).metricsToken, undefined);
  assert.throws(() => loadConfig({ ...base, METRICS_TOKEN: 'short' }), /METRICS_TOKEN/);
});
