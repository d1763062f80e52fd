// The ARS channel module (docs/ars-channel.md): enrollment routes, the channel, the provider's
// webhooks, the place-call and reconcile workers. What it needs from the telephone world (number
// vetting, call caps, the call placer, the webhooks) comes in as `telephony` (ars-telephony.ts).
import type { Queue, Worker } from 'bullmq';
import type { AppContext } from '../../server/build-context.ts';
import type { ChannelModule } from '../../server/channel-modules.ts';
import { arsEnrollmentRoutes } from './ars-enrollment-routes.ts';
import { ArsCallService } from './ars-call-service.ts';
import { ArsChannel } from './ars-channel.ts';
import { ArsDialer } from './ars-dialer.ts';
import { ArsEnrollment, arsCustomerSummary } from './ars-enrollment.ts';
import type { PlaceCallJob } from './ars-ports.ts';
import type { ArsTelephony, ArsVoice } from './ars-telephony.ts';
import { redisCallRateLimiter } from './call-rate-limiter.ts';
import { arsMetrics } from './ars-metrics.ts';
import { bullmqPlaceCallScheduler, createPlaceCallQueue, placeCallQueueName, startPlaceCallWorker } from './place-call-queue.ts';
import { CallReconciler } from './call-reconciler.ts';
import { reconcileQueueName, startReconcileWorker } from './reconcile-queue.ts';
import { arsProblemCodes } from './ars-problem-codes.ts';
import { NotificationPhoneEnrollment, notificationPhoneSummary } from './notification-phone.ts';

interface Calling {
  voice: ArsVoice;
  queue: Queue<PlaceCallJob>;
  dialer: ArsDialer;
  calls: ArsCallService;
  reconciler: CallReconciler;
}

export function arsModule(telephony: ArsTelephony): ChannelModule & { enrollment(context: AppContext): ArsEnrollment } {
  // One module instance may serve several servers in one process (tests): state is per context.
  const states = new WeakMap<AppContext, { enrollment: ArsEnrollment; notificationPhones: NotificationPhoneEnrollment; calling?: Calling }>();
  const stateOf = (context: AppContext) => {
    const state = states.get(context);
    if (!state) throw new Error('the ARS module is not registered with this context');
    return state;
  };

  return {
    name: 'ars',
    queueNames: [placeCallQueueName, reconcileQueueName],
    problemCodes: arsProblemCodes,
    enrollment: (context) => stateOf(context).enrollment,
    async register(context) {
      const { config, db, envelope, policies, logger } = context;
      const { vetter, caps, hashNumber, normalizeNumber } = telephony.numbers(context);
      const enrollment = new ArsEnrollment({ db, envelope, policies, vetter, hashNumber, normalizeNumber, phoneHashKeyId: config.masterKeys.current.id });
      const notificationPhones = new NotificationPhoneEnrollment({ db, envelope, policies, vetter, normalizeNumber });
      states.set(context, { enrollment, notificationPhones });
      const voice = await telephony.voice(context);
      if (!voice) {
        logger.warn('TWILIO_* not set: ARS enrollment works, but no verification calls can be placed');
        return;
      }
      const { placer } = voice;
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
        limiter: redisCallRateLimiter(context.redis, config.queuePrefix, context.clock),
        logger,
        metrics,
        retryDelayScale: config.arsRetryDelayScale,
        clock: context.clock,
      });
      const calls = new ArsCallService({ db, envelope, challenges: context.challenges, challengeStore: context.challengeStore, tenants: context.tenants, dialer, logger, metrics, clock: context.clock });
      const reconciler = new CallReconciler({ db, dialer, placer, scheduler, logger, metrics, clock: context.clock }, { afterSeconds: config.arsReconcileAfterSeconds, giveUpAfterSeconds: config.arsReconcileGiveUpSeconds });
      states.set(context, { enrollment, notificationPhones, calling: { voice, queue, dialer, calls, reconciler } });
      context.channels.register(new ArsChannel({ db, placer, scheduler, logger }));
    },
    routes: (context) => arsEnrollmentRoutes(stateOf(context).enrollment, stateOf(context).notificationPhones),
    mounts(context) {
      const { calling } = stateOf(context);
      return calling ? [calling.voice.webhooks(calling.calls)] : [];
    },
    workers(context, connection): Worker[] {
      const { calling } = stateOf(context);
      if (!calling) return [];
      const { queuePrefix: prefix, arsReconcileEveryMs: everyMs } = context.config;
      return [
        startPlaceCallWorker({ connection, prefix, dialer: calling.dialer, logger: context.logger }),
        startReconcileWorker({ connection, prefix, reconciler: calling.reconciler, everyMs, logger: context.logger }),
      ];
    },
    describeCustomer: async (context, tenantId, customerId) => ({
      ...(await stateOf(context).enrollment.describe(tenantId, customerId)),
      ...(await stateOf(context).notificationPhones.describe(tenantId, customerId)),
    }),
    customerSummary: { ...arsCustomerSummary, ...notificationPhoneSummary },
    eraseCustomer: async (context, tx, tenantId, customerId) => {
      await stateOf(context).enrollment.erase(tx, tenantId, customerId);
      await stateOf(context).notificationPhones.erase(tx, tenantId, customerId);
    },
    unlockCustomer: (context, tx, tenantId, customerId) => stateOf(context).enrollment.unlock(tx, tenantId, customerId),
  };
}
