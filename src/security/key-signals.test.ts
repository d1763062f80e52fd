// The behavioural signals' thresholds (docs/security.md "Key protections"), as a boundary table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keySignalsOf, isStrongSignal, type KeyTraffic } from './key-signals.ts';
import { keyProtectionDefaults as defaults } from './key-protection-policy.ts';

const quiet: KeyTraffic = { lastMinute: 60, ratePerMinute: 60, baselinePerMinute: 60, recentRequests: 300, recentFailures: 3, unknownCustomers: null };
const signals = (traffic: Partial<KeyTraffic>, policy = defaults) => keySignalsOf(policy, { ...quiet, ...traffic }).map((fired) => fired.signal);

test('steady traffic raises nothing', () => {
  assert.deepEqual(signals({}), []);
  assert.deepEqual(signals({ unknownCustomers: 3 }), []);
});

test('rate_spike: the multiple of the baseline, and only from the minimum volume', () => {
  // 10 × a baseline of 40 a minute is 400; 300 requests in the last minute is the minimum volume.
  assert.deepEqual(signals({ lastMinute: 400, ratePerMinute: 400, baselinePerMinute: 40 }), ['rate_spike']);
  assert.deepEqual(signals({ lastMinute: 399, ratePerMinute: 399, baselinePerMinute: 40 }), [], 'just under 10×');
  // A quiet key's first burst: far above its baseline, but under the minimum volume.
  assert.deepEqual(signals({ lastMinute: 299, ratePerMinute: 299, baselinePerMinute: 0.5 }), []);
  assert.deepEqual(signals({ lastMinute: 300, ratePerMinute: 300, baselinePerMinute: 0.5 }), ['rate_spike']);
  assert.deepEqual(signals({ lastMinute: 60, ratePerMinute: 60, baselinePerMinute: 0.5 }, { ...defaults, rateSpikeMinimumPerMinute: 60 }), ['rate_spike']);
  const [fired] = keySignalsOf(defaults, { ...quiet, lastMinute: 900, ratePerMinute: 900.4, baselinePerMinute: 12.34 });
  assert.deepEqual(fired, { signal: 'rate_spike', measured: { ratePerMinute: 900, baselinePerMinute: 12.3, multiple: 10, minimumPerMinute: 300 } });
});

test('customer_enumeration: distinct unknown customers in the window, measured only when one was added', () => {
  assert.deepEqual(signals({ unknownCustomers: 49 }), []);
  assert.deepEqual(signals({ unknownCustomers: 50 }), ['customer_enumeration']);
  assert.deepEqual(signals({ unknownCustomers: null }), []);
  assert.deepEqual(keySignalsOf(defaults, { ...quiet, unknownCustomers: 51 })[0]!.measured, { unknownCustomers: 51, threshold: 50 });
});

test('failure_ratio: the share of failures, from the minimum volume', () => {
  assert.deepEqual(signals({ recentRequests: 100, recentFailures: 50 }), ['failure_ratio']);
  assert.deepEqual(signals({ recentRequests: 100, recentFailures: 49.9 }), []);
  assert.deepEqual(signals({ recentRequests: 99.9, recentFailures: 99.9 }), [], 'under the minimum volume, even all failing');
  assert.deepEqual(keySignalsOf(defaults, { ...quiet, recentRequests: 200.2, recentFailures: 150 })[0]!.measured, { failureRatio: 0.75, requests: 200, threshold: 0.5 });
});

test('several at once; enumeration and rate spikes are the strong ones', () => {
  assert.deepEqual(signals({ lastMinute: 1000, ratePerMinute: 1000, baselinePerMinute: 10, unknownCustomers: 80, recentRequests: 1000, recentFailures: 900 }), ['rate_spike', 'customer_enumeration', 'failure_ratio']);
  assert.equal(isStrongSignal('rate_spike'), true);
  assert.equal(isStrongSignal('customer_enumeration'), true);
  assert.equal(isStrongSignal('failure_ratio'), false);
  assert.equal(isStrongSignal('new_network'), false);
});
