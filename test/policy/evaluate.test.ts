// docs/policy-reference.md decision rules, table-driven, at their boundaries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cumulativeSumLimit, evaluateStepUp, localDayBounds, type StepUpInput } from '../../src/policy/evaluate.ts';
import { defaultPolicy, effectivePolicy, parsePolicy } from '../../src/policy/policy-schema.ts';

const won = (value: number) => BigInt(value);

interface Row {
  name: string;
  type?: string;
  amount?: number;
  currency?: string;
  today?: number;
  context?: StepUpInput['context'];
  expect: string[];
}

const rows: Row[] = [
  { name: 'small transfer', amount: 10_000, expect: [] },
  { name: 'just under the daily threshold', amount: 2_999_999, expect: [] },
  { name: 'this transfer alone reaches the threshold', amount: 3_000_000, expect: ['daily_cumulative_threshold'] },
  { name: 'earlier transfers + this one reach it exactly', amount: 1, today: 2_999_999, expect: ['daily_cumulative_threshold'] },
  { name: 'earlier transfers + this one stay under', amount: 1, today: 2_999_998, expect: [] },
  { name: 'designated device exempts below 10,000,000', amount: 9_999_999, context: { designatedDevice: true }, expect: [] },
  { name: 'designated device at 10,000,000 steps up', amount: 10_000_000, context: { designatedDevice: true }, expect: ['designated_device_high_value'] },
  { name: 'designated device counts the day, not just this transfer', amount: 5_000_000, today: 5_000_000, context: { designatedDevice: true }, expect: ['designated_device_high_value'] },
  { name: 'non-designated device at 10,000,000', amount: 10_000_000, context: { designatedDevice: false }, expect: ['daily_cumulative_threshold'] },
  { name: 'unregistered payee at the limit does not fire', amount: 1_000_000, context: { payeeRegistered: false }, expect: [] },
  { name: 'unregistered payee above the limit', amount: 1_000_001, context: { payeeRegistered: false }, expect: ['unregistered_payee_limit'] },
  { name: 'registered payee above the limit', amount: 1_000_001, context: { payeeRegistered: true }, expect: [] },
  { name: 'no payee designation info: rule does not apply', amount: 1_000_001, expect: [] },
  { name: 'unregistered payee above limit on a designated device', amount: 2_000_000, context: { payeeRegistered: false, designatedDevice: true }, expect: ['unregistered_payee_limit'] },
  { name: 'risk score at the threshold', amount: 10, context: { riskScore: 0.7 }, expect: ['risk_score'] },
  { name: 'risk score just under', amount: 10, context: { riskScore: 0.69 }, expect: [] },
  { name: 'several rules at once, stable order', amount: 3_500_000, context: { payeeRegistered: false, riskScore: 0.9 }, expect: ['daily_cumulative_threshold', 'unregistered_payee_limit', 'risk_score'] },
  { name: 'certificate re-issue always', type: 'certificate_reissue', expect: ['transaction_type'] },
  { name: 'device designation always', type: 'device_designation', expect: ['transaction_type'] },
  { name: 'payee registration always', type: 'payee_registration', expect: ['transaction_type'] },
  { name: 'limit change always', type: 'limit_change', expect: ['transaction_type'] },
  { name: 'other: only on risk', type: 'other', expect: [] },
  { name: 'other with a high risk score', type: 'other', context: { riskScore: 0.95 }, expect: ['risk_score'] },
  { name: 'a transfer in another currency than the policy', amount: 100, currency: 'USD', expect: ['currency_mismatch'] },
];

for (const row of rows) {
  test(`step-up rule: ${row.name}`, () => {
    const decision = evaluateStepUp({
      policy: defaultPolicy(),
      transaction: { type: row.type ?? 'transfer', amountMinor: row.amount === undefined ? undefined : won(row.amount), currency: row.currency ?? 'KRW' },
      context: row.context ?? {},
      history: { todayApprovedMinor: won(row.today ?? 0) },
    });
    assert.deepEqual(decision.reasons, row.expect);
    assert.equal(decision.stepUpRequired, row.expect.length > 0);
  });
}

