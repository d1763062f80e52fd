// Every policy field declares which change of it lowers security (docs/policy-reference.md "Which way
// weakens"), in the section that declares the field; the diff of two documents marks those changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPolicy, parsePolicy, weakeningOf } from './policy-schema.ts';
import { diffPolicies } from './policy-diff.ts';

/** Every leaf path of a document (arrays are leaves: a list is one setting). */
function leafPaths(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([key, child]) => leafPaths(child, [...prefix, key]));
}

test('every field of the policy document declares which direction weakens security', () => {
  const { grades: _grades, ...document } = defaultPolicy();
  const undeclared = leafPaths(document).filter((path) => weakeningOf(path) === undefined).map((path) => path.join('.'));
  assert.deepEqual(undeclared, []);
  // And the same field inside a grade's overrides.
  assert.deepEqual(weakeningOf(['grades', 'vip', 'stepUp', 'dailyCumulativeThreshold']), 'higher');
  assert.equal(weakeningOf(['channels', 'ars', 'noSuchField']), undefined);
});

test('the keyProtection section (docs/security.md "Key protections") declares its fields, defaults and bounds', () => {
  const policy = defaultPolicy();
  assert.deepEqual(Object.keys(policy.keyProtection).sort(), ['failureMinimumRequests', 'failureRatio', 'rateSpikeMinimumPerMinute', 'rateSpikeMultiple', 'suspendOnStrongSignal', 'unknownCustomersPerWindow']);
  assert.equal(weakeningOf(['keyProtection', 'rateSpikeMultiple']), 'higher');
  assert.equal(weakeningOf(['keyProtection', 'suspendOnStrongSignal']), 'turned_off');
  // Not per customer: a grade cannot carry it.
  assert.equal(weakeningOf(['grades', 'vip', 'keyProtection', 'rateSpikeMultiple']), undefined);
  const after = defaultPolicy();
  after.keyProtection.unknownCustomersPerWindow = 10_000;
  after.keyProtection.suspendOnStrongSignal = true;
  assert.deepEqual(diffPolicies(defaultPolicy(), after).weakens, ['keyProtection.unknownCustomersPerWindow']);
  assert.equal(parsePolicy({ keyProtection: { failureRatio: 0 } }).ok, false, 'a failure ratio of 0 would signal every key');
  assert.equal(parsePolicy({ keyProtection: { rateSpikeMultiple: 1 } }).ok, false);
  assert.equal(parsePolicy({ grades: { vip: { keyProtection: { rateSpikeMultiple: 50 } } } }).ok, false);
  assert.equal(parsePolicy({ keyProtection: { colour: 'red' } }).ok, false);
});

test('allowPayeeOnlyTokens is declared weakening when turned on', () => {
  assert.equal(weakeningOf(['channels', 'otp', 'allowPayeeOnlyTokens']), 'turned_on');
  const after = defaultPolicy();
  after.channels.otp.allowPayeeOnlyTokens = true;
  assert.deepEqual(diffPolicies(defaultPolicy(), after).weakens, ['channels.otp.allowPayeeOnlyTokens']);
});

test('the diff lists each changed field, and weakens only those moved the weak way', () => {
  const before = defaultPolicy();
  const after = defaultPolicy();
  after.stepUp.dailyCumulativeThreshold = '100000000'; // higher: weakens
  after.channels.ars.enabled = false; // a channel switched: weakens either way
  after.channels.ars.lockAfterConsecutiveFailures = 3; // lower: strengthens
  after.channels.ars.allowedLineTypes = ['landline', 'mobile']; // a line type added: weakens
  after.stepUp.alwaysFor = [...before.stepUp.alwaysFor, 'other']; // a type added: strengthens
  after.channels.ars.callForwarding = 'allow'; // reject -> allow: weakens
  after.channels.webauthn.userVerification = 'preferred'; // weakens
  after.hold.enabled = true; // turned on: strengthens
  const { diff, weakens } = diffPolicies(before, after);
  assert.deepEqual(
    diff.map((change) => [change.path, change.weakens]),
    [
      ['stepUp.dailyCumulativeThreshold', true],
      ['stepUp.alwaysFor', false],
      ['channels.ars.enabled', true],
      ['channels.ars.allowedLineTypes', true],
      ['channels.ars.callForwarding', true],
      ['channels.ars.lockAfterConsecutiveFailures', false],
      ['channels.webauthn.userVerification', true],
      ['hold.enabled', false],
    ],
  );
  assert.deepEqual(diff[0], { path: 'stepUp.dailyCumulativeThreshold', before: '3000000', after: '100000000', weakens: true });
  assert.deepEqual(weakens, ['stepUp.dailyCumulativeThreshold', 'channels.ars.enabled', 'channels.ars.allowedLineTypes', 'channels.ars.callForwarding', 'channels.webauthn.userVerification']);
});

test('amounts compare as decimals, not as strings', () => {
  const after = defaultPolicy();
  after.stepUp.dailyCumulativeThreshold = '900000'; // "900000" > "3000000" as strings, yet lower
  assert.deepEqual(diffPolicies(defaultPolicy(), after).weakens, []);
  after.stepUp.dailyCumulativeThreshold = '3000000.5';
  assert.deepEqual(diffPolicies(defaultPolicy(), after).weakens, ['stepUp.dailyCumulativeThreshold']);
});

test('a grade that loosens a field for its customers weakens, even when the base is unchanged', () => {
  const before = defaultPolicy();
  const after = defaultPolicy();
  after.grades = { vip: { stepUp: { riskScoreThreshold: 0.95 } }, strict: { stepUp: { riskScoreThreshold: 0.2 } } };
  const { diff, weakens } = diffPolicies(before, after);
  assert.deepEqual(diff.map((change) => change.path), ['grades.vip', 'grades.strict']);
  assert.deepEqual(weakens, ['grades.vip.stepUp.riskScoreThreshold']);
  // Removing the strict grade puts its customers back on the base: weaker for them.
  assert.deepEqual(diffPolicies(after, { ...after, grades: { vip: after.grades.vip } }).weakens, ['grades.strict.stepUp.riskScoreThreshold']);
});
