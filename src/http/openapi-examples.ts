// Examples shown by /docs for every JSON request body and success response, keyed by
// "<method> <OpenAPI path>" and status. One story runs through them: a 3,500,000 KRW transfer to
// 김철수 at 신한은행 (account 110-123-456789) that the policy sends to a phone (ARS) confirmation.
// test/foundation/openapi-examples.test.ts checks that each example passes its route's own schema. The
// modules' routes have their examples in their modules (ChannelModule.openApiExamples), and their figures
// in the dashboard's example too (ModuleDashboard.example).
import type { OperationExamples } from '../channels/channel-module.ts';

export type { OperationExamples };

/** The tenant dashboard's operation, whose example's days carry each module's figures (ModuleDashboard.example). */
export const dashboardOperation = 'get /admin/v1/tenants/{id}/dashboard';

/**
 * The dashboard's example with each module's figures (module name → one day's figures) in every day,
 * after `byChannel`, as the route's schema lists them (src/dashboard/dashboard-routes.ts).
 */
export function withDashboardFigures(examples: OperationExamples | undefined, figures: Record<string, Record<string, number | null>>): OperationExamples | undefined {
  const answer = examples?.responses?.[200] as { series?: Record<string, unknown>[] } | undefined;
  if (!examples || !answer?.series) return examples;
  const series = answer.series.map((day) =>
    Object.fromEntries(Object.entries(day).flatMap(([key, value]) => (key === 'byChannel' ? [[key, value], ...Object.entries(figures)] : [[key, value]]))),
  );
  return { ...examples, responses: { ...examples.responses, 200: { ...answer, series } } };
}

const tenantId = 'ten_Q2hY8mLkP4sVb7Wd';
const challengeId = 'chl_5bK9pXy2TqW8rLm3ZsVd';
export const createdAt = '2026-11-29T01:23:45.000Z';

const transferRequest = {
  customerId: 'cust-1001',
  transaction: {
    reference: 'TX-20261129-000123',
    type: 'transfer',
    amount: { value: '3500000', currency: 'KRW' },
    payee: { name: '김철수', bank: '신한은행', account: '110-123-456789' },
  },
  context: { designatedDevice: false, payeeRegistered: false, riskScore: 0.2 },
  locale: 'ko-KR',
  callbackUrl: 'https://bank.example/stepup/events',
};

const pendingChallenge = {
  id: challengeId,
  status: 'pending',
  customerId: 'cust-1001',
  transaction: {
    reference: 'TX-20261129-000123',
    type: 'transfer',
    amount: { value: '3500000', currency: 'KRW' },
    payee: { name: '김철수', bank: '신한은행', account: '***-***-456789' },
  },
  transactionHash: 'x3Jr7cWq0mZ5t9bLkQ2yVhN8pF4sD6gA1eR0uTzXcYo',
  decision: { stepUpRequired: true, reasons: ['daily_cumulative_threshold', 'unregistered_payee_limit'], channels: ['ars', 'webauthn', 'otp'] },
  channel: 'ars',
  channelDetails: null,
  customerUrl: null,
  locale: 'ko-KR',
  createdAt,
  expiresAt: '2026-11-29T01:28:45.000Z',
  completedAt: null,
  result: null,
  hold: null,
};

export const receipt = 'eyJhbGciOiJFUzI1NiIsImtpZCI6InJjcHQtMjAyNi0xMSJ9.eyJjaGFsbGVuZ2VJZCI6ImNobF81Yks5cFh5MlRxVzhyTG0zWnNWZCJ9.c2lnbmF0dXJl';
export const approvedChallenge = {
  ...pendingChallenge,
  status: 'approved',
  completedAt: '2026-11-29T01:24:40.000Z',
  result: { channel: 'ars', reason: 'knowledge_verified', receipt },
};
// The transfer held for 3 hours after the approval (docs/holds.md), and the same hold stopped by the bank.
const heldHold = {
  state: 'held',
  reasons: ['hold_min_amount'],
  releaseAt: '2026-11-29T04:24:40.000Z',
  stopClosesAt: '2026-11-29T03:54:40.000Z',
  releasedAt: null,
  stoppedAt: null,
  stoppedBy: null,
  stopUrl: null,
  notifications: [{ at: '2026-11-29T01:24:52.000Z', channel: 'call', outcome: 'answered' }],
};
const heldChallenge = { ...approvedChallenge, hold: heldHold };
const stoppedChallenge = { ...approvedChallenge, hold: { ...heldHold, state: 'stopped', stoppedAt: '2026-11-29T01:31:02.000Z', stoppedBy: 'bank' } };
const canceledChallenge = { ...pendingChallenge, status: 'canceled', completedAt: '2026-11-29T01:24:10.000Z', result: { channel: 'ars', reason: 'canceled_by_bank', receipt } };

