import { z } from 'zod';
import type { Db } from '../../storage/db.ts';
import type { PolicyStore, PolicyVersion } from '../../tenants/policy-store.ts';
import type { TenantStore } from '../../tenants/tenant-store.ts';
import { ProblemError, notFound } from '../../errors/problem.ts';
import { type PolicyDocument as PolicyDocumentOf, type PolicySchema } from '../../policy/policy-schema.ts';
import { evaluateStepUp } from '../../policy/evaluate.ts';
import { holdAt, planHold } from '../../holds/hold-plan.ts';
import { parseAmount } from '../../money/money.ts';
import { transactionSchema } from '../../challenges/challenge-schemas.ts';
import { defineRoute, type HandlerOutput, type RouteDefinition } from '../route.ts';
import type { ProposalService } from '../../policy-approval/proposal-service.ts';
import { proposalView } from '../../policy-approval/proposal-routes.ts';
import { showProposal } from '../../policy-approval/proposal-record.ts';
import { backtestResultSchema } from '../../backtest/backtest-schema.ts';
import type { BacktestResult } from '../../backtest/backtest-result.ts';
import { defaultBacktestDays } from '../../backtest/run-backtest.ts';

const tenantIdParams = z.strictObject({ id: z.string().regex(/^ten_[A-Za-z0-9_-]{8,32}$/) });
const versionView = z.object({ version: z.number().int(), author: z.string(), createdAt: z.string(), document: z.record(z.string(), z.unknown()) });
const show = (v: PolicyVersion) => ({ version: v.version, author: v.author, createdAt: v.createdAt.toISOString(), document: v.document });
const etag = (version: number) => `"v${version}"`;

const dryRunInput = z.strictObject({
  policy: z.unknown().optional().describe('A draft policy document; the current policy when absent'),
  transaction: transactionSchema,
  context: z
    .strictObject({
      designatedDevice: z.boolean().optional(),
      riskScore: z.number().min(0).max(1).optional(),
      payeeRegistered: z.boolean().optional(),
      grade: z.string().max(32).optional(),
      payeeRegisteredAt: z.iso.datetime({ offset: true }).optional(),
    })
    .optional(),
  todayApproved: z.string().regex(/^\d{1,19}(\.\d{1,4})?$/).optional().describe("The customer's approved transfers today, in major units"),
});

const backtestInput = z.strictObject({
  document: z.unknown().describe('The draft policy document'),
  days: z.number().int().min(1).max(366).default(defaultBacktestDays).describe('How many days back to replay'),
});

