// The plug-in contract (docs/architecture.md, "How a channel plugs in"): a module declares everything
// it adds — its Channel strategy, routes, mounts, workers, policy section, problem codes, environment
// variables, OpenAPI examples, its part of the customer summary and of the admin timeline, its figures
// on the tenant dashboard, what the console shows of it, and its migrations. The server composes all of these from one list of modules (src/server/channel-modules.ts); a
// module receives a ChannelHost, never the composition root's context.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import type { Config, ModuleConfigDeriver, ModuleEnv } from '../config/config.ts';
import type { Clock } from '../time/clock.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Db, Queryable } from '../storage/db.ts';
import type { Envelope } from '../crypto/envelope.ts';
import type { TenantStore } from '../tenants/tenant-store.ts';
import type { PolicyStore } from '../tenants/policy-store.ts';
import type { HoldService } from '../holds/hold-service.ts';
import type { Queues } from '../jobs/queues.ts';
import type { RouteDefinition } from '../http/route.ts';
import type { ProblemCatalogue } from '../errors/problem.ts';
import type { PolicySection } from '../policy/policy-fields.ts';
import type { PolicySchema } from '../policy/policy-schema.ts';
import type { ChallengeOutcomes, ChannelRegistry } from './channel.ts';

/** What the server lends a module: the shared services, not the whole application context. */
export interface ChannelHost {
  config: Config;
  /** What "now" is for everything time-based (docs/reliability.md "Time as a tested dimension"). */
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  db: Db;
  redis: Redis;
  queueRedis: Redis;
  envelope: Envelope;
  tenants: TenantStore;
  policies: PolicyStore;
  channels: ChannelRegistry;
  challenges: ChallengeOutcomes;
  /** After approval: hold, tell, stop (docs/holds.md). */
  holds: HoldService;
  queues: Queues;

  // The document's schema as the server composed it.
  /**
   * The policy document's schema composed from the server's modules (src/policy/policy-schema.ts,
   * composePolicy): the channels' names (`channelNames`, e.g. for the schemas of routes that answer with
   * a challenge), `effective` (a customer's policy held to every section's bounds).
   */
  policy: PolicySchema;
}

/** A node request handler: express routers and handlers are used as these (the server mounts them with express). */
export type MountHandler = (request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void) => void;

/** A non-JSON handler mounted before the declared routes (e.g. Twilio webhooks, page assets). */
export interface ChannelMount {
  path: string;
  handler: MountHandler;
}

/** A text in both console languages. */
export interface ConsoleText {
  'en-US': string;
  'ko-KR': string;
}

export const consoleText = (en: string, ko: string): ConsoleText => ({ 'en-US': en, 'ko-KR': ko });

/**
 * What the admin console shows of a module, rendered by pages that know no channel (docs/console.md):
 * the policy form's fields and the challenge timeline's sections. The customer page shows what
 * `consoleCustomer` returns.
 */
export interface ConsoleMetadata {
  /** The module's name in the console (e.g. the policy form's group title). */
  title: ConsoleText;
  /** Fields of the module's policy section shown in the policy form, `channels.<module>.<field>`. */
  policyFields?: { field: string; kind: 'bool' | 'number' | 'text' | 'list'; label: ConsoleText }[];
  /** Sections of the challenge timeline (`timeline`'s keys). */
  timeline?: ConsoleTimelineSection[];
}

export type ConsoleTimelineSection =
  /** A list of entries, one row each. */
  | { key: string; kind: 'table'; title: ConsoleText; empty: ConsoleText; columns: { field: string; format: 'text' | 'time'; label: ConsoleText }[] }
  /** One record (or null): its fields as label–value pairs. */
  | { key: string; kind: 'record'; title: ConsoleText; empty: ConsoleText; fields: { field: string; format: 'text' | 'yesno'; label: ConsoleText }[] };

/** One value on the console's customer page, rendered by its kind (times in the reader's locale). */
export type ConsoleFactValue =
  | { text: string }
  | { label: ConsoleText }
  | { time: string | null }
  | { yes: boolean }
  | { badge: 'good' | 'bad'; label: ConsoleText }
  | { list: ConsoleText[] }
  | { table: { columns: ConsoleText[]; rows: (string | ConsoleText)[][]; empty: ConsoleText } };

/** A module's part of the console's customer page: its facts, and whether it holds the customer locked (unlock lifts it). */
export interface ConsoleCustomer {
  locked: boolean;
  facts: { label: ConsoleText; value: ConsoleFactValue }[];
}

/** Example request and responses of one operation, `<method> <OpenAPI path>` (src/http/openapi.ts). */
export interface OperationExamples {
  request?: unknown;
  responses?: Record<string, unknown>;
}

// --- Its figures on the tenant dashboard (docs/admin-api.md "Dashboard", docs/console.md "Dashboard") ---

/** One figure a module adds to each day of the tenant dashboard, `series[].<module>.<key>`. */
export interface DashboardFigure {
  key: string;
  /** `count`: a whole number; `rate`: a fraction from 0 to 1, or null on a day with nothing to measure (the console shows a percentage). */
  kind: 'count' | 'rate';
  label: ConsoleText;
  /** Drawn in the module's chart and listed in the console's table of the numbers; the others are in the data only. */
  chart: boolean;
}

/** The days the dashboard shows, and what the core counted of the module's challenges on them. */
export interface DashboardPeriod {
  tenantId: string;
  /** The tenant policy's time zone, in which the days are counted. */
  timezone: string;
  /** The days shown, `YYYY-MM-DD` in `timezone`, oldest first. */
  days: string[];
  /** The window read (wider than the days: a module reading its own tables keeps what falls on one of `days`). */
  from: Date;
  to: Date;
  /**
   * The challenges that went to the module's channel (the channel named like the module), counted by
   * the day they were created, status and result reason: from the core's table, which no module reads.
   */
  outcomes: { day: string; status: string; resultReason: string | null; count: number }[];
}

