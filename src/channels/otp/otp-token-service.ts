// Token life cycle (docs/otp-channel.md otp-tokens): import a hardware token's seed or generate one, list,
// delete, and the customer hooks (summary, erasure, unlock). Every change is audited in its
// transaction; seeds are envelope-encrypted and never leave this module except once, at generation.
import { randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import { appendAudit } from '../../audit/audit-log.ts';
import { newId } from '../../crypto/hashing.ts';
import { ProblemError, notFound } from '../../errors/problem.ts';
import type { Db, Queryable } from '../../storage/db.ts';
import type { PolicyStore } from '../../tenants/policy-store.ts';
import type { TenantStore } from '../../tenants/tenant-store.ts';
import { AMOUNT_DERIVATION_MIN_QUESTION_LENGTH } from './ocra-question.ts';
import { ocraHashLength, parseOcraSuite } from './ocra-suite.ts';
import type { CreateOtpTokenInput } from './otp-schemas.ts';
import type { NewOtpToken, OtpTokenRecord, OtpTokenStore } from './otp-token-store.ts';
import { ocraUri, totpUri } from './totp.ts';
import { otpProblem } from './otp-problem-codes.ts';
import { sectionOf } from '../../policy/policy-fields.ts';
import { otpPolicy } from './otp-policy.ts';

export interface OtpTokenServiceDeps {
  db: Db;
  store: OtpTokenStore;
  tenants: TenantStore;
  policies: PolicyStore;
}

export interface EnrolledToken {
  token: OtpTokenRecord;
  /** Generated seeds only, returned once. */
  otpauthUri?: string;
  qrCodeDataUrl?: string;
}

/** The token as banks see it: never the seed. */
export function publicToken(token: OtpTokenRecord): Record<string, unknown> {
  return {
    id: token.id,
    type: token.type,
    ...(token.type === 'ocra'
      ? { suite: token.suite, questionDerivation: token.questionDerivation, binds: token.questionDerivation === 'payee_account_amount' ? ['payee_account', 'amount'] : ['payee_account'] }
      : { algorithm: token.algorithm, digits: token.digits, period: token.period }),
    label: token.label,
    locked: token.lockedAt !== null,
    lockedAt: token.lockedAt?.toISOString() ?? null,
    createdAt: token.createdAt.toISOString(),
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
  };
}

const unsupportedSuite = (detail: string) => otpProblem('unsupported_suite', detail);

/** Tokens one customer may hold: enough for every device and a spare, not a store for anything. */
export const MAX_TOKENS_PER_CUSTOMER = 10;

export class OtpTokenService {
  constructor(private readonly deps: OtpTokenServiceDeps) {}

  async enroll(tenantId: string, customerId: string, input: CreateOtpTokenInput): Promise<EnrolledToken> {
    const id = newId('tok');
    const label = input.label ?? null;
    let token: NewOtpToken;
    let seedBytes: number;
    if (input.type === 'ocra') {
      const parsed = parseOcraSuite(input.suite);
      if (!parsed.ok) throw unsupportedSuite(`not an OCRA suite: ${parsed.error}`);
      const suite = parsed.suite;
      // The channel computes every DataInput field itself (docs/otp-channel.md "Suites"): it holds
      // no customer PIN (P) and no session (S), so such tokens could never answer a challenge.
      if (suite.passwordHash) throw unsupportedSuite('Suites with a PIN/password hash (PSHA1/PSHA256/PSHA512) are not supported');
      if (suite.sessionInfoLength !== undefined) throw unsupportedSuite('Suites with session information (Snnn) are not supported');
      // The question is derived from the transaction, never a server nonce (docs/otp-question-derivation.md):
      // without C or T the code for a payee never changes, so once accepted it could never approve
      // another transfer to that payee. The freshness has to come from the token.
      if (!suite.counter && !suite.timeStep) {
        throw unsupportedSuite('The suite needs a counter (C) or a time step (T): without either, a payee always gets the same code, which is accepted only once');
      }
      const tenantOtp = sectionOf((await this.deps.policies.currentCached(tenantId)).document, otpPolicy);
      // PSD2 RTS Art. 5: the code binds payee and amount wherever the suite's question can hold both.
      const carriesAmount = suite.question.maxLength >= AMOUNT_DERIVATION_MIN_QUESTION_LENGTH;
      const questionDerivation = input.questionDerivation ?? (carriesAmount ? tenantOtp.questionDerivation : 'payee_account');
      if (questionDerivation === 'payee_account_amount' && !carriesAmount) {
        throw unsupportedSuite(`payee_account_amount needs questions of at least ${AMOUNT_DERIVATION_MIN_QUESTION_LENGTH} characters (e.g. QN16)`);
      }
      // A payee-only code approves any amount to that payee: only where the policy accepts that.
      if (questionDerivation === 'payee_account' && !tenantOtp.allowPayeeOnlyTokens) {
        throw otpProblem(
          'payee_only_token_not_allowed',
          carriesAmount
            ? 'payee_account binds the payee only; the policy (channels.otp.allowPayeeOnlyTokens) does not allow such tokens: use payee_account_amount'
            : `The suite's questions (${suite.question.maxLength} characters) cannot carry the amount, and the policy (channels.otp.allowPayeeOnlyTokens) does not allow tokens that bind the payee only; use a QN16 or longer suite`,
        );
      }
      if (input.counter !== undefined && !suite.counter) {
        throw new ProblemError('validation_failed', 'counter is only for counter (C) suites', { errors: [{ path: 'counter', message: 'the suite has no counter' }] });
      }
      token = { id, tenantId, customerId, type: 'ocra', suite: input.suite, questionDerivation, counter: suite.counter ? (input.counter ?? 0) : null, label };
      seedBytes = ocraHashLength[suite.hash];
    } else {
      const algorithm = input.algorithm ?? 'sha1';
      token = { id, tenantId, customerId, type: 'totp', algorithm, digits: input.digits ?? 6, period: input.period ?? 30, label };
      seedBytes = ocraHashLength[algorithm];
    }

    // RFC 4226 R6 / RFC 6238 §5.1: CSPRNG seeds as long as the HMAC output (≥ 160 bits).
    const seed = input.secretHex ? Buffer.from(input.secretHex, 'hex') : randomBytes(seedBytes);
    try {
      const stored = await this.deps.db.tx(async (tx) => {
        await this.deps.store.upsertCustomer(tx, tenantId, customerId);
        if ((await this.deps.store.lockAndCount(tx, tenantId, customerId)) >= MAX_TOKENS_PER_CUSTOMER) {
          throw otpProblem('otp_token_limit_reached', `A customer can hold at most ${MAX_TOKENS_PER_CUSTOMER} OTP tokens; delete one first`, { limit: MAX_TOKENS_PER_CUSTOMER });
        }
        const record = await this.deps.store.insert(tx, token, seed);
        await appendAudit(tx, {
          tenantId,
          actor: 'bank',
          action: input.secretHex ? 'otp.token_imported' : 'otp.token_generated',
          subject: id,
          data: { customerId, ...publicToken(record) },
        });
        return record;
      });
      if (input.secretHex) return { token: stored };
      const otpauthUri = await this.provisioningUri(stored, seed);
      return { token: stored, otpauthUri, qrCodeDataUrl: await QRCode.toDataURL(otpauthUri, { errorCorrectionLevel: 'M' }) };
    } finally {
      seed.fill(0);
    }
  }

  private async provisioningUri(token: OtpTokenRecord, seed: Uint8Array): Promise<string> {
    const tenant = await this.deps.tenants.getCached(token.tenantId);
    // The otpauth label is `issuer:account`: a colon inside either part would be ambiguous.
    const issuer = (tenant?.bankName ?? 'stepup').replace(/:/g, ' ');
    const accountName = (token.label ?? token.customerId).replace(/:/g, '_');
    return token.type === 'totp'
      ? totpUri({ secret: seed, issuer, accountName, algorithm: token.algorithm, digits: token.digits as 6 | 7 | 8, period: token.period })
      : ocraUri({ secret: seed, suite: token.suite, issuer, accountName, ...(token.counter !== null ? { counter: token.counter } : {}) });
  }

  list(tenantId: string, customerId: string): Promise<OtpTokenRecord[]> {
    return this.deps.store.list(this.deps.db, tenantId, customerId);
  }

  async remove(tenantId: string, customerId: string, tokenId: string): Promise<void> {
    const removed = await this.deps.db.tx(async (tx) => {
      const deleted = await this.deps.store.delete(tx, tenantId, customerId, tokenId);
      if (deleted) await appendAudit(tx, { tenantId, actor: 'bank', action: 'otp.token_deleted', subject: tokenId, data: { customerId } });
      return deleted;
    });
    if (!removed) throw notFound('token');
  }

  /** `GET /v1/customers/{id}`: the tokens without seeds, with their lock state. */
  async describe(tenantId: string, customerId: string): Promise<Record<string, unknown>> {
    const tokens = await this.list(tenantId, customerId);
    return { otpTokens: tokens.map(publicToken) };
  }

  async erase(tx: Queryable, tenantId: string, customerId: string): Promise<void> {
    const ids = await this.deps.store.deleteForCustomer(tx, tenantId, customerId);
    if (ids.length > 0) await appendAudit(tx, { tenantId, actor: 'bank', action: 'otp.tokens_erased', subject: customerId, data: { tokenIds: ids } });
  }

  async unlock(tx: Queryable, tenantId: string, customerId: string): Promise<string[]> {
    const ids = await this.deps.store.unlockForCustomer(tx, tenantId, customerId);
    return ids.map((id) => `otp:${id}`);
  }
}
