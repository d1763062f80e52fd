// `otpauth://` enrollment URIs (the Key Uri Format popularised by Google Authenticator).
import { generateURI, ScureBase32Plugin } from 'otplib';
import { parseOcraSuite } from './ocra-suite.ts';

const base32 = new ScureBase32Plugin();

export interface TotpUriOptions {
  readonly secret: Uint8Array;
  /** Shown by authenticator apps, e.g. the bank's name. Must not contain `:`. */
  readonly issuer: string;
  /** The customer's label in the app. Must not contain `:`. */
  readonly accountName: string;
  readonly algorithm?: 'sha1' | 'sha256' | 'sha512';
  readonly digits?: 6 | 7 | 8;
  readonly period?: number;
}

/** `otpauth://totp/Issuer:account?secret=…&issuer=…[&algorithm=…&digits=…&period=…]` via otplib. */
export function totpUri(options: TotpUriOptions): string {
  const { secret, issuer, accountName, algorithm = 'sha1', digits = 6, period = 30 } = options;
  checkLabelPart(issuer);
  checkLabelPart(accountName);
  return generateURI({
    strategy: 'totp',
    issuer,
    label: accountName,
    secret: base32.encode(secret, { padding: false }),
    algorithm,
    digits,
    period,
  });
}

export interface OcraUriOptions {
  readonly secret: Uint8Array;
  /** The OCRA suite, e.g. `OCRA-1:HOTP-SHA1-6:QN08`. */
  readonly suite: string;
  readonly issuer: string;
  readonly accountName: string;
  /** Counter suites: the token's initial counter (default 0). */
  readonly counter?: number;
}

/**
 * `otpauth://ocra/Issuer:account?secret=…&issuer=…&ocrasuite=…[&counter=…]`.
 *
 * Non-standard: the Key Uri Format defines only `totp` and `hotp`. The `ocra` type with an
 * `ocrasuite` parameter is a common convention among OCRA-capable soft tokens and provisioning
 * tools; apps that do not know it will refuse the URI rather than compute wrong codes.
 */
export function ocraUri(options: OcraUriOptions): string {
  const { secret, suite, issuer, accountName } = options;
  checkLabelPart(issuer);
  checkLabelPart(accountName);
  const parsed = parseOcraSuite(suite);
  if (!parsed.ok) throw new TypeError(`invalid OCRA suite: ${parsed.error}`);
  const params = new URLSearchParams({
    secret: base32.encode(secret, { padding: false }),
    issuer,
    ocrasuite: suite,
  });
  if (parsed.suite.counter) params.set('counter', String(options.counter ?? 0));
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(accountName)}`;
  // URLSearchParams encodes spaces as `+`; authenticator apps expect `%20`.
  return `otpauth://ocra/${label}?${params.toString().replace(/\+/g, '%20')}`;
}

function checkLabelPart(value: string): void {
  // The label is `issuer:account`; a colon inside either part would make it ambiguous.
  if (value.length === 0 || value.includes(':')) throw new TypeError('issuer and account name must be non-empty and contain no ":"');
}
