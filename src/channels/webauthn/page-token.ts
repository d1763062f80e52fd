// Unguessable tokens in customer page URLs (/c/…): 256 random bits; only their SHA-256 is stored,
// so a database read does not hand out live links.
import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../../crypto/hashing.ts';

export const newPageToken = (): string => randomBytes(32).toString('base64url');

export const pageTokenHash = (token: string): string => sha256Hex(`webauthn-page|${token}`);

/** The shape of a token in a path; anything else is 404 without a database read. */
export const pageTokenPattern = /^[A-Za-z0-9_-]{43}$/;