/** What a module shows on the tenant dashboard: one chart of its figures, and the figures in every day's data. */
export interface ModuleDashboard {
  /** The chart's title. */
  title: ConsoleText;
  figures: DashboardFigure[];
  /**
   * One day's figures (figure key → value) for the dashboard's example in `/openapi.json`: merged into
   * every day of the operation's example under the module's name.
   */
  example?: Record<string, number | null>;
  /**
   * Each day's figures (day → figure key → value), worked out by the module from `outcomes` or its own
   * tables in the tenant's scope. A day or a figure it leaves out is 0 (a count) or null (a rate).
   */
  compute(host: ChannelHost, period: DashboardPeriod): Promise<Record<string, Record<string, number | null>>>;
}

export interface ChannelModule {
  name: string;
  /** Registers the channel with host.channels; may create its own services. Runs in every role. */
  register(host: ChannelHost): Promise<void> | void;
  /**
   * The module's section of the policy document (`channels.<name>`: fields, defaults, bounds and which
   * direction of each field weakens security). The server composes the document's schema from the
   * modules' sections (src/policy/policy-schema.ts, composePolicy).
   */
  policy?: PolicySection;
  /** Its own environment variables, read and validated with the core's (src/config/config.ts); the values are in `host.config.modules[name]`. */
  config?: ModuleEnv;
  /** Routes this module adds to the API (bank, admin or public). */
  routes?(host: ChannelHost): RouteDefinition[];
  /** Examples of its routes for the OpenAPI document, by `<method> <OpenAPI path>`. */
  openApiExamples?: Record<string, OperationExamples>;
  /** Non-JSON handlers mounted before the declared routes (e.g. Twilio webhooks), path → handler. */
  mounts?(host: ChannelHost): ChannelMount[];
  /** The BullMQ queues this module's workers consume, by name (the console's queue dashboard shows them). */
  queueNames?: string[];
  /** The problem codes this module raises (problemsOf), merged with the core ones (src/server/problem-catalogue.ts). */
  problemCodes?: ProblemCatalogue;
  /** Queue workers, started in `worker` and `all` roles. */
  workers?(host: ChannelHost, connection: Redis): Worker[];
  /** Called on shutdown after workers closed. */
  close?(): Promise<void>;
  /**
   * This module's part of `GET /v1/customers/{id}` (masked phone, passkey count, tokens, lock
   * state): merged into the summary under the keys it returns. Never a secret or a full number.
   */
  describeCustomer?(host: ChannelHost, tenantId: string, customerId: string): Promise<Record<string, unknown>>;
  /** The shape of what describeCustomer returns, key → schema (documents the summary in OpenAPI). */
  customerSummary?: Record<string, z.ZodType>;
  /** Erases what this module stores for the customer (`DELETE /v1/customers/{id}`), inside `tx`. */
  eraseCustomer?(host: ChannelHost, tx: Queryable, tenantId: string, customerId: string): Promise<void>;
  /**
   * Lifts this module's locks on the customer (`POST /admin/v1/tenants/{id}/customers/{customerId}/unlock`),
   * inside `tx`; returns what it unlocked (e.g. `['ars']`, `['otp:tok_…']`) for the response and the audit.
   */
  unlockCustomer?(host: ChannelHost, tx: Queryable, tenantId: string, customerId: string): Promise<string[]>;
  /**
   * This module's part of one challenge's admin timeline (`GET /admin/v1/tenants/{id}/challenges/{challengeId}`),
   * from its own tables, in the tenant's scope: merged into the answer under the keys it returns.
   */
  timeline?(host: ChannelHost, tenantId: string, challengeId: string): Promise<Record<string, unknown>>;
  /** The shape of what timeline returns, key → schema (documents the timeline in OpenAPI). */
  timelineSchema?: Record<string, z.ZodType>;
  /** What the admin console shows of this module (fields and labels in ko-KR and en-US). */
  console?: ConsoleMetadata;
  /**
   * This module's part of the console's customer page (`console.<name>` in the admin customer summary):
   * facts in both languages, worked out here with the tenant's current policy, never a secret.
   */
  consoleCustomer?(host: ChannelHost, tenantId: string, customerId: string): Promise<ConsoleCustomer>;
  /**
   * Periodic clean-up, run by the maintenance sweep (every 30 s, in `worker` and `all` roles): deletes
   * what this module no longer needs as of `now`, in bounded batches, and returns how many of each
   * kind it deleted (counts only: they are logged and counted in `stepup_maintenance_removed_total`).
   */
  sweep?(host: ChannelHost, now: Date): Promise<Record<string, number>>;

  // What the module owns in storage.
  /**
   * Its migrations: a folder of `.sql` files (`new URL('./migrations/', import.meta.url)`), applied by
   * migrate() with the core's in one name order, once each (src/storage/migrate.ts). Names are unique
   * across the server; a new module prefixes them with its name (`pigeon_001_lofts.sql`).
   */
  migrations?: URL;

  // --- Its configuration beyond single variables ---
  /**
   * Checks its variables (`config`) together and against the core's, and works out settings from them
   * (e.g. the WebAuthn relying party from PUBLIC_BASE_URL): run by loadConfig once every variable is
   * valid; the values it returns are `host.config.modules[name]`, its issues stop the start-up.
   */
  deriveConfig?: ModuleConfigDeriver;

  // --- Its figures on the tenant dashboard ---
  /** Its chart and figures on the tenant dashboard (`series[].<name>`), labelled in ko-KR and en-US, computed by the module. */
  dashboard?: ModuleDashboard;
}