const tenant = {
  id: tenantId,
  name: 'Stepup Bank (production)',
  bankName: '스텝업은행',
  bankNames: { 'ko-KR': '스텝업은행', 'en-US': 'Stepup Bank' },
  defaultCallbackUrl: 'https://bank.example/stepup/events',
  securityCallbackUrl: 'https://bank.example/stepup/security-events',
  allowLoopbackCallbacks: false,
  policyApproval: { required: true, approvals: 1, expiresAfterSeconds: 86400 },
  createdAt,
};

const apiKey = {
  keyId: 'key_Zt3Wq8NvR1xK',
  alg: 'hmac-sha256',
  createdAt,
  revokedAt: null,
  allowedNetworks: ['203.0.113.0/28', '2001:db8:10::/48'],
  expiresAt: '2027-06-30T00:00:00.000Z',
  lastUsedAt: '2026-11-29T01:23:00.000Z',
  lastUsedFrom: '203.0.113.5',
  suspendedAt: null,
  suspendedBy: null,
};

const policyDocument = {
  currency: 'KRW',
  timezone: 'Asia/Seoul',
  challengeTtlSeconds: 300,
  channelOrder: ['ars', 'webauthn', 'otp'],
  stepUp: { dailyCumulativeThreshold: '3000000', unregisteredPayeeLimit: '1000000', riskScoreThreshold: 0.7 },
  channels: { ars: { allowedLineTypes: ['landline'], secretPositions: 4, maxAnswersPerCall: 3 }, webauthn: { userVerification: 'required' }, otp: { maxAttempts: 5 } },
};
const policyVersion = { version: 3, author: 'admin:policy-team', createdAt, document: policyDocument };

// The insider's change of issue 25, waiting for a second admin (docs/admin-api.md "Maker-checker").
const proposalId = 'pp_Vd3kR8sQm2Xw';
const backtest = {
  fraudReportedPassing: ['chl_8Tq2Wn5Xk1Rz3Lm7'],
  fraudReportedPassingTotal: 1,
  decisions: 48213,
  days: 30,
  from: '2026-10-30T01:23:45.000Z',
  to: createdAt,
  currentVersion: 3,
  steppedUp: { current: 9120, draft: 1874 },
  byReason: { current: { daily_cumulative_threshold: 7702, unregistered_payee_limit: 1190, risk_score: 228 }, draft: { daily_cumulative_threshold: 402, unregistered_payee_limit: 1190, risk_score: 228 } },
  byChannel: { current: { ars: 8311, webauthn: 809 }, draft: { webauthn: 1700, otp: 174 } },
  holds: { current: 0, draft: 0 },
};
const proposal = {
  id: proposalId,
  state: 'proposed',
  baseVersion: 3,
  author: 'admin:risk-kim',
  createdAt,
  expiresAt: '2026-11-30T01:23:45.000Z',
  diff: [
    { path: 'stepUp.dailyCumulativeThreshold', before: '3000000', after: '100000000', weakens: true },
    { path: 'channels.ars.enabled', before: true, after: false, weakens: true },
  ],
  weakens: ['stepUp.dailyCumulativeThreshold', 'channels.ars.enabled'],
  backtest,
  document: { ...policyDocument, stepUp: { ...policyDocument.stepUp, dailyCumulativeThreshold: '100000000' }, channels: { ...policyDocument.channels, ars: { ...policyDocument.channels.ars, enabled: false } } },
  approvalsRequired: 1,
  approvals: [],
  closedAt: null,
  closedBy: null,
  closeReason: null,
  breakGlass: null,
  appliedVersion: null,
};
const closed = (state: string, by: string, reason: string | null) => ({ ...proposal, state, closedAt: '2026-11-29T02:10:00.000Z', closedBy: by, closeReason: reason });

export const otpToken = {
  id: 'otp_7Hn2KqX9LmP4',
  type: 'totp',
  algorithm: 'sha1',
  digits: 6,
  period: 30,
  label: 'Security card app',
  locked: false,
  lockedAt: null,
  createdAt,
  lastUsedAt: null,
};

