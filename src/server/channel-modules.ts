// Each channel plugs in here: it registers its Channel strategy, declares its routes, and (for
// worker processes) starts its queue workers. One line per channel module.
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type express from 'express';
import type { z } from 'zod';
import type { AppContext } from './build-context.ts';
import type { RouteDefinition } from '../http/route.ts';
import type { Queryable } from '../storage/db.ts';
import { numberIntelligenceModule } from '../telephony/number-intelligence/number-intelligence-module.ts';
import { otpModule } from '../channels/otp/otp-module.ts';
import { arsModule } from '../channels/ars/ars-module.ts';
import { webauthnModule } from '../channels/webauthn/webauthn-module.ts';
import { arsTelephony } from './ars-telephony.ts';
import type { ProblemCatalogue } from '../errors/problem.ts';

/** A non-JSON handler mounted before the declared routes (e.g. Twilio webhooks). */
export interface ChannelMount {
  path: string;
  handler: express.RequestHandler;
}

export interface ChannelModule {
  name: string;
  /** Registers the channel with context.channels; may create its own services. Runs in every role. */
  register(context: AppContext): Promise<void> | void;
  /** Routes this module adds to the API (bank, admin or public). */
  routes?(context: AppContext): RouteDefinition[];
  /** Non-JSON handlers mounted before the declared routes (e.g. Twilio webhooks), path → handler. */
  mounts?(context: AppContext): ChannelMount[];
  /** The BullMQ queues this module's workers consume, by name (the console's queue dashboard shows them). */
  queueNames?: string[];
  /** The problem codes this module raises (problemsOf), merged with the core ones (problem-catalogue.ts). */
  problemCodes?: ProblemCatalogue;
  /** Queue workers, started in `worker` and `all` roles. */
  workers?(context: AppContext, connection: Redis): Worker[];
  /** Called on shutdown after workers closed. */
  close?(): Promise<void>;
  /**
   * This module's part of `GET /v1/customers/{id}` (masked phone, passkey count, tokens, lock
   * state): merged into the summary under the keys it returns. Never a secret or a full number.
   */
  describeCustomer?(context: AppContext, tenantId: string, customerId: string): Promise<Record<string, unknown>>;
  /** The shape of what describeCustomer returns, key → schema (documents the summary in OpenAPI). */
  customerSummary?: Record<string, z.ZodType>;
  /** Erases what this module stores for the customer (`DELETE /v1/customers/{id}`), inside `tx`. */
  eraseCustomer?(context: AppContext, tx: Queryable, tenantId: string, customerId: string): Promise<void>;
  /**
   * Lifts this module's locks on the customer (`POST /admin/v1/tenants/{id}/customers/{customerId}/unlock`),
   * inside `tx`; returns what it unlocked (e.g. `['ars']`, `['otp:tok_…']`) for the response and the audit.
   */
  unlockCustomer?(context: AppContext, tx: Queryable, tenantId: string, customerId: string): Promise<string[]>;
  /**
   * Periodic clean-up, run by the maintenance sweep (every 30 s, in `worker` and `all` roles): deletes
   * what this module no longer needs as of `now`, in bounded batches, and returns how many of each
   * kind it deleted (counts only: they are logged and counted in `stepup_maintenance_removed_total`).
   */
  sweep?(context: AppContext, now: Date): Promise<Record<string, number>>;
}

export const channelModules: ChannelModule[] = [numberIntelligenceModule, arsModule(arsTelephony), otpModule, webauthnModule];
