// Policy proposals over the admin API (docs/admin-api.md "Maker-checker"): list, read, approve,
// reject, withdraw. Approving takes a policy-admin (or above) in the tenant's scope.
import { z } from 'zod';
import { defineRoute, type AdminPrincipal, type RouteDefinition } from '../http/route.ts';
import { backtestResultSchema } from '../backtest/backtest-schema.ts';
import type { ProposalService } from './proposal-service.ts';
import { proposalStates, showProposal, type Proposal } from './proposal-record.ts';

const proposalParams = z.strictObject({ id: z.string().regex(/^ten_[A-Za-z0-9_-]{8,32}$/), proposalId: z.string().regex(/^pp_[A-Za-z0-9_-]{8,32}$/) });
const change = z.object({ path: z.string(), before: z.unknown(), after: z.unknown(), weakens: z.boolean() });

export const proposalView = z.object({
  id: z.string(),
  state: z.enum(proposalStates),
  baseVersion: z.number().int(),
  author: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  diff: z.array(change),
  weakens: z.array(z.string()).describe('Paths of the fields the change moves the weak way (docs/policy-reference.md "Which way weakens")'),
  backtest: backtestResultSchema.nullable(),
  document: z.record(z.string(), z.unknown()),
  approvalsRequired: z.number().int(),
  approvals: z.array(z.object({ actor: z.string(), at: z.string() })),
  closedAt: z.string().nullable(),
  closedBy: z.string().nullable(),
  closeReason: z.string().nullable(),
  breakGlass: z.object({ actor: z.string().nullable(), reason: z.string().nullable() }).nullable(),
  appliedVersion: z.number().int().nullable(),
});

const reason = z.string().trim().min(3).max(500);
const approveInput = z
  .union([z.strictObject({}), z.strictObject({ breakGlass: z.literal(true), reason: reason.describe('Why the policy cannot wait for a second admin; kept in the audit and sent as policy.break_glass') })])
  .optional();

export function proposalRoutes(deps: { proposals: ProposalService }): RouteDefinition[] {
  const { proposals } = deps;
  const ok = (proposal: Proposal) => ({ status: 200, body: showProposal(proposal) });
  /** A step of a proposal's life, taken by a policy-admin (or above) in the tenant's scope. */
  const action = <B extends z.ZodType>(name: string, step: { summary: string; answer: string; body: B; run: (tenantId: string, id: string, body: z.output<B>, admin: AdminPrincipal) => Promise<Proposal> }) =>
    defineRoute({
      method: 'post',
      path: `/admin/v1/tenants/:id/policy/proposals/:proposalId/${name}`,
      auth: { kind: 'admin', role: 'policy-admin', tenantScope: 'path' },
      summary: step.summary,
      tags: ['admin: policy'],
      params: proposalParams,
      body: step.body,
      responses: { 200: { description: step.answer, schema: proposalView } },
      handler: async ({ params, body, admin }) => ok(await step.run(params.id, params.proposalId, body, admin!)),
    });
  return [
    defineRoute({
      method: 'get',
      path: '/admin/v1/tenants/:id/policy/proposals',
      auth: { kind: 'admin', role: 'viewer', tenantScope: 'path' },
      summary: 'Policy proposals, newest first',
      tags: ['admin: policy'],
      params: proposalParams.pick({ id: true }),
      query: z.strictObject({ state: z.enum(proposalStates).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }),
      responses: { 200: { description: 'Proposals', schema: z.object({ proposals: z.array(proposalView) }) } },
      handler: async ({ params, query }) => ({ status: 200, body: { proposals: (await proposals.list(params.id, query)).map(showProposal) } }),
    }),
    defineRoute({
      method: 'get',
      path: '/admin/v1/tenants/:id/policy/proposals/:proposalId',
      auth: { kind: 'admin', role: 'viewer', tenantScope: 'path' },
      summary: 'One policy proposal, with its diff, the fields it weakens and its backtest',
      tags: ['admin: policy'],
      params: proposalParams,
      responses: { 200: { description: 'The proposal', schema: proposalView } },
      handler: async ({ params }) => ok(await proposals.get(params.id, params.proposalId)),
    }),
    action('approve', {
      summary: 'Approve a proposal: by an admin other than its author and earlier approvers (another token and another name); the last approval needed applies it. A superadmin may apply it alone with {"breakGlass": true, "reason"}',
      answer: 'The proposal, approved (or waiting for more approvals)',
      body: approveInput,
      run: (tenantId, id, body, admin) => proposals.approve(tenantId, admin, id, { breakGlass: body && 'breakGlass' in body ? { reason: body.reason } : undefined }),
    }),
    action('reject', {
      summary: 'Reject a proposal',
      answer: 'The proposal, rejected',
      body: z.strictObject({ reason: reason.optional() }).optional(),
      run: (tenantId, id, body, admin) => proposals.reject(tenantId, admin, id, body?.reason),
    }),
    action('withdraw', {
      summary: 'Withdraw a proposal (its author only)',
      answer: 'The proposal, withdrawn',
      body: z.strictObject({}).optional(),
      run: (tenantId, id, _body, admin) => proposals.withdraw(tenantId, admin, id),
    }),
  ];
}
