// Each weakening direction (docs/policy-reference.md "Which way weakens") as a table of changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isWeakening } from './weakening.ts';
import type { Weakening } from './policy-fields.ts';

const cases: [Weakening | undefined, unknown, unknown, boolean][] = [
  ['higher', 3, 4, true],
  ['higher', 4, 3, false],
  ['higher', '3000000', '3000000.0001', true],
  ['higher', '3000000', '999999.9999', false],
  ['higher', 0.7, 0.71, true],
  ['lower', 7, 6, true],
  ['lower', 6, 7, false],
  ['turned_on', false, true, true],
  ['turned_on', true, false, false],
  ['turned_off', true, false, true],
  ['turned_off', false, true, false],
  ['added', ['landline'], ['landline', 'mobile'], true],
  ['added', ['landline', 'mobile'], ['landline'], false],
  ['added', ['a', 'b'], ['b', 'a'], false],
  ['removed', ['transfer', 'other'], ['other'], true],
  ['removed', ['other'], ['other', 'transfer'], false],
  [{ ranks: ['reject', 'allow_same_owner', 'allow'] }, 'reject', 'allow_same_owner', true],
  [{ ranks: ['reject', 'allow_same_owner', 'allow'] }, 'allow', 'reject', false],
  [{ ranks: ['reject', 'allow'] }, 'reject', 'something_new', true],
  ['any', 'Asia/Seoul', 'UTC', true],
  ['never', 30, 120, false],
  // No change never weakens; an undeclared field or a value appearing or vanishing always does.
  ['any', ['ars'], ['ars'], false],
  [undefined, 1, 2, true],
  ['higher', undefined, 3, true],
  ['higher', 'not a number', '3', true],
];

test('isWeakening: every direction, both ways, and the fail-safe cases', () => {
  for (const [direction, before, after, expected] of cases) {
    assert.equal(isWeakening(direction, before, after), expected, `${JSON.stringify(direction)}: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
  }
});
