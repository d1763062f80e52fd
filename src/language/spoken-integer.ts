// Shared input guard of the number-words functions: a non-negative integer as bigint.

export function toSpokenInteger(value: bigint | number, max: bigint): bigint {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new RangeError(`${value} is not a safe integer; pass a bigint`);
  }
  const integer = BigInt(value);
  if (integer < 0n) throw new RangeError(`${integer} is negative; only amounts of zero or more are spoken`);
  if (integer > max) throw new RangeError(`${integer} is larger than ${max}, the largest number spoken`);
  return integer;
}
