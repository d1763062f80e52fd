// The SSRF classifier and guard without the HTTP layer: every row of the IANA special-purpose
// registries (special-purpose-addresses.ts) as a literal and as what a hostname resolves to (a
// resolver is injected: nothing is looked up), and URL spellings. api7-ssrf.test.ts runs the same
// table through the real API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { classifyAddress } from '../../src/events/address-classifier.ts';
import { assertCallbackUrlAllowed, resolveCallbackAddress } from '../../src/events/callback-url-guard.ts';
import { addressTable } from './special-purpose-addresses.ts';

const verdictOf = (address: string) => {
  const kind = classifyAddress(address).kind;
  return kind === 'non_public' ? 'refused' : kind;
};

test('classifyAddress: one address per IANA special-purpose registry row', () => {
  const wrong = addressTable.filter((row) => verdictOf(row.address) !== row.verdict).map((row) => `${row.address} (${row.row}): ${verdictOf(row.address)}`);
  assert.deepEqual(wrong, []);
});

test('classifyAddress: IPv6 spelled with an IPv4 tail is judged as the socket would connect', () => {
  // ipaddr.js alone reads ::127.0.0.1 as ::ffff:127.0.0.1 (loopback); it is the IPv4-compatible ::7f00:1.
  assert.deepEqual(classifyAddress('::127.0.0.1'), { kind: 'non_public', range: 'ipv4Compatible' });
  assert.deepEqual(classifyAddress('::ffff:127.0.0.1'), { kind: 'loopback' });
  assert.deepEqual(classifyAddress('64:ff9b::8.8.8.8'), { kind: 'public' });
  assert.deepEqual(classifyAddress('64:ff9b::192.168.0.1'), { kind: 'non_public', range: 'rfc6052' });
  assert.equal(classifyAddress('fe80::1%eth0').kind, 'non_public');
  for (const notAnAddress of ['', 'localhost', '0x7f.1', '2130706433', '127.1', '1.2.3.4.5']) {
    assert.deepEqual(classifyAddress(notAnAddress), { kind: 'non_public', range: 'not_an_address' }, notAnAddress);
  }
});

test('resolveCallbackAddress: a hostname resolving to any special-purpose address is refused at delivery', async () => {
  const wrong: string[] = [];
  for (const row of addressTable) {
    const family = row.address.includes(':') ? 6 : 4;
    const resolve = async () => [{ address: row.address, family }];
    for (const allowLoopback of [false, true]) {
      const expected = row.verdict === 'public' || (allowLoopback && row.verdict === 'loopback');
      const url = new URL('https://hooks.bank.example/x');
      const outcome = await resolveCallbackAddress(url, { allowLoopback, resolve }).then(
        (pinned) => pinned.address === row.address,
        (error: Error & { code?: string }) => (error.code === 'unsafe_callback_url' ? false : error),
      );
      if ((outcome === true) !== expected) wrong.push(`${row.address} allowLoopback=${allowLoopback}: ${String(outcome)}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('resolveCallbackAddress: one bad address among good ones refuses the whole name (rebinding)', async () => {
  const resolve = async () => [{ address: '8.8.8.8', family: 4 }, { address: '::ffff:10.0.0.1', family: 6 }];
  await assert.rejects(resolveCallbackAddress(new URL('https://hooks.bank.example/x'), { allowLoopback: false, resolve }), { code: 'unsafe_callback_url' });
  const good = async () => [{ address: '2606:4700:4700::1111', family: 6 }, { address: '8.8.8.8', family: 4 }];
  assert.deepEqual(await resolveCallbackAddress(new URL('https://hooks.bank.example/x'), { allowLoopback: false, resolve: good }), { address: '2606:4700:4700::1111', family: 6 });
  await assert.rejects(resolveCallbackAddress(new URL('https://hooks.bank.example/x'), { allowLoopback: false, resolve: async () => [] }), { code: 'unsafe_callback_url' });
});

test('assertCallbackUrlAllowed: numeric IPv4 spellings, userinfo and localhost names', () => {
  for (const url of [
    'https://2130706433/', 'https://0x7f000001/', 'https://0177.0.0.1/', 'https://127.1/', 'https://0/', 'https://[::ffff:7f00:1]/',
    'https://[::7f00:1]/', 'https://[64:ff9b::7f00:1]/', 'https://[2002:7f00:1::]/', 'https://localhost./', 'https://a.b.localhost/',
    'https://bank.example@127.0.0.1/', 'https://127.0.0.1#@bank.example/', 'https://127.0.0.1\\@bank.example/', 'https://user@bank.example/',
    'https://2852039166/', 'https://[::ffff:a9fe:a9fe]/', 'ftp://bank.example/', 'javascript:alert(1)', 'not a url',
  ]) {
    assert.throws(() => assertCallbackUrlAllowed(url, { allowLoopback: false }), { code: 'unsafe_callback_url' }, url);
  }
  assert.equal(assertCallbackUrlAllowed('https://bank.example/hook', { allowLoopback: false }).hostname, 'bank.example');
  assert.equal(assertCallbackUrlAllowed('https://[64:ff9b::808:808]/hook', { allowLoopback: false }).hostname, '[64:ff9b::808:808]');
  assert.equal(assertCallbackUrlAllowed('http://[::ffff:127.0.0.1]:9/hook', { allowLoopback: true }).hostname, '[::ffff:7f00:1]');
  assert.throws(() => assertCallbackUrlAllowed('http://[::7f00:1]:9/hook', { allowLoopback: true }), { code: 'unsafe_callback_url' });
});

test('property: an IPv4 address and every IPv6 form embedding it get consistent verdicts', () => {
  const hex = (ip: string) => {
    const [a, b, c, d] = ip.split('.').map(Number) as [number, number, number, number];
    return `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  };
  fc.assert(
    fc.property(fc.ipV4(), (ip) => {
      const ipv4 = classifyAddress(ip).kind;
      // IPv4-mapped connects to the IPv4 address itself.
      assert.equal(classifyAddress(`::ffff:${ip}`).kind, ipv4);
      assert.equal(classifyAddress(`::ffff:${hex(ip)}`).kind, ipv4);
      // NAT64 well-known prefix: public only when the IPv4 address is.
      assert.equal(classifyAddress(`64:ff9b::${hex(ip)}`).kind, ipv4 === 'public' ? 'public' : 'non_public');
      // Deprecated IPv4-compatible, 6to4, local-use NAT64: never, whatever is inside.
      // (0.0.0.1 spells ::1, the IPv6 loopback.)
      if (ip !== '0.0.0.1') assert.equal(classifyAddress(`::${hex(ip)}`).kind, 'non_public');
      assert.equal(classifyAddress(`2002:${hex(ip)}::1`).kind, 'non_public');
      assert.equal(classifyAddress(`64:ff9b:1::${hex(ip)}`).kind, 'non_public');
    }),
    { numRuns: 2000 },
  );
});
