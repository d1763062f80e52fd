// The ARS channel module (docs/ars-channel.md): enrollment routes, the channel, Twilio's webhooks, the
// place-call worker. Number vetting and call caps are dependencies: `arsModule({ vetter, caps })`;
// by default both come from number intelligence (numbering plan + Twilio Lookup + the bank's
// carrier gateway; Redis call caps).
import type { Queue, Worker } from 'bullmq';
import type { AppContext } from '../../server/build-context.ts';
import type { ChannelModule } from '../../server/channel-modules.ts';
import { arsEnrollmentRoutes } from './ars-enrollment-routes.ts';
import { loadFlows } from '../../telephony/ivr/load-flows.ts';
import type { FlowCatalog } from '../../telephony/ivr/flow-catalog.ts';
import { createTwilioClient } from '../../telephony/twilio-client.ts';
import { arsWebhookRouter } from '../../telephony/ars/ars-webhook-router.ts';
import { arsWebhookMount } from '../../telephony/ars/ars-webhook-urls.ts';
import { twilioCallPlacer } from '../../telephony/ars/twilio-call-placer.ts';
import { ArsCallService } from './ars-call-service.ts';
import { ArsChannel } from './ars-channel.ts';
import { ArsDialer } from './ars-dialer.ts';
import { ArsEnrollment, arsCustomerSummary } from './ars-enrollment.ts';
import { createNumberHasher } from '../../telephony/number-intelligence/number-hash.ts';
import type { PlaceCallJob } from './ars-ports.ts';
import { redisCallRateLimiter } from './call-rate-limiter.ts';
import { arsMetrics } from './ars-metrics.ts';
import type { CallCaps, NumberVetter } from './number-vetting.ts';
import { createNumberIntelligence } from '../../telephony/number-intelligence/create-number-intelligence.ts';
import { bullmqPlaceCallScheduler, createPlaceCallQueue, startPlaceCallWorker } from './place-call-queue.ts';
import { CallReconciler } from './call-reconciler.ts';
import { startReconcileWorker } from './reconcile-queue.ts';

export interface ArsModuleOptions {
  /** Number vetting; defaults to number intelligence (createNumberIntelligence). */
  vetter?: NumberVetter | ((context: AppContext) => NumberVetter);
  /** Call caps; defaults to number intelligence's Redis caps. */
  caps?: CallCaps | ((context: AppContext) => CallCaps);
}

interface Telephony {
  flows: FlowCatalog;
  queue: Queue<PlaceCallJob>;
  dialer: ArsDialer;
  calls: ArsCallService;
  reconciler: CallReconciler;
  authToken: string;
}

export function arsModule(options: ArsModuleOptions = {}): ChannelModule & { enrollment(context: AppContext): ArsEnrollment } {
  // One module instance may serve several servers in one process (tests): state is per context.
  const states = new WeakMap<AppContext, { enrollment: ArsEnrollment; telephony?: Telephony }>();
  const stateOf = (context: AppContext) => {
    const state = states.get(context);
    if (!state) throw new Error('the ARS module is not registered with this context');
    return state;
  };
  const resolve = <T>(given: T | ((context: AppContext) => T) | undefined, context: AppContext, fallback: () => T): T =>
    given === undefined ? fallback() : typeof given === 'function' ? (given as (context: AppContext) => T)(context) : given;

  return {
    name: 'ars',
    enrollment: (context) => stateOf(context).enrollment,
    async register(context) {
      const { config, db, envelope, policies, logger } = context;
      let intelligence: ReturnType<typeof createNumberIntelligence> | undefined;
      const numberIntelligence = () => (intelligence ??= createNumberIntelligence(context));
      const vetter = resolve(options.vetter, context, () => numberIntelligence().vetter);
      const caps = resolve(options.caps, context, () => numberIntelligence().caps);
      const enrollment = new ArsEnrollment({ db, envelope, policies, vetter, hashNumber: createNumberHasher(config.masterKeys.current.key), phoneHashKeyId: config.masterKeys.current.id });
      states.set(context, { enrollment });
      if (!config.twilio) {
        logger.warn('TWILIO_* not set: ARS enrollment works, but no verification calls can be placed');
        return;
      }
      // Flows are validated at start-up: a broken flow file stops the server here.
      const flows = await loadFlows();
      const client = createTwilioClient({ accountSid: config.twilio.accountSid, authToken: config.twilio.authToken, apiBaseUrl: config.twilio.apiBaseUrl, timeoutMs: 10_000 });
      const placer = twilioCallPlacer({ client, accountSid: config.twilio.accountSid, from: config.twilio.from, publicBaseUrl: config.publicBaseUrl });
      const queue = createPlaceCallQueue(context.queueRedis, config.queuePrefix);
      const scheduler = bullmqPlaceCallScheduler(queue);
      const metrics = arsMetrics(context.metrics.registry);
      const dialer = new ArsDialer({
        db,
        envelope,
        challenges: context.challenges,
        vetter,
        caps,
        placer,
        scheduler,
        limiter: redisCallRateLimiter(context.redis, config.queuePrefix),
        logger,
        metrics,
        retryDelayScale: config.arsRetryDelayScale,
      });
      const calls = new ArsCallService({ db, envelope, challenges: context.challenges, challengeStore: context.challengeStore, tenants: context.tenants, dialer, logger, metrics });
      const reconciler = new CallReconciler({ db, dialer, placer, scheduler, logger, metrics }, { afterSeconds: config.arsReconcileAfterSeconds });
      states.set(context, { enrollment, telephony: { flows, queue, dialer, calls, reconciler, authToken: config.twilio.authToken } });
      context.channels.register(new ArsChannel({ db, placer, scheduler, logger }));
    },
    routes: (context) => arsEnrollmentRoutes(stateOf(context).enrollment),
    mounts(context) {
      const { telephony } = stateOf(context);
      if (!telephony) return [];
      return [{ path: arsWebhookMount, handler: arsWebhookRouter({ calls: telephony.calls, flows: telephony.flows, authToken: telephony.authToken, publicBaseUrl: context.config.publicBaseUrl, logger: context.logger }) }];
    },
    workers(context, connection): Worker[] {
      const { telephony } = stateOf(context);
      if (!telephony) return [];
      const { queuePrefix: prefix, arsReconcileEveryMs: everyMs } = context.config;
      return [
        startPlaceCallWorker({ connection, prefix, dialer: telephony.dialer, logger: context.logger }),
        startReconcileWorker({ connection, prefix, reconciler: telephony.reconciler, everyMs, logger: context.logger }),
      ];
    },
    describeCustomer: (context, tenantId, customerId) => stateOf(context).enrollment.describe(tenantId, customerId),
    customerSummary: arsCustomerSummary,
    eraseCustomer: (context, tx, tenantId, customerId) => stateOf(context).enrollment.erase(tx, tenantId, customerId),
    unlockCustomer: (context, tx, tenantId, customerId) => stateOf(context).enrollment.unlock(tx, tenantId, customerId),
  };
}
