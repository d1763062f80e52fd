import { test } from 'node:test';
import assert from 'node:assert/strict';
import { digitsMatch, secretWeakness } from '../../src/channels/ars/knowledge-secret.ts';
import { drawPositions, positionHistoryOf, rememberPositions, type PositionHistory } from '../../src/channels/ars/position-draw.ts';

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

test('a drawn set is sorted, distinct, in range and never one asked by this or the previous three challenges', () => {
  let history: PositionHistory = [];
  for (let challenge = 0; challenge < 150; challenge += 1) {
    // Each challenge asks 1 to 4 sets (wrong answers, retried calls).
    for (let ask = 0; ask <= challenge % 4; ask += 1) {
      const drawn = drawPositions(8, 4, history);
      assert.equal(drawn.length, 4);
      assert.equal(new Set(drawn).size, 4);
      assert.deepEqual(drawn, [...drawn].sort((a, b) => a - b));
      assert.ok(drawn.every((p) => p >= 1 && p <= 8));
      assert.ok(!history.some((c) => c.sets.some((set) => set.join() === drawn.join())), `repeated ${drawn}`);
      history = rememberPositions(history, `chl-${challenge}`, drawn);
    }
    assert.ok(history.length <= 4, 'the current challenge and the previous three');
  }
});

test('a challenge with many sets does not push the previous challenges out of the history', () => {
  let history: PositionHistory = rememberPositions([], 'chl-a', [1, 2, 3, 4]);
  history = rememberPositions(history, 'chl-b', [2, 3, 4, 5]);
  for (const set of [[1, 2, 3, 5], [1, 2, 3, 6], [1, 2, 3, 7], [1, 2, 3, 8]]) history = rememberPositions(history, 'chl-c', set);
  assert.deepEqual(history.map((c) => c.challengeId), ['chl-a', 'chl-b', 'chl-c']);
  assert.deepEqual(history[0]!.sets, [[1, 2, 3, 4]]);
  history = rememberPositions(history, 'chl-d', [5, 6, 7, 8]);
  history = rememberPositions(history, 'chl-e', [4, 6, 7, 8]);
  assert.deepEqual(history.map((c) => c.challengeId), ['chl-b', 'chl-c', 'chl-d', 'chl-e'], 'chl-e and the three before it');
});

test('with every set asked (a short secret), the oldest sets come back first; older rows hold bare sets', () => {
  // 6 positions, 5 asked: 6 sets. Five asked by earlier challenges, one by none.
  const legacy = positionHistoryOf([[1, 2, 3, 4, 5], [1, 2, 3, 4, 6]]);
  assert.deepEqual(legacy.map((c) => c.sets), [[[1, 2, 3, 4, 5]], [[1, 2, 3, 4, 6]]]);
  const history: PositionHistory = [...legacy, { challengeId: 'chl-b', sets: [[1, 2, 3, 5, 6], [1, 2, 4, 5, 6], [1, 3, 4, 5, 6]] }];
  for (let i = 0; i < 20; i += 1) assert.deepEqual(drawPositions(6, 5, history), [2, 3, 4, 5, 6], 'the one set never asked');
  const full: PositionHistory = [...history, { challengeId: 'chl-c', sets: [[2, 3, 4, 5, 6]] }];
  for (let i = 0; i < 20; i += 1) assert.deepEqual(drawPositions(6, 5, full), [1, 2, 3, 4, 5], 'the oldest set is allowed first');
});

test('every position gets asked (the draw covers the secret)', () => {
  const seen = new Set<number>();
  for (let i = 0; i < 200; i += 1) for (const p of drawPositions(12, 4, [])) seen.add(p);
  assert.equal(seen.size, 12);
});
