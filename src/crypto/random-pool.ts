// Random bytes for the per-request values (ids, AES-GCM data keys and IVs) from a pool refilled 8 KiB
// at a time, as node does for crypto.randomUUID: every randomBytes() call is a trip into OpenSSL that
// cost about 5 µs on the reference machine, four of them per decision (BENCHMARKS.md). The pool is
// filled by the same CSPRNG; each byte is handed out once, copied, and wiped from the pool as it goes.
import { randomBytes, randomFillSync } from 'node:crypto';

const poolSize = 8192;
/** Requests larger than this bypass the pool. */
const largestPooled = 256;
let pool = Buffer.alloc(0);
let offset = 0;

export function pooledRandomBytes(size: number): Buffer {
  if (size > largestPooled) return randomBytes(size);
  if (offset + size > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafeSlow(poolSize));
    offset = 0;
  }
  const bytes = Buffer.from(pool.subarray(offset, offset + size));
  pool.fill(0, offset, offset + size);
  offset += size;
  return bytes;
}
