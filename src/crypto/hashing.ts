import { createHash, timingSafeEqual } from 'node:crypto';
import { pooledRandomBytes } from './random-pool.ts';

export const sha256 = (input: string | Buffer) => createHash('sha256').update(input).digest();
export const sha256Hex = (input: string | Buffer) => sha256(input).toString('hex');
export const sha256Base64Url = (input: string | Buffer) => sha256(input).toString('base64url');

/** Constant-time comparison of two strings (different lengths compare unequal without early exit on content). */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = sha256(a);
  const right = sha256(b);
  return timingSafeEqual(left, right) && a.length === b.length;
}

/** Random identifier with a type prefix, e.g. `chl_3Jk…` (128 bits of CSPRNG entropy). */
export const newId = (prefix: string, bytes = 16) => `${prefix}_${pooledRandomBytes(bytes).toString('base64url')}`;

/**
 * The object's keys in UTF-16 code unit order (as `<` and Array.prototype.sort compare strings). The
 * objects hashed per request have a handful of keys: an insertion sort in place spares the work array
 * sort() allocates on every call; larger ones are sorted by sort().
 */
function sortedKeys(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record);
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i += 1) {
    const key = keys[i]!;
    let j = i - 1;
    for (; j >= 0 && keys[j]! > key; j -= 1) keys[j + 1] = keys[j]!;
    keys[j + 1] = key;
  }
  return keys;
}

/** JSON with object keys sorted recursively (by UTF-16 code units, as `<`): the same value always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let text = '[';
    // An element JSON cannot hold (undefined) leaves an empty slot, as join() does.
    for (let i = 0; i < value.length; i += 1) text += (i > 0 ? ',' : '') + (canonicalJson(value[i]) ?? '');
    return `${text}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = sortedKeys(record);
  let text = '{';
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    text += `${text.length > 1 ? ',' : ''}${JSON.stringify(key)}:${canonicalJson(member)}`;
  }
  return `${text}}`;
}
