// PostgreSQL advisory locks are named by an int8: a lock name's key is the first 8 bytes of its
// SHA-256 as a signed int8, the same in every process.
import { createHash } from 'node:crypto';

export const advisoryLockKey = (name: string): bigint => createHash('sha256').update(name).digest().readBigInt64BE(0);
