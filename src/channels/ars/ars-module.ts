// The ARS channel module (docs/ars-channel.md): enrollment routes, the channel, the provider's
// webhooks, the place-call and reconcile workers. What it needs from the telephone world (number
// vetting, call caps, the call placer, the webhooks) comes in as `telephony` (ars-telephony.ts).
import type { Queue, Worker } from 'bullmq';
import type { ChannelHost, ChannelModule } from '../channel-module.ts';
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
import { arsEnv, arsSettings } from './ars-config.ts';
import { arsDashboard } from './ars-dashboard.ts';
import { arsPolicy } from './ars-policy.ts';
import { arsTimeline, callAttemptView } from './ars-timeline.ts';
import { arsOpenApiExamples } from './ars-openapi-examples.ts';
import { arsConsole, arsConsoleCustomer, type ArsSummary } from './ars-console.ts';
import { effectivePolicy } from '../../policy/policy-schema.ts';
import { z } from 'zod';
import { NotificationPhoneEnrollment, notificationPhoneSummary } from './notification-phone.ts';
import { NumberChangeMarks } from './number-change-marks.ts';
import { PhoneChangeNotices } from './phone-change-notices.ts';
import { noticeCallGuard } from './notice-call-guard.ts';
import { bullmqPhoneChangeScheduler, createPhoneChangeQueue, phoneChangeQueueName, startPhoneChangeWorker } from './phone-change-queue.ts';
import { bullmqEventDispatcher } from '../../jobs/queues.ts';
import { sectionOf } from '../../policy/policy-fields.ts';

interface Calling {
  voice: ArsVoice;
  queue: Queue<PlaceCallJob>;
  dialer: ArsDialer;
  calls: ArsCallService;
  reconciler: CallReconciler;
  notices: PhoneChangeNotices;
}

export function arsModule(telephony: ArsTelephony): ChannelModule & { enrollment(context: ChannelHost): ArsEnrollment } {
  // One module instance may serve several servers in one process (tests): state is per context.
  const states = new WeakMap<ChannelHost, { enrollment: ArsEnrollment; notificationPhones: NotificationPhoneEnrollment; marks: NumberChangeMarks; calling?: Calling }>();
  const stateOf = (context: ChannelHost) => {
    const state = states.get(context);
    if (!state) throw new Error('the ARS module is not registered with this context');
    return state;
  };

  return {
    name: 'ars',
    migrations: new URL('./migrations/', import.meta.url),
    policy: arsPolicy,
    openApiExamples: arsOpenApiExamples,
    console: arsConsole,
    queueNames: [placeCallQueueName, reconcileQueueName, phoneChangeQueueName],
    problemCodes: arsProblemCodes,
    config: arsEnv,
    dashboard: arsDashboard,
    enrollment: (context) => stateOf(context).enrollment,
    async register(context) {
      const { config, db, envelope, policies, logger, clock } = context;
      const settings = arsSettings(config);
      const { vetter, caps, hashNumber, normalizeNumber } = telephony.numbers(context);
      const marks = new NumberChangeMarks(config.masterKeys);
      const enrollmentDeps = { db, envelope, policies, vetter, hashNumber, normalizeNumber, phoneHashKeyId: config.masterKeys.current.id, marks, clock };
      const notificationPhones = new NotificationPhoneEnrollment({ db, envelope, policies, vetter, normalizeNumber });
      states.set(context, { enrollment: new ArsEnrollment(enrollmentDeps), notificationPhones, marks });
      const voice = await telephony.voice(context);
      if (!voice) {
        logger.warn('TWILIO_* not set: ARS enrollment works, but no verification calls can be placed');
        return;
      }
      const notices = new PhoneChangeNotices({
        db,
        envelope,
        tenants: context.tenants,
        policies,
        placer: voice.phoneChange.placer,
        guard: noticeCallGuard({ vetter, caps, policies }),
        scheduler: bullmqPhoneChangeScheduler(createPhoneChangeQueue(context.queueRedis, config.queuePrefix)),
        events: bullmqEventDispatcher(context.queues),
        logger,
        clock,
      });
      const enrollment = new ArsEnrollment({ ...enrollmentDeps, notices });
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
        retryDelayScale: settings.ARS_RETRY_DELAY_SCALE,
        clock: context.clock,
      });
      const calls = new ArsCallService({ db, envelope, challenges: context.challenges, tenants: context.tenants, dialer, logger, metrics, clock: context.clock });
      const reconciler = new CallReconciler({ db, dialer, placer, scheduler, logger, metrics, clock: context.clock }, { afterSeconds: settings.ARS_RECONCILE_AFTER_S, giveUpAfterSeconds: settings.ARS_RECONCILE_GIVE_UP_S });
      states.set(context, { enrollment, notificationPhones, marks, calling: { voice, queue, dialer, calls, reconciler, notices } });
      context.channels.register(new ArsChannel({ db, placer, scheduler, logger, clock }));
    },
    routes: (context) => arsEnrollmentRoutes(stateOf(context).enrollment, stateOf(context).notificationPhones),
    mounts(context) {
      const { calling } = stateOf(context);
      return calling ? [calling.voice.webhooks(calling.calls), calling.voice.phoneChange.webhooks(calling.notices)] : [];
    },
    workers(context, connection): Worker[] {
      const { calling } = stateOf(context);
      if (!calling) return [];
      const prefix = context.config.queuePrefix;
      const everyMs = arsSettings(context.config).ARS_RECONCILE_EVERY_MS;
      return [
        startPlaceCallWorker({ connection, prefix, dialer: calling.dialer, logger: context.logger }),
        startReconcileWorker({ connection, prefix, reconciler: calling.reconciler, everyMs, logger: context.logger }),
        startPhoneChangeWorker(connection, prefix, calling.notices),
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
    timeline: (host, tenantId, challengeId) => arsTimeline(host.db, tenantId, challengeId),
    consoleCustomer: async (host, tenantId, customerId) => {
      const summary = (await stateOf(host).enrollment.describe(tenantId, customerId)) as unknown as ArsSummary;
      const policy = sectionOf(effectivePolicy((await host.policies.currentCached(tenantId)).document), arsPolicy);
      return arsConsoleCustomer(summary, policy, host.clock());
    },
    timelineSchema: { callAttempts: z.array(callAttemptView) },
    async sweep(context, now) {
      const { marks, calling } = stateOf(context);
      // Calls to old numbers whose jobs were lost are placed here too (counted apart: nothing is removed).
      const placed = (await calling?.notices.sweep(now)) ?? 0;
      if (placed > 0) context.logger.info({ placed }, 'calls to old numbers placed by the sweep');
      return { number_change_marks: await marks.sweep(context.db, now) };
    },
  };
}