/** A draft in a request body, validated like a PUT's; its problems are named under `field`. */
function parseDraft(policy: PolicySchema, field: string, draft: unknown) {
  const parsed = policy.schema.safeParse(draft);
  if (parsed.success) return parsed.data;
  const errors = parsed.error.issues.map((i) => ({ path: [field, ...i.path.map(String)].join('.'), message: i.message }));
  throw new ProblemError('validation_failed', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
}

export function policyAdminRoutes(deps: {
  db: Db;
  tenants: TenantStore;
  policies: PolicyStore;
  proposals: ProposalService;
  /** The document's schema composed from the server's modules (src/policy/policy-schema.ts, composePolicy). */
  policy: PolicySchema;
  backtest(input: { tenantId: string; current: PolicyVersion; draft: PolicyDocumentOf; days: number }): Promise<BacktestResult>;
}): RouteDefinition[] {
  const requireTenant = async (id: string) => {
    if (!(await deps.tenants.get(id))) throw notFound('tenant');
  };
  return [
    defineRoute({
      method: 'get',
      path: '/admin/v1/tenants/:id/policy',
      auth: { kind: 'admin', role: 'viewer', tenantScope: 'path' },
      summary: "The tenant's current policy (ETag carries its version)",
      tags: ['admin: policy'],
      params: tenantIdParams,
      responses: { 200: { description: 'Current version', schema: versionView } },
      handler: async ({ params }) => {
        await requireTenant(params.id);
        const current = await deps.policies.current(params.id);
        return { status: 200, body: show(current), headers: { etag: etag(current.version) } };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/admin/v1/tenants/:id/policy',
      auth: { kind: 'admin', role: 'policy-admin', tenantScope: 'path' },
      summary: 'Replace the policy; If-Match must carry the current ETag. With maker-checker on (docs/admin-api.md), answers 202 with a proposal that another admin approves',
      tags: ['admin: policy'],
      params: tenantIdParams,
      body: deps.policy.schema,
      headers: [{ name: 'If-Match', required: true, description: 'The ETag of the version being replaced, e.g. "v3"' }],
      responses: {
        200: { description: 'The new version (the tenant does not require approval)', schema: versionView },
        202: { description: 'A proposal: the change waits for approval', schema: proposalView },
      },
      handler: async ({ params, body, headers, admin }): Promise<HandlerOutput> => {
        await requireTenant(params.id);
        const ifMatch = headers['if-match'];
        if (typeof ifMatch !== 'string') throw new ProblemError('precondition_required', 'Send If-Match with the ETag of the current policy');
        const match = /^"v(\d+)"$/.exec(ifMatch.trim());
        if (!match) throw new ProblemError('precondition_failed', 'If-Match does not name a policy version');
        const outcome = await deps.proposals.put(params.id, admin!, Number(match[1]), body);
        if (!outcome) throw new ProblemError('precondition_failed', 'The policy changed since that version; fetch it again');
        if (outcome.kind === 'proposed') return { status: 202, body: showProposal(outcome.proposal), headers: { location: `/admin/v1/tenants/${params.id}/policy/proposals/${outcome.proposal.id}` } };
        return { status: 200, body: show(outcome.version), headers: { etag: etag(outcome.version.version) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/admin/v1/tenants/:id/policy/versions',
      auth: { kind: 'admin', role: 'viewer', tenantScope: 'path' },
      summary: 'Every version of the policy, newest first',
      tags: ['admin: policy'],
      params: tenantIdParams,
      responses: { 200: { description: 'Versions', schema: z.object({ versions: z.array(versionView) }) } },
      handler: async ({ params }) => {
        await requireTenant(params.id);
        return { status: 200, body: { versions: (await deps.policies.versions(params.id)).map(show) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/admin/v1/tenants/:id/policy/versions/:version',
      auth: { kind: 'admin', role: 'viewer', tenantScope: 'path' },
      summary: 'One version of the policy',
      tags: ['admin: policy'],
      params: z.strictObject({ id: tenantIdParams.shape.id, version: z.coerce.number().int().min(0) }),
      responses: { 200: { description: 'The version', schema: versionView } },
      handler: async ({ params }) => {
        await requireTenant(params.id);
        const version = await deps.policies.version(params.id, params.version);
        if (!version) throw notFound('policy version');
        return { status: 200, body: show(version) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/admin/v1/tenants/:id/policy/dry-run',
      auth: { kind: 'admin', role: 'viewer', tenantScope: 'path' },
      summary: 'Evaluate a transaction against the current or a draft policy, without side effects',
      tags: ['admin: policy'],
      params: tenantIdParams,
      body: dryRunInput,
      responses: {
        200: {
          description: 'The decision, and whether the transfer would be held when it ends as decided (not_required) or once approved (docs/holds.md)',
          schema: z.object({
            stepUpRequired: z.boolean(),
            reasons: z.array(z.string()),
            policyVersion: z.number().nullable(),
            hold: z.object({ ifStatus: z.enum(['approved', 'not_required']), seconds: z.number(), stopClosesBeforeSeconds: z.number(), reasons: z.array(z.string()) }).nullable(),
          }),
        },
      },
      handler: async ({ params, body }) => {
        await requireTenant(params.id);
        let document;
        let policyVersion: number | null = null;
        if (body.policy === undefined) {
          const current = await deps.policies.current(params.id);
          document = current.document;
          policyVersion = current.version;
        } else {
          document = parseDraft(deps.policy, 'policy', body.policy);
        }
        const policy = deps.policy.effective(document, body.context?.grade);
        const amount = body.transaction.amount ? parseAmount(body.transaction.amount) : undefined;
        if (amount && !amount.ok) throw new ProblemError('invalid_amount', `transaction.amount: ${amount.code}`);
        const today = body.todayApproved && body.transaction.amount ? parseAmount({ value: body.todayApproved, currency: body.transaction.amount.currency }, { allowZero: true }) : undefined;
        if (today && !today.ok) throw new ProblemError('invalid_amount', `todayApproved: ${today.code}`);
        const verdict = evaluateStepUp({
          policy,
          transaction: { type: body.transaction.type, amountMinor: amount?.ok ? amount.minor : undefined, currency: body.transaction.amount?.currency },
          context: body.context ?? {},
          history: { todayApprovedMinor: today?.ok ? today.minor : 0n },
        });
        const now = new Date();
        const holdPlan = planHold({ policy, transaction: { type: body.transaction.type, amountMinor: amount?.ok ? amount.minor : undefined, currency: body.transaction.amount?.currency }, context: body.context ?? {}, now });
        const ifStatus = verdict.stepUpRequired ? 'approved' : 'not_required';
        const hold = holdAt(holdPlan ?? undefined, ifStatus, now) && { ifStatus, seconds: holdPlan!.seconds, stopClosesBeforeSeconds: holdPlan!.stopClosesBeforeSeconds, reasons: holdPlan!.reasons };
        return { status: 200, body: { stepUpRequired: verdict.stepUpRequired, reasons: verdict.reasons, policyVersion, hold } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/admin/v1/tenants/:id/policy/backtest',
      auth: { kind: 'admin', role: 'viewer', tenantScope: 'path' },
      summary: "Replay the tenant's own decisions of the last `days` under the draft and the current policy (daily totals recomputed, holds counted); fraud-reported challenges the draft would let through come first",
      tags: ['admin: policy'],
      params: tenantIdParams,
      body: backtestInput,
      responses: { 200: { description: 'The two policies side by side', schema: backtestResultSchema } },
      handler: async ({ params, body }) => {
        await requireTenant(params.id);
        const draft = parseDraft(deps.policy, 'document', body.document);
        const current = await deps.policies.current(params.id);
        return { status: 200, body: await deps.backtest({ tenantId: params.id, current, draft, days: body.days }) };
      },
    }),
  ];
}
