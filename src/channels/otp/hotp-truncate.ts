// HOTP dynamic truncation (RFC 4226 §5.3), shared by OCRA (RFC 6287 §5.2 uses HOTP-H-t).

/** RFC 4226 §5.3 step 2: the 31-bit value at the offset given by the low nibble of the last byte. */
export function dynamicTruncate(hmac: Uint8Array): number {
  // RFC 4226 §5.3: the offset is the low-order 4 bits of the last byte; SHA-256/512 digests are
  // longer than SHA-1's but the rule is the same (RFC 6287 §5.2).
  const offset = hmac[hmac.length - 1]! & 0x0f;
  return (
    ((hmac[offset]! & 0x7f) << 24) |
    ((hmac[offset + 1]! & 0xff) << 16) |
    ((hmac[offset + 2]! & 0xff) << 8) |
    (hmac[offset + 3]! & 0xff)
  );
}

/** RFC 4226 §5.3 step 3: Snum mod 10^digits, left-padded with zeros to `digits` characters. */
export function hotpTruncate(hmac: Uint8Array, digits: number): string {
  if (!Number.isInteger(digits) || digits < 1 || digits > 10) throw new RangeError('digits must be 1–10');
  // 10^10 exceeds the 31-bit value, so for 10 digits the value is returned whole (padded).
  return String(dynamicTruncate(hmac) % 10 ** digits).padStart(digits, '0');
}