test('cumulativeSumLimit is where the verdict turns: not_required exactly while today < limit', () => {
  // Thresholds on both sides of each other, designated or not, amounts around both thresholds.
  const policies = [defaultPolicy(), parsePolicyOrThrow({ stepUp: { dailyCumulativeThreshold: '12000000', designatedDeviceExemptBelow: '5000000' } })];
  let checked = 0;
  for (const policy of policies) {
    for (const designatedDevice of [undefined, false, true]) {
      for (const amount of [1n, 999_999n, 2_999_999n, 3_000_000n, 4_999_999n, 9_999_999n, 10_000_000n, 11_999_999n, 12_000_000n]) {
        const input = { policy, transaction: { type: 'transfer', amountMinor: amount, currency: 'KRW' }, context: { designatedDevice } };
        const limit = cumulativeSumLimit(input);
        assert.notEqual(limit, null);
        for (const today of [0n, limit! - 1n, limit!, limit! + 1n, 20_000_000n]) {
          if (today < 0n) continue;
          const verdict = evaluateStepUp({ ...input, history: { todayApprovedMinor: today } });
          assert.equal(verdict.stepUpRequired, today >= limit!, `amount ${amount} today ${today} designated ${designatedDevice}`);
          // Once the amount alone reaches the limit, no history adds a reason (the service skips the sum then).
          if (limit! <= 0n) assert.deepEqual(verdict.reasons, evaluateStepUp({ ...input, history: { todayApprovedMinor: 0n } }).reasons);
          checked += 1;
        }
      }
    }
  }
  assert.ok(checked > 200);
  // The history cannot matter for other transactions or another currency.
  assert.equal(cumulativeSumLimit({ policy: defaultPolicy(), transaction: { type: 'certificate_reissue' }, context: {} }), null);
  assert.equal(cumulativeSumLimit({ policy: defaultPolicy(), transaction: { type: 'transfer', amountMinor: 100n, currency: 'USD' }, context: {} }), null);
});

function parsePolicyOrThrow(input: unknown) {
  const parsed = parsePolicy(input);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.policy;
}

test('grades override any field; an unknown grade changes nothing', () => {
  const parsed = parsePolicy({ grades: { high: { stepUp: { dailyCumulativeThreshold: '500000' }, channels: { ars: { maxAnswersPerCall: 1 } } } } });
  assert.ok(parsed.ok);
  const policy = parsed.policy;
  const high = effectivePolicy(policy, 'high');
  assert.equal(high.stepUp.dailyCumulativeThreshold, '500000');
  assert.equal(high.stepUp.riskScoreThreshold, 0.7, 'untouched fields keep the base value');
  assert.equal(high.channels.ars.maxAnswersPerCall, 1);
  assert.equal(high.channels.ars.lockAfterConsecutiveFailures, 5);
  assert.equal(effectivePolicy(policy, 'nope'), policy);
  const decision = evaluateStepUp({ policy: high, transaction: { type: 'transfer', amountMinor: 600_000n, currency: 'KRW' }, context: {}, history: { todayApprovedMinor: 0n } });
  assert.deepEqual(decision.reasons, ['daily_cumulative_threshold']);
});

test('the schema fills defaults and rejects unknown fields, bad zones, bad money', () => {
  const empty = parsePolicy({});
  assert.ok(empty.ok);
  assert.deepEqual(empty.policy.channelOrder, ['ars', 'webauthn', 'otp']);
  assert.equal(empty.policy.channels.ars.callForwarding, 'reject');
  assert.deepEqual(empty.policy.channels.ars.allowedLineTypes, ['landline']);
  const bad = parsePolicy({ timezone: 'Mars/Olympus', stepUp: { dailyCumulativeThreshold: '3e6', extra: 1 }, channels: { ars: { secretPositions: 9 } }, currency: 'XXX' });
  assert.equal(bad.ok, false);
  const paths = (bad as { errors: { path: string }[] }).errors.map((e) => e.path).sort();
  assert.ok(paths.includes('timezone') && paths.includes('currency') && paths.includes('channels.ars.secretPositions') && paths.includes('stepUp.dailyCumulativeThreshold'));
  assert.ok(paths.some((p) => p === 'stepUp'), 'unknown key reported on its object');
});

test('today in the tenant time zone (Asia/Seoul, and across a New York DST change)', () => {
  const seoul = localDayBounds(new Date('2026-11-22T16:30:00Z'), 'Asia/Seoul');
  assert.equal(seoul.start.toISOString(), '2026-11-22T15:00:00.000Z');
  assert.equal(seoul.end.toISOString(), '2026-11-23T15:00:00.000Z');
  const early = localDayBounds(new Date('2026-11-22T14:59:59Z'), 'Asia/Seoul');
  assert.equal(early.start.toISOString(), '2026-11-21T15:00:00.000Z');
  // 2026-03-08 is 23 hours long in New York; 2026-11-01 is 25.
  const spring = localDayBounds(new Date('2026-03-08T12:00:00Z'), 'America/New_York');
  assert.equal(spring.start.toISOString(), '2026-03-08T05:00:00.000Z');
  assert.equal(spring.end.toISOString(), '2026-03-09T04:00:00.000Z');
  const autumn = localDayBounds(new Date('2026-11-01T12:00:00Z'), 'America/New_York');
  assert.equal(autumn.end.getTime() - autumn.start.getTime(), 25 * 3600 * 1000);
});
