import { test } from 'node:test';
import assert from 'node:assert/strict';
import { digitsMatch, secretWeakness } from '../../src/channels/ars/knowledge-secret.ts';
import { drawPositions, rememberPositions } from '../../src/channels/ars/position-draw.ts';

test('weak secrets are named', () => {
  assert.equal(secretWeakness('000000'), 'repeated_digit');
  assert.equal(secretWeakness('345678'), 'sequential_run');
  assert.equal(secretWeakness('210987'), 'sequential_run');
  assert.equal(secretWeakness('909090'), 'repeated_block');
  assert.equal(secretWeakness('20478153'), null);
});

test('digits at the asked positions (1-based, ascending) match', () => {
  const secret = Buffer.from('20478153');
  assert.equal(digitsMatch(secret, [2, 5, 6, 8], '0813'), true);
  assert.equal(digitsMatch(secret, [8, 2, 6, 5], '0813'), true, 'positions are sorted before reading');
  assert.equal(digitsMatch(secret, [2, 5, 6, 8], '0812'), false);
  assert.equal(digitsMatch(secret, [2, 5, 6, 8], '081'), false);
  assert.equal(digitsMatch(secret, [2, 5, 6, 8], '08133'), false);
});

test('a drawn set is sorted, distinct, in range and never one of the last three', () => {
  let recent: number[][] = [];
  for (let i = 0; i < 500; i += 1) {
    const drawn = drawPositions(8, 4, recent);
    assert.equal(drawn.length, 4);
    assert.equal(new Set(drawn).size, 4);
    assert.deepEqual(drawn, [...drawn].sort((a, b) => a - b));
    assert.ok(drawn.every((p) => p >= 1 && p <= 8));
    assert.ok(!recent.some((set) => set.join() === drawn.join()), `repeated ${drawn}`);
    recent = rememberPositions(recent, drawn);
    assert.ok(recent.length <= 3);
  }
});

test('every position gets asked (the draw covers the secret)', () => {
  const seen = new Set<number>();
  for (let i = 0; i < 200; i += 1) for (const p of drawPositions(12, 4, [])) seen.add(p);
  assert.equal(seen.size, 12);
});
