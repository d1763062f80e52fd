// A channel the server has never heard of, to prove that a channel is its folder plus one line
// (docs/architecture.md, "How a channel plugs in"): carrier pigeons. Through the module contract only,
// it declares its Channel strategy (a challenge goes to it when the tenant's policy lists it), a policy
// section with its weakening directions, a problem code, a configuration variable, bank routes with
// their OpenAPI examples, its part of the customer summary, of the admin timeline and of the console's
// customer page, its figures on the tenant dashboard, its console metadata in both languages, and its
// migrations (a table of lofts). Nothing outside this folder names it except the one line that registers
// it (`[...channelModules, pigeonModule]`). Its flights are kept in memory.
import { z } from 'zod';
import type { Channel } from '../../../src/channels/channel.ts';
import type { ChannelHost, ChannelModule } from '../../../src/channels/channel-module.ts';
import { sectionOf, type PolicySection } from '../../../src/policy/policy-fields.ts';
import { ProblemError, problemsOf } from '../../../src/errors/problem.ts';
import { defineRoute } from '../../../src/http/route.ts';
import { customerIdSchema } from '../../../src/http/schemas.ts';
import { challengeIdParams } from '../../../src/challenges/challenge-schemas.ts';

const pigeonFields = { enabled: z.boolean(), maxFlights: z.number().int().min(1).max(5) };
/** Flights per challenge: the schema allowed 8 once, so versions stored then are capped where they take effect. */
const maxFlightsBound = 5;
export const pigeonPolicy: PolicySection<typeof pigeonFields> = {
  name: 'pigeon',
  fields: pigeonFields,
  defaults: { enabled: false, maxFlights: 2 },
  weakening: { enabled: 'turned_off', maxFlights: 'higher' },
  // The note travels with the bird, out of band: its challenges live at most 600 s.
  outOfBand: true,
  withinBounds: (pigeon) => (pigeon.maxFlights <= maxFlightsBound ? pigeon : { ...pigeon, maxFlights: maxFlightsBound }),
};

export const pigeonProblemCodes = { pigeon_lost: { status: 409, title: 'The pigeon did not come back' } } as const;
const pigeonProblem = problemsOf(pigeonProblemCodes);

const loftSchema = z.object({ customerId: z.string(), pigeons: z.number().int(), loftName: z.string() });
const flightSchema = z.object({ flight: z.number().int(), landed: z.boolean() });
type Flight = z.infer<typeof flightSchema>;

// Flights per challenge, per server (tests run several servers in one process).
const flightsByHost = new WeakMap<ChannelHost, Map<string, Flight[]>>();
const flightsOf = (host: ChannelHost) => {
  let flights = flightsByHost.get(host);
  if (!flights) flightsByHost.set(host, (flights = new Map()));
  return flights;
};

const pigeonChannel: Channel = {
  name: 'pigeon',
  eligibility: async ({ customerId }) => (customerId.startsWith('cust-') ? { eligible: true } : { eligible: false, reason: 'not_enrolled' }),
  // Its own section, typed, without a cast (and held to its bounds).
  prepare: async ({ policy }) => ({ state: {}, details: { instruction: 'Tie the note to the pigeon', maxFlights: sectionOf(policy, pigeonPolicy).maxFlights } }),
  start: async () => {},
};

export const pigeonModule: ChannelModule = {
  name: 'pigeon',
  policy: pigeonPolicy,
  problemCodes: pigeonProblemCodes,
  migrations: new URL('./migrations/', import.meta.url),
  config: { PIGEON_LOFT_NAME: { schema: z.string().min(1).max(40).default('Rooftop'), description: 'What the loft is called' } },
  register(host) {
    host.channels.register(pigeonChannel);
  },
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
    defineRoute({
      method: 'post',
      path: '/v1/challenges/:id/pigeon',
      auth: { kind: 'bank' },
      summary: 'The pigeon came back (or did not): a landing approves the challenge',
      tags: ['pigeon'],
      params: challengeIdParams,
      body: z.strictObject({ landed: z.boolean() }),
      responses: { 200: { description: 'The challenge as the flight left it', schema: z.object({ status: z.string(), reason: z.string().nullable() }) } },
      handler: async ({ params, body, bank }) => {
        const tenantId = bank!.tenantId;
        const challenge = await host.challenges.get(tenantId, params.id);
        if (challenge.channel !== 'pigeon') throw new ProblemError('wrong_channel', 'The challenge is not being verified by pigeon');
        const flights = flightsOf(host).get(`${tenantId}/${params.id}`) ?? [];
        flights.push({ flight: flights.length + 1, landed: body.landed });
        flightsOf(host).set(`${tenantId}/${params.id}`, flights);
        if (!body.landed) return { status: 200, body: { status: challenge.status, reason: null } };
        const { challenge: ended } = await host.challenges.finish(tenantId, params.id, { status: 'approved', reason: 'pigeon_landed', actor: 'channel:pigeon' });
        return { status: 200, body: { status: ended.status, reason: ended.resultReason } };
      },
    }),
  ],
  openApiExamples: {
    'get /v1/customers/{customerId}/pigeon-loft': { responses: { 200: { customerId: 'cust-1001', pigeons: 3, loftName: 'Rooftop' } } },
    'post /v1/challenges/{id}/pigeon': { request: { landed: true }, responses: { 200: { status: 'approved', reason: 'pigeon_landed' } } },
  },
  describeCustomer: async () => ({ pigeon: { flightsToday: 4 } }),
  customerSummary: { pigeon: z.object({ flightsToday: z.number().int() }).describe('Flights today') },
  timeline: async (host, tenantId, challengeId) => ({ pigeonFlights: flightsOf(host).get(`${tenantId}/${challengeId}`) ?? [] }),
  timelineSchema: { pigeonFlights: z.array(flightSchema) },
  consoleCustomer: async () => ({ locked: false, facts: [{ label: { 'en-US': 'Pigeon flights today', 'ko-KR': '오늘 전서구 비행' }, value: { text: '4' } }] }),
  // Its figures on the tenant dashboard, from its challenges' outcomes: landings, and landings per flight that ended.
  dashboard: {
    title: { 'en-US': 'Pigeon landings', 'ko-KR': '전서구 도착' },
    // One day's figures in the dashboard's OpenAPI example.
    example: { landed: 12, landingRate: 0.923 },
    figures: [
      { key: 'landed', kind: 'count', label: { 'en-US': 'Landed', 'ko-KR': '도착' }, chart: true },
      { key: 'landingRate', kind: 'rate', label: { 'en-US': 'Landing rate', 'ko-KR': '도착률' }, chart: false },
    ],
    compute: async (_host, { days, outcomes }) => {
      const ended = new Set(['approved', 'denied', 'expired', 'canceled', 'failed']);
      return Object.fromEntries(
        days.map((day) => {
          const landed = outcomes.filter((outcome) => outcome.day === day && outcome.status === 'approved').reduce((sum, outcome) => sum + outcome.count, 0);
          const flown = outcomes.filter((outcome) => outcome.day === day && ended.has(outcome.status)).reduce((sum, outcome) => sum + outcome.count, 0);
          return [day, { landed, landingRate: flown === 0 ? null : landed / flown }];
        }),
      );
    },
  },
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
