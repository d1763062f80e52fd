// A channel the server has never heard of, to prove that a channel is its folder plus one line
// (docs/architecture.md, "How a channel plugs in"): carrier pigeons. It declares, through the module
// contract only, a policy section with its weakening directions, a problem code, a configuration
// setting, a bank route with its OpenAPI examples, its part of the customer summary and of the admin
// timeline, and its console metadata in both languages. Nothing outside this folder names it except
// the one line that registers it (`[...channelModules, pigeonModule]`).
import { z } from 'zod';
import type { ChannelModule } from '../../../src/channels/channel-module.ts';
import type { PolicySection } from '../../../src/policy/policy-fields.ts';
import { problemsOf } from '../../../src/errors/problem.ts';
import { defineRoute } from '../../../src/http/route.ts';
import { customerIdSchema } from '../../../src/http/schemas.ts';

const pigeonFields = { enabled: z.boolean(), maxFlights: z.number().int().min(1).max(5) };
export const pigeonPolicy: PolicySection<typeof pigeonFields> = {
  fields: pigeonFields,
  defaults: { enabled: false, maxFlights: 2 },
  weakening: { enabled: 'turned_off', maxFlights: 'higher' },
};

export const pigeonProblemCodes = { pigeon_lost: { status: 409, title: 'The pigeon did not come back' } } as const;
const pigeonProblem = problemsOf(pigeonProblemCodes);

const loftSchema = z.object({ customerId: z.string(), pigeons: z.number().int(), loftName: z.string() });
const flightSchema = z.object({ flight: z.number().int(), landed: z.boolean() });

export const pigeonModule: ChannelModule = {
  name: 'pigeon',
  policy: pigeonPolicy,
  problemCodes: pigeonProblemCodes,
  config: { PIGEON_LOFT_NAME: { schema: z.string().min(1).max(40).default('Rooftop'), description: 'What the loft is called' } },
  register() {},
  routes: (host) => [
    defineRoute({
      method: 'get',
      path: '/v1/customers/:customerId/pigeon-loft',
      auth: { kind: 'bank' },
      summary: "The customer's pigeon loft",
      tags: ['pigeon'],
      params: z.strictObject({ customerId: customerIdSchema }),
      responses: { 200: { description: 'The loft', schema: loftSchema } },
      handler: async ({ params }) => {
        if (params.customerId === 'cust-lost') throw pigeonProblem('pigeon_lost', 'No pigeon came back');
        return { status: 200, body: { customerId: params.customerId, pigeons: 3, loftName: String(host.config.modules.pigeon?.PIGEON_LOFT_NAME) } };
      },
    }),
  ],
  openApiExamples: { 'get /v1/customers/{customerId}/pigeon-loft': { responses: { 200: { customerId: 'cust-1001', pigeons: 3, loftName: 'Rooftop' } } } },
  describeCustomer: async () => ({ pigeon: { flightsToday: 4 } }),
  customerSummary: { pigeon: z.object({ flightsToday: z.number().int() }).describe('Flights today') },
  timeline: async (_host, _tenantId, challengeId) => ({ pigeonFlights: challengeId.startsWith('chl_') ? [{ flight: 1, landed: true }] : [] }),
  timelineSchema: { pigeonFlights: z.array(flightSchema) },
  consoleCustomer: async () => ({ locked: false, facts: [{ label: { 'en-US': 'Pigeon flights today', 'ko-KR': '오늘 전서구 비행' }, value: { text: '4' } }] }),
  console: {
    title: { 'en-US': 'Carrier pigeon', 'ko-KR': '전서구' },
    policyFields: [
      { field: 'enabled', kind: 'bool', label: { 'en-US': 'Pigeons on', 'ko-KR': '전서구 사용' } },
      { field: 'maxFlights', kind: 'number', label: { 'en-US': 'Flights per challenge', 'ko-KR': '챌린지당 비행 횟수' } },
    ],
    timeline: [
      {
        key: 'pigeonFlights',
        kind: 'table',
        title: { 'en-US': 'Pigeon flights', 'ko-KR': '전서구 비행' },
        empty: { 'en-US': 'No flights.', 'ko-KR': '비행 없음.' },
        columns: [
          { field: 'flight', format: 'text', label: { 'en-US': 'Flight', 'ko-KR': '비행' } },
          { field: 'landed', format: 'text', label: { 'en-US': 'Landed', 'ko-KR': '도착' } },
        ],
      },
    ],
  },
};
