// The policy's `hold` section (docs/policy-reference.md, "hold"): bounds, per-grade overrides, and the
// pure plan made at decision time — which transfers are held, for how long, and why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPolicy, effectivePolicy, parsePolicy } from '../../src/policy/policy-schema.ts';
import { holdAt, planHold } from '../../src/holds/hold-plan.ts';

const withHold = (hold: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ ...defaultPolicy(), hold: { ...defaultPolicy().hold, ...hold }, ...extra });
const refusedPaths = (document: unknown) => {
  const parsed = parsePolicy(document);
  assert.equal(parsed.ok, false, 'refused');
  return parsed.ok ? [] : parsed.errors.map((error) => error.path);
};

test('the defaults: off, 1,000,000 and up, 3 hours, stop closes 30 minutes before, calls at once and after 90 minutes', () => {
  const parsed = parsePolicy({});
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.policy.hold, {
    enabled: false,
    minAmount: '1000000',
    seconds: 10800,
    appliesTo: ['approved', 'not_required'],
    stopClosesBeforeSeconds: 1800,
    notifyCallsAfterSeconds: [0, 5400],
    newPayeeWithinSeconds: 43200,
  });
});

test('bounds: seconds in [60, 259200], at most 3 notification calls, stop closes before release, calls before the stop closes', () => {
  assert.deepEqual(refusedPaths(withHold({ seconds: 59 })), ['hold.seconds']);
  assert.deepEqual(refusedPaths(withHold({ seconds: 259201 })), ['hold.seconds']);
  assert.deepEqual(refusedPaths(withHold({ notifyCallsAfterSeconds: [0, 60, 120, 180] })), ['hold.notifyCallsAfterSeconds']);
  assert.deepEqual(refusedPaths(withHold({ notifyCallsAfterSeconds: [60, 0] })), ['hold.notifyCallsAfterSeconds']);
  assert.deepEqual(refusedPaths(withHold({ seconds: 600, stopClosesBeforeSeconds: 600 })), ['hold.stopClosesBeforeSeconds']);
  assert.deepEqual(refusedPaths(withHold({ seconds: 600, stopClosesBeforeSeconds: 100, notifyCallsAfterSeconds: [0, 500] })), ['hold.notifyCallsAfterSeconds']);
  assert.deepEqual(refusedPaths(withHold({ appliesTo: ['denied'] })), ['hold.appliesTo.0']);
  assert.deepEqual(refusedPaths(withHold({ minAmount: '1e6' })), ['hold.minAmount']);
  assert.deepEqual(refusedPaths(withHold({ surprise: true })), ['hold']);
  assert.ok(parsePolicy(withHold({ seconds: 60, stopClosesBeforeSeconds: 0, notifyCallsAfterSeconds: [] })).ok);
  assert.ok(parsePolicy(withHold({ seconds: 259200, notifyCallsAfterSeconds: [0, 3600, 7200] })).ok);
});

test('a grade overrides any hold field, and the merged grade is held to the same bounds', () => {
  const parsed = parsePolicy(withHold({}, { grades: { high: { hold: { enabled: true, seconds: 86400 } } } }));
  assert.ok(parsed.ok);
  assert.equal(effectivePolicy(parsed.policy, 'high').hold.enabled, true);
  assert.equal(effectivePolicy(parsed.policy, 'high').hold.seconds, 86400);
  assert.equal(effectivePolicy(parsed.policy).hold.enabled, false);
  assert.deepEqual(refusedPaths(withHold({}, { grades: { quick: { hold: { seconds: 1000, stopClosesBeforeSeconds: 1000 } } } })), ['grades.quick.hold.stopClosesBeforeSeconds']);
  assert.deepEqual(refusedPaths(withHold({}, { grades: { quick: { hold: { seconds: 30 } } } })), ['grades.quick.hold.seconds']);
});

const on = (hold: Record<string, unknown> = {}) => effectivePolicy(withHold({ enabled: true, ...hold }) as never);
const transfer = (value: string, currency = 'KRW') => ({ type: 'transfer', amountMinor: BigInt(value), currency });
const now = new Date('2026-12-06T03:00:00.000Z');

test('planHold: a transfer at or above minAmount is held; below it is not; other types and a disabled hold never', () => {
  assert.deepEqual(planHold({ policy: on(), transaction: transfer('1000000'), context: {}, now })?.reasons, ['hold_min_amount']);
  assert.equal(planHold({ policy: on(), transaction: transfer('999999'), context: {}, now }), null);
  assert.equal(planHold({ policy: on(), transaction: { type: 'limit_change' }, context: {}, now }), null);
  assert.equal(planHold({ policy: effectivePolicy(defaultPolicy()), transaction: transfer('50000000'), context: {}, now }), null);
  // Thresholds are in the policy currency: another currency is held (the safe answer without a rate).
  assert.deepEqual(planHold({ policy: on(), transaction: transfer('10', 'USD'), context: {}, now })?.reasons, ['hold_min_amount']);
});

test('planHold: a payee registered less than newPayeeWithinSeconds ago is held whatever the amount', () => {
  const registered = (secondsAgo: number) => new Date(now.getTime() - secondsAgo * 1000).toISOString();
  assert.deepEqual(planHold({ policy: on(), transaction: transfer('1000'), context: { payeeRegisteredAt: registered(60) }, now })?.reasons, ['new_payee']);
  assert.equal(planHold({ policy: on(), transaction: transfer('1000'), context: { payeeRegisteredAt: registered(43200) }, now }), null);
  assert.deepEqual(planHold({ policy: on(), transaction: transfer('2000000'), context: { payeeRegisteredAt: registered(10) }, now })?.reasons, ['hold_min_amount', 'new_payee']);
  // A registration time in the future is not trusted: held.
  assert.deepEqual(planHold({ policy: on(), transaction: transfer('1000'), context: { payeeRegisteredAt: registered(-3600) }, now })?.reasons, ['new_payee']);
  assert.equal(planHold({ policy: on({ newPayeeWithinSeconds: 0 }), transaction: transfer('1000'), context: { payeeRegisteredAt: registered(1) }, now }), null);
});

test('holdAt: only an end listed in appliesTo is held; times follow from the end', () => {
  const plan = planHold({ policy: on({ appliesTo: ['approved'], seconds: 3600, stopClosesBeforeSeconds: 600, notifyCallsAfterSeconds: [0, 1200] }), transaction: transfer('5000000'), context: {}, now })!;
  assert.equal(holdAt(plan, 'not_required', now), null);
  assert.equal(holdAt(plan, 'denied', now), null);
  assert.equal(holdAt(undefined, 'approved', now), null);
  const hold = holdAt(plan, 'approved', now)!;
  assert.equal(hold.state, 'held');
  assert.equal(hold.releaseAt.toISOString(), '2026-12-06T04:00:00.000Z');
  assert.equal(hold.stopClosesAt.toISOString(), '2026-12-06T03:50:00.000Z');
  assert.deepEqual(hold.notifyAt.map((at) => at.toISOString()), ['2026-12-06T03:00:00.000Z', '2026-12-06T03:20:00.000Z']);
  assert.deepEqual(hold.reasons, ['hold_min_amount']);
});
