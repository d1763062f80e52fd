import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalJson } from './hashing.ts';

/** The definition, written the obvious way: keys sorted with `<`, undefined members left out. */
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(',')}}`;
}

test('canonicalJson: the same text as the definition, and JSON that parses back to the value', () => {
  fc.assert(
    fc.property(fc.oneof(fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 10, maxKeys: 40 })), (value) => {
      const text = canonicalJson(value);
      assert.equal(text, reference(value));
      assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(value)));
    }),
    { numRuns: 500 },
  );
});

test('canonicalJson: keys in UTF-16 order at every depth, undefined members left out', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: undefined, x: '한' }], c: null }, B: true }), '{"B":true,"a":{"c":null,"d":[2,{"x":"한","z":1}]},"b":1}');
});