export const operationExamples: Record<string, OperationExamples> = {
  'get /': { responses: { 200: { service: 'stepup', links: { docs: { href: '/docs', title: 'API documentation' }, openapi: { href: '/openapi.json', title: 'OpenAPI 3.1 document' }, jwks: { href: '/.well-known/jwks.json', title: 'Receipt verification keys' } } } } },
  'get /healthz': { responses: { 200: { status: 'ok' } } },
  'get /readyz': { responses: { 200: { status: 'ready', database: 'ok', redis: 'ok' } } },
  'get /openapi.json': { responses: { 200: { openapi: '3.1.0', info: { title: 'stepup', version: '1.0.0' }, paths: {} } } },
  'get /.well-known/jwks.json': {
    responses: { 200: { keys: [{ kty: 'EC', crv: 'P-256', kid: 'rcpt-2026-11', use: 'sig', alg: 'ES256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' }] } },
  },
  'post /v1/challenges': { request: transferRequest, responses: { 201: pendingChallenge } },
  'get /v1/challenges/{id}': { responses: { 200: heldChallenge } },
  'get /admin/v1/tenants/{id}/holds': {
    responses: {
      200: {
        holds: [
          {
            challengeId,
            customerId: 'cust-1001',
            status: 'approved',
            state: 'held',
            reasons: ['hold_min_amount'],
            amount: { value: '3500000', currency: 'KRW' },
            payee: { name: '김철수', bank: '신한은행', account: '***-***-456789' },
            reference: 'TX-20261129-000123',
            releaseAt: heldHold.releaseAt,
            stopClosesAt: heldHold.stopClosesAt,
            stoppedBy: null,
          },
        ],
      },
    },
  },
  'post /admin/v1/tenants/{id}/challenges/{challengeId}/stop': {
    request: { reason: 'The customer called the branch: a caller posing as a prosecutor told her to move the money (ticket 4712)' },
    responses: { 200: { ...stoppedChallenge, hold: { ...stoppedChallenge.hold, stoppedBy: 'admin' } } },
  },
  'post /v1/challenges/{id}/stop': { request: { reason: 'The customer called: a caller posing as a prosecutor told him to move the money' }, responses: { 200: stoppedChallenge } },
  'post /v1/challenges/{id}/cancel': { responses: { 200: canceledChallenge } },
  'post /admin/v1/tenants': {
    request: { name: 'Stepup Bank (production)', bankName: '스텝업은행', bankNames: { 'ko-KR': '스텝업은행', 'en-US': 'Stepup Bank' }, defaultCallbackUrl: 'https://bank.example/stepup/events' },
    responses: { 201: { ...tenant, webhookSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } },
  },
  'get /admin/v1/tenants': { responses: { 200: { tenants: [tenant] } } },
  'get /admin/v1/tenants/{id}': { responses: { 200: tenant } },
  'put /admin/v1/tenants/{id}': { request: { bankNames: { 'ko-KR': '스텝업은행', 'en-US': 'Stepup Bank' }, securityCallbackUrl: 'https://bank.example/stepup/security-events' }, responses: { 200: tenant } },
  'post /admin/v1/tenants/{id}/webhook-secret': { responses: { 201: { webhookSecret: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD' } } },
  'post /admin/v1/tenants/{id}/keys': {
    request: { alg: 'hmac-sha256', allowedNetworks: ['203.0.113.0/28', '2001:db8:10::/48'], expiresAt: '2027-06-30T00:00:00Z' },
    responses: { 201: { ...apiKey, lastUsedAt: null, lastUsedFrom: null, secret: 'q1x8Yc0bJ3nV2pR6tW9zA4mK7sD5fG8hL1cE0uI3oP4=' } },
  },
  'put /admin/v1/tenants/{id}/keys/{keyId}': { request: { allowedNetworks: ['203.0.113.0/28', '198.51.100.7'], suspended: false }, responses: { 200: { ...apiKey, allowedNetworks: ['203.0.113.0/28', '198.51.100.7/32'] } } },
  'get /admin/v1/tenants/{id}/keys': { responses: { 200: { keys: [apiKey] } } },
  'get /admin/v1/tenants/{id}/deliveries': {
    responses: { 200: { deliveries: [{ id: 'dlv_8Jq2Xn5Wm1Rz', challengeId, type: 'challenge.approved', status: 'delivered', attempts: 1, createdAt }] } },
  },
  [dashboardOperation]: {
    responses: {
      200: {
        days: 1,
        timezone: 'Asia/Seoul',
        from: '2026-11-27T01:23:45.000Z',
        to: createdAt,
        series: [
          {
            day: '2026-11-29',
            total: 1204,
            byStatus: { not_required: 702, approved: 431, denied: 22, expired: 31, failed: 18 },
            steppedUp: 502,
            stepUpRate: 0.417,
            byChannel: { ars: 377, webauthn: 109, otp: 16 },
            // Each module's figures (`ars`: its answer and approval rates) are its own: buildOpenApi adds them here (withDashboardFigures).
            fraudReports: 9,
            holdsStopped: 3,
          },
        ],
      },
    },
  },
  'get /admin/v1/tenants/{id}/policy': { responses: { 200: policyVersion } },
  'put /admin/v1/tenants/{id}/policy': { request: policyDocument, responses: { 200: { ...policyVersion, version: 4 }, 202: proposal } },
  'post /admin/v1/tenants/{id}/policy/backtest': { request: { document: proposal.document, days: 30 }, responses: { 200: backtest } },
  'get /admin/v1/tenants/{id}/policy/proposals': { responses: { 200: { proposals: [proposal] } } },
  'get /admin/v1/tenants/{id}/policy/proposals/{proposalId}': { responses: { 200: proposal } },
  'post /admin/v1/tenants/{id}/policy/proposals/{proposalId}/approve': {
    request: {},
    responses: { 200: { ...closed('approved', 'admin:risk-lee', null), approvals: [{ actor: 'admin:risk-lee', at: '2026-11-29T02:10:00.000Z' }], appliedVersion: 4 } },
  },
  'post /admin/v1/tenants/{id}/policy/proposals/{proposalId}/reject': {
    request: { reason: 'ARS stays on: it is the only channel that reads the payee aloud' },
    responses: { 200: closed('rejected', 'admin:risk-lee', 'ARS stays on: it is the only channel that reads the payee aloud') },
  },
  'post /admin/v1/tenants/{id}/policy/proposals/{proposalId}/withdraw': { request: {}, responses: { 200: closed('withdrawn', 'admin:risk-kim', null) } },
  'get /admin/v1/tenants/{id}/policy/versions': { responses: { 200: { versions: [policyVersion] } } },
  'get /admin/v1/tenants/{id}/policy/versions/{version}': { responses: { 200: policyVersion } },
  'post /admin/v1/tenants/{id}/policy/dry-run': {
    request: { transaction: transferRequest.transaction, context: { payeeRegistered: false }, todayApproved: '500000' },
    responses: {
      200: {
        stepUpRequired: true,
        reasons: ['daily_cumulative_threshold', 'unregistered_payee_limit'],
        policyVersion: 3,
        hold: { ifStatus: 'approved', seconds: 10800, stopClosesBeforeSeconds: 1800, reasons: ['hold_min_amount'] },
      },
    },
  },
  'get /admin/v1/audit': {
    responses: {
      200: {
        entries: [
          { seq: 1042, tenantId, actor: 'bank:key_Zt3Wq8NvR1xK', action: 'challenge.created', subject: challengeId, data: { reasons: ['daily_cumulative_threshold'] }, createdAt, hash: 'b2c5a1d7e0f94c3b8a6d2e1f0c9b8a7d6e5f4c3b2a1d0e9f8c7b6a5d4e3f2a1b' },
        ],
      },
    },
  },
  'get /admin/v1/audit/verify': { responses: { 200: { ok: true, rows: 1042 } } },
  'post /admin/v1/receipt-keys/rotate': { responses: { 201: { kid: 'rcpt-2026-12' } } },
  'post /admin/v1/tokens': {
    request: { name: 'fraud-desk-readonly', role: 'viewer', tenantId },
    responses: { 201: { id: 'adt_4Nw8Qz2Lk7Xp', token: 'stp_adm_9fK2xQ7LmZ4vR8tW1nB6cY3hJ5sD0gA', role: 'viewer', name: 'fraud-desk-readonly', tenantId } },
  },
  'get /admin/v1/security-signals': {
    responses: {
      200: {
        signals: [
          { seq: 1044, tenantId, source: 'admin_token', subject: 'adt_4Nw8Qz2Lk7Xp', signal: 'admin_new_network', network: '198.51.100.0/24', address: '198.51.100.23', refused: false, actor: 'admin:fraud-desk-readonly', via: 'console', observedAt: createdAt },
          { seq: 1043, tenantId, source: 'key', subject: 'key_Zt3Wq8NvR1xK', signal: 'outside_allowed_networks', network: '198.51.100.0/24', address: '198.51.100.23', refused: true, observedAt: createdAt },
        ],
      },
    },
  },
  'get /admin/v1/console-sessions': {
    responses: {
      200: {
        sessions: [
          { id: 'cs_q3N8vX2kLm7RtW5zYp1aBc4D', tokenId: 'adt_4Nw8Qz2Lk7Xp', actor: 'admin:fraud-desk-readonly', role: 'viewer', tenantId, startedAt: createdAt, lastSeenAt: createdAt, startedFrom: '203.0.113.0/24', lastSeenFrom: '203.0.113.0/24', current: false },
          { id: 'cs_Hk5Lw9Qz3Xv7Nm2Rb8Ty4PaE', tokenId: 'bootstrap', actor: 'admin:bootstrap', role: 'superadmin', tenantId: null, startedAt: createdAt, lastSeenAt: createdAt, startedFrom: '2001:db8:10:20::/64', lastSeenFrom: '2001:db8:10:20::/64', current: true },
        ],
      },
    },
  },
  'get /admin/v1/tokens': { responses: { 200: { tokens: [{ id: 'adt_4Nw8Qz2Lk7Xp', name: 'fraud-desk-readonly', role: 'viewer', tenantId, createdAt, revokedAt: null }] } } },
  'get /v1/customers/{customerId}': {
    responses: {
      200: {
        customerId: 'cust-1001',
        passkeys: 1,
        phone: { number: '+82 2-***-3456', lineType: 'landline', callForwarding: false, numberChangedAt: createdAt, suspended: false, suspendedAt: null },
        ars: { knowledgeSecret: true, locked: false, lockedAt: null, consecutiveFailures: 0 },
        notificationPhone: null,
        otpTokens: [otpToken],
      },
    },
  },
  'post /admin/v1/tenants/{id}/customers/{customerId}/unlock': {
    request: { reason: 'Customer called the branch and proved their identity (ticket 4711)' },
    responses: { 200: { customerId: 'cust-1001', unlocked: ['ars'] } },
  },
  'get /admin/v1/tenants/{id}/customers/{customerId}': {
    responses: { 200: { customerId: 'cust-1001', phone: { number: '+82 2-***-3456', lineType: 'landline' }, ars: { knowledgeSecret: true, locked: false, consecutiveFailures: 0 }, passkeys: 1 } },
  },
  'get /admin/v1/tenants/{id}/challenges': {
    responses: {
      200: {
        challenges: [
          {
            id: challengeId,
            customerId: 'cust-1001',
            status: 'approved',
            type: 'transfer',
            amount: { value: '3500000', currency: 'KRW' },
            channel: 'ars',
            reasons: ['daily_cumulative_threshold', 'unregistered_payee_limit'],
            resultReason: 'knowledge_verified',
            fraudReported: false,
            createdAt,
            completedAt: '2026-11-29T01:24:40.000Z',
          },
        ],
      },
    },
  },
  'get /admin/v1/tenants/{id}/challenges/{challengeId}': {
    responses: {
      200: {
        challenge: approvedChallenge,
        policyVersion: 3,
        callAttempts: [{ attempt: 1, status: 'ended', endReason: 'completed', answeredBy: 'human', answersGiven: 1, noInputs: 0, createdAt, answeredAt: '2026-11-29T01:24:02.000Z', endedAt: '2026-11-29T01:24:40.000Z' }],
        otpAttempts: null,
        deliveries: [{ id: 'dlv_8Jq2Xn5Wm1Rz', type: 'challenge.approved', status: 'delivered', attempts: 1 }],
        audit: [{ seq: 1043, action: 'ars.answer', data: { attempt: 1, ask: 1, result: 'answer' }, createdAt }],
      },
    },
  },
  'post /admin/v1/tenants/{id}/deliveries/{deliveryId}/redeliver': { responses: { 202: { id: 'dlv_8Jq2Xn5Wm1Rz', status: 'pending' } } },
};
